/**
 * Where to go after signing in: only a path on this site. Absolute URLs, scheme-relative `//host`, `/\host`
 * (which browsers read as `//host`) and anything with control characters fall back to `fallback`, so a link
 * `…/sign-in?next=https://evil.example` cannot send a user elsewhere (open redirect).
 */
export function safeNext(next: unknown, fallback: string): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(next)) return fallback;
  const base = 'http://cadet.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
