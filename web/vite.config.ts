import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The build lands in dist/app, which the Go binary embeds (web/embed.go).
// `npm run dev` proxies the API to a server started with `make run`.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist/app", emptyOutDir: true, sourcemap: false },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
  test: { environment: "node", include: ["src/**/*.test.ts"], testTimeout: 20000 },
});
