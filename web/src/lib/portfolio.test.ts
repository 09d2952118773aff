import { describe, expect, it } from "vitest";
import { percent } from "./portfolio";

describe("percent", () => {
  it("shows basis points with one decimal, rounded half up", () => {
    expect(percent(1667)).toBe("16,7\u00a0%");
    expect(percent(1665)).toBe("16,7\u00a0%");
    expect(percent(1664)).toBe("16,6\u00a0%");
    expect(percent(0)).toBe("0,0\u00a0%");
    expect(percent(10000, "en")).toBe("100.0%");
  });
});
