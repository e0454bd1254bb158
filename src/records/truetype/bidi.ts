/**
 * A reduced Unicode Bidirectional Algorithm (UAX #9) for one line of plain text: enough for a name, a title or a
 * table cell that mixes Arabic or Hebrew with Latin text and numbers to be drawn in reading order.
 *
 * Done: paragraph direction from the first strong character (P2, P3); non-spacing marks take their base's type
 * (W1); European digits after Arabic letters become Arabic numbers (W2); one separator between two numbers joins
 * them (W4) and percent or currency signs next to a number go with it (W5); digits after a Latin letter are Latin
 * (W7); bracket pairs take the direction of their content (N0, simplified); neutrals between two runs of one
 * direction take it, others the paragraph's (N1, N2); implicit levels
 * (I1, I2); reversal from the highest level (L2), and mirrored brackets in right-to-left runs (L4). A base
 * character and the marks that follow it are one unit, so marks stay after their base (L3).
 * Not done: explicit embeddings, overrides and isolates (LRE, RLO, LRI… are drawn as nothing special), and the
 * finer weak-type rules (W3, W6) — input is short, single-line text.
 */

type BidiClass = 'L' | 'R' | 'AL' | 'EN' | 'AN' | 'ES' | 'CS' | 'ET' | 'NSM' | 'ON';

const letter = /\p{L}/u;
const mark = /\p{M}/u;
const digit = /\p{Nd}/u;

export function bidiClassOf(code: number): BidiClass {
  if (code >= 0x30 && code <= 0x39) return 'EN';
  if (code >= 0x0660 && code <= 0x0669) return 'AN';
  if (code >= 0x06f0 && code <= 0x06f9) return 'EN';
  if (code === 0x2b || code === 0x2d || code === 0x2212) return 'ES';
  if (code === 0x2c || code === 0x2e || code === 0x2f || code === 0x3a || code === 0xa0) return 'CS';
  if (code === 0x23 || code === 0x24 || code === 0x25 || code === 0xb0 || code === 0x2030 || (code >= 0x20a0 && code <= 0x20cf) || code === 0xa3 || code === 0xa5) return 'ET';
  const char = String.fromCodePoint(code);
  if (mark.test(char)) return 'NSM';
  // Hebrew, NKo, Samaritan and the Hebrew presentation forms: R; Arabic, Syriac, Thaana and their forms: AL.
  if ((code >= 0x0590 && code <= 0x05ff) || (code >= 0x07c0 && code <= 0x085f) || (code >= 0xfb1d && code <= 0xfb4f)) return letter.test(char) || code === 0x05be ? 'R' : 'ON';
  if ((code >= 0x0600 && code <= 0x07bf) || (code >= 0x0860 && code <= 0x08ff) || (code >= 0xfb50 && code <= 0xfdff) || (code >= 0xfe70 && code <= 0xfefe)) {
    return letter.test(char) ? 'AL' : 'ON';
  }
  if (letter.test(char) || digit.test(char)) return 'L';
  return 'ON';
}

/** Mirrored glyphs for characters in right-to-left runs (BidiMirroring.txt, the common pairs). */
const MIRROR = new Map<number, number>([
  [0x28, 0x29], [0x29, 0x28], [0x3c, 0x3e], [0x3e, 0x3c], [0x5b, 0x5d], [0x5d, 0x5b], [0x7b, 0x7d], [0x7d, 0x7b],
  [0xab, 0xbb], [0xbb, 0xab], [0x2039, 0x203a], [0x203a, 0x2039],
]);

export const mirrorOf = (code: number): number => MIRROR.get(code) ?? code;

/** Opening brackets and their closing pairs (BidiBrackets.txt, the common ones). */
const OPENING = new Map<number, number>([[0x28, 0x29], [0x5b, 0x5d], [0x7b, 0x7d]]);

export interface BidiResult {
  /** Paragraph embedding level: 0 left-to-right, 1 right-to-left. */
  readonly paragraph: 0 | 1;
  /** Each unit's resolved level (odd: right-to-left). */
  readonly levels: readonly number[];
  /** Unit indices in visual order, left to right. */
  readonly order: readonly number[];
}

/**
 * Levels and visual order of a line's units, each given by the code point that decides its class (its base
 * character; a unit of marks only is NSM). `direction` forces the paragraph level; by default its first strong
 * character decides.
 */
