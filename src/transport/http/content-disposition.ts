// Content-Disposition with the file name in both forms: an ASCII fallback for old clients and the
// exact UTF-8 name as RFC 6266 / RFC 8187 `filename*`. Names are already sanitised; quotes and
// backslashes are still replaced in the fallback so the header cannot be broken out of.
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
