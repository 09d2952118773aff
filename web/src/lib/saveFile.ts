// saveFile downloads url (an export, a refused-rows file) with the session
// cookie and saves it under the name the server gives in its
// Content-Disposition, else fallback. false when the server refused.
export async function saveFile(url: string, fallback: string): Promise<boolean> {
  const resp = await fetch(url);
  if (!resp.ok) return false;
  const name = fileNameOf(resp.headers.get("Content-Disposition")) || fallback;
  const href = URL.createObjectURL(await resp.blob());
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: some browsers read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return true;
}

// fileNameOf reads filename= (or RFC 5987 filename*=) from a
// Content-Disposition header.
export function fileNameOf(header: string | null): string {
  if (!header) return "";
  const star = header.match(/filename\*=(?:UTF-8'')?([^;]+)/i);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ""));
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = header.match(/filename="?([^";]+)"?/i);
  return plain ? plain[1].trim() : "";
}

// query builds "?a=1&b=2" from the defined values of params.
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