export function resolveBidi(codes: readonly number[], direction?: 'ltr' | 'rtl'): BidiResult {
  const types = codes.map(bidiClassOf);
  const firstStrong = types.find((t) => t === 'L' || t === 'R' || t === 'AL');
  const paragraph: 0 | 1 = direction ? (direction === 'rtl' ? 1 : 0) : firstStrong === 'R' || firstStrong === 'AL' ? 1 : 0;
  const sos = paragraph === 1 ? 'R' : 'L';
  // W1: NSM takes the type of the previous unit.
  for (let i = 0; i < types.length; i++) if (types[i] === 'NSM') types[i] = i === 0 ? (sos as BidiClass) : types[i - 1]!;
  // W2 and W7: a European number takes the last strong type before it: AL makes it AN, L makes it L.
  let lastStrong: string = sos;
  for (let i = 0; i < types.length; i++) {
    const t = types[i]!;
    if (t === 'L' || t === 'R' || t === 'AL') lastStrong = t;
    else if (t === 'EN') {
      if (lastStrong === 'AL') types[i] = 'AN';
    }
  }
  for (let i = 0; i < types.length; i++) if (types[i] === 'AL') types[i] = 'R';
  // W4: a single separator between two numbers of one kind.
  for (let i = 1; i < types.length - 1; i++) {
    const [before, t, after] = [types[i - 1], types[i], types[i + 1]];
    if (t === 'ES' && before === 'EN' && after === 'EN') types[i] = 'EN';
    else if (t === 'CS' && before === after && (before === 'EN' || before === 'AN')) types[i] = before!;
  }
  // W5: terminators next to a European number.
  for (let i = 0; i < types.length; i++) {
    if (types[i] !== 'EN') continue;
    for (let j = i - 1; j >= 0 && types[j] === 'ET'; j--) types[j] = 'EN';
    for (let j = i + 1; j < types.length && types[j] === 'ET'; j++) types[j] = 'EN';
  }
  // W7 (after W5, as in the algorithm): EN with L as the last strong type becomes L.
  lastStrong = sos;
  for (let i = 0; i < types.length; i++) {
    const t = types[i]!;
    if (t === 'L' || t === 'R') lastStrong = t;
    else if (t === 'EN' && lastStrong === 'L') types[i] = 'L';
  }
  const strongDirection = (t: BidiClass | undefined, fallback: 'L' | 'R'): 'L' | 'R' => (t === undefined ? fallback : t === 'L' ? 'L' : 'R');
  const neutral = (t: BidiClass) => t === 'ES' || t === 'CS' || t === 'ET' || t === 'ON' || t === 'NSM';
  const embedding = paragraph === 1 ? 'R' : 'L';
  // N0 (BD16): a bracket pair takes the direction of what it encloses, so "مقابلة (2)" keeps its brackets together.
  const strongOf = (t: BidiClass): 'L' | 'R' | null => (t === 'L' ? 'L' : t === 'R' || t === 'EN' || t === 'AN' ? 'R' : null);
  const stack: Array<{ close: number; at: number }> = [];
  const pairs: Array<[number, number]> = [];
  codes.forEach((code, i) => {
    if (types[i] !== 'ON') return;
    const close = OPENING.get(code);
    if (close !== undefined) stack.push({ close, at: i });
    else {
      const open = stack.findLastIndex((entry) => entry.close === code);
      if (open >= 0) {
        pairs.push([stack[open]!.at, i]);
        stack.length = open;
      }
    }
  });
  pairs.sort((a, b) => a[0] - b[0]);
  for (const [open, close] of pairs) {
    const inside = types.slice(open + 1, close).map(strongOf).filter((d) => d !== null);
    if (inside.length === 0) continue;
    let direction: 'L' | 'R' = embedding;
    if (!inside.includes(embedding)) {
      let before: 'L' | 'R' = sos;
      for (let j = open - 1; j >= 0; j--) {
        const d = strongOf(types[j]!);
        if (d) {
          before = d;
          break;
        }
      }
      direction = before !== embedding ? before : embedding;
    }
    types[open] = direction;
    types[close] = direction;
  }
  // N1, N2: a run of neutrals takes the direction of its two sides when they agree (numbers count as R).
  for (let i = 0; i < types.length; i++) {
    if (!neutral(types[i]!)) continue;
    let end = i;
    while (end < types.length && neutral(types[end]!)) end++;
    const before = strongDirection(types[i - 1], sos);
    const after = strongDirection(types[end], sos);
    const resolved: BidiClass = before === after ? before : embedding;
    for (let j = i; j < end; j++) types[j] = resolved;
    i = end - 1;
  }
  // I1, I2.
  const levels = types.map((t) => {
    if (paragraph === 0) return t === 'R' ? 1 : t === 'AN' || t === 'EN' ? 2 : 0;
    return t === 'L' || t === 'EN' || t === 'AN' ? 2 : 1;
  });
  // L2: from the highest level down to the lowest odd one, reverse every run at that level or above.
  const order = codes.map((_, i) => i);
  const highest = Math.max(0, ...levels);
  const lowestOdd = Math.min(...levels.filter((l) => l % 2 === 1), highest + 1);
  for (let level = highest; level >= lowestOdd && level > 0; level--) {
    for (let i = 0; i < order.length; i++) {
      if (levels[order[i]!]! < level) continue;
      let end = i;
      while (end < order.length && levels[order[end]!]! >= level) end++;
      order.splice(i, end - i, ...order.slice(i, end).reverse());
      i = end;
    }
  }
  return { paragraph, levels, order };
}
