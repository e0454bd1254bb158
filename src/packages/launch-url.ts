/**
 * Resolving launch references (SCORM `href` with `xml:base`, cmi5 `url`, tincan `launch`)
 * against the package root, without ever letting one point outside the package.
 */

export type ResolvedHref =
  | { readonly kind: 'local'; readonly path: string; readonly suffix: string }
  | { readonly kind: 'external'; readonly url: string }
  | { readonly kind: 'outside' }
  | { readonly kind: 'bad-scheme'; readonly scheme: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Resolves `href` against the `bases` (outermost first, e.g. manifest, resources, resource
 * `xml:base`) as RFC 3986 does for relative references, with two differences: climbing above
 * the package root is reported (`outside`) instead of clamped, and only http(s) is allowed
 * for absolute URLs. A local result's `path` is a file path in the package (percent-decoded,
 * NFC); `suffix` is the query and fragment as written.
 */
export function resolveHref(bases: readonly (string | undefined)[], href: string): ResolvedHref {
  const parts = [...bases.filter((b): b is string => b !== undefined && b.trim() !== '').map((b) => b.trim()), href.trim()];
  // The last absolute reference wins, as in URL resolution.
  let start = 0;
  for (let i = parts.length - 1; i >= 0; i -= 1) {
    if (SCHEME.test(parts[i] as string)) {
      start = i;
      break;
    }
  }
  const first = parts[start] as string;
  const scheme = SCHEME.exec(first)?.[1];
  if (scheme !== undefined) {
    if (!/^https?$/i.test(scheme)) return { kind: 'bad-scheme', scheme };
    try {
      let url = new URL(first);
      for (const part of parts.slice(start + 1)) url = new URL(part, url);
      return { kind: 'external', url: url.href };
    } catch {
      return { kind: 'bad-scheme', scheme };
    }
  }
  let segments: string[] = [];
  let suffix = '';
  for (const [index, part] of parts.entries()) {
    const cut = part.search(/[?#]/);
    const isLast = index === parts.length - 1;
    const written = cut < 0 ? part : part.slice(0, cut);
    // An xml:base is meant as a folder even without its trailing "/" (what LMSs do in practice).
    const pathPart = !isLast && written !== '' && !written.endsWith('/') ? `${written}/` : written;
    if (isLast) suffix = cut < 0 ? '' : part.slice(cut);
    if (pathPart.startsWith('/')) segments = [];
    else if (pathPart === '' && !isLast) continue;
    else segments.pop(); // a base's last segment is a file name unless it ends with "/" (then it is "")
    const pieces = pathPart.split('/');
    for (const [i, piece] of pieces.entries()) {
      const last = i === pieces.length - 1;
      if (piece === '..') {
        if (segments.length === 0) return { kind: 'outside' };
        segments.pop();
        if (last) segments.push('');
      } else if (piece === '.') {
        if (last) segments.push('');
      } else if (piece === '' && !last) {
        continue;
      } else {
        segments.push(piece);
      }
    }
  }
  const filePath = segments
    .filter((s, i) => s !== '' || i === segments.length - 1)
    .map((s) => safeDecode(s).normalize('NFC'))
    .join('/');
  return { kind: 'local', path: filePath, suffix };
}

/** The launch URL stored in the model for a resolved reference. */
export function launchUrlOf(resolved: Extract<ResolvedHref, { kind: 'local' | 'external' }>): string {
  return resolved.kind === 'external' ? resolved.url : resolved.path + resolved.suffix;
}
