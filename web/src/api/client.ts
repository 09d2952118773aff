// The API client: types generated from api/openapi.yaml (npm run generate),
// so the app cannot drift from the contract.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

// The web app's session lives in an HttpOnly cookie the server sets at
// sign-in (POST /api/v1/auth/session): every tab shares it, scripts never
// see it. What the page keeps is the session's CSRF token, sent with every
// change (X-CSRF-Token); a new tab or a reload reads it again from
// GET /api/v1/auth/session.
let csrfToken: string | null = null;
export const csrf = {
  get: (): string | null => csrfToken,
  set: (t: string | null) => {
    csrfToken = t;
  },
};

// withCsrf adds the CSRF header to a change's headers (fetch and XHR
// callers outside this client use it too).
export function withCsrf(method: string, set: (name: string, value: string) => void) {
  if (csrfToken && !/^(GET|HEAD|OPTIONS)$/i.test(method)) set("X-CSRF-Token", csrfToken);
}

let onUnauthorized: () => void = () => {};
export function whenUnauthorized(f: () => void) {
  onUnauthorized = f;
}

// The page's own resource: when the API answers 404 or 403 to reading it,
// the app shows the "not allowed" page instead of waiting forever (App
// sets it from the route, e.g. /api/v1/cases/<id> for /dossiers/<id>).
let pageResource: string | null = null;
let onPageRefused: (status: 403 | 404) => void = () => {};
export function watchPageResource(path: string | null, refused: (status: 403 | 404) => void) {
  pageResource = path;
  onPageRefused = refused;
}

const auth: Middleware = {
  onRequest({ request }) {
    withCsrf(request.method, (n, v) => request.headers.set(n, v));
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && csrfToken) {
      csrfToken = null;
      onUnauthorized();
    }
    if ((response.status === 404 || response.status === 403) && request.method === "GET" && pageResource && new URL(request.url).pathname === pageResource) {
      onPageRefused(response.status);
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: "/" });
api.use(auth);
