import { withCsrf } from "../api/client";

// upload posts a multipart form with progress reports (fetch has none for
// request bodies), with headers if given (an Idempotency-Key): the answer's
// status and JSON body, whatever they are.
export function upload(
  url: string,
  form: FormData,
  onProgress: (fraction: number) => void,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    withCsrf("POST", (n, v) => xhr.setRequestHeader(n, v)); // the session cookie goes by itself
    for (const [n, v] of Object.entries(headers)) xhr.setRequestHeader(n, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => resolve({ status: 0, body: null });
    xhr.send(form);
  });
}
