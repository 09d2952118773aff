// download saves a stored document under its own file name, fetched with
// the session cookie and saved from a blob.
export async function download(doc: { id: string; file_name: string }): Promise<boolean> {
  const resp = await fetch(`/api/v1/documents/${doc.id}/content`);
  if (!resp.ok) return false;
  const url = URL.createObjectURL(await resp.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = doc.file_name;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: some browsers read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return true;
}
