/**
 * Arabic contextual shaping without a layout engine: each letter is replaced by its isolated, final, initial or
 * medial form from the Arabic Presentation Forms-B block (U+FE70–U+FEFF; Persian and Urdu letters from
 * Presentation Forms-A), and lam followed by an alef becomes the lam-alef ligature (U+FEF5–U+FEFC), the one
 * ligature Arabic script requires. Joining follows Unicode's ArabicShaping.txt (types D, R, U, C, T) for the
 * letters listed here; a letter not listed does not join and is drawn as it is.
 *
 * Not done (it would need the font's GSUB and GPOS tables): optional ligatures, mark positioning (harakat are
 * drawn with the font's default offset over their letter), kashida justification, and the forms the
 * presentation blocks lack (e.g. initial and medial alef maksura, which is therefore treated as right-joining).
 */

/** Forms in order isolated, final, initial, medial; 1 form: non-joining, 2: right-joining, 4: dual-joining. */
const FORMS = new Map<number, readonly number[]>();

// U+0621–U+064A are laid out in Presentation Forms-B in code order from U+FE80, 1, 2 or 4 forms each.
const BASIC: ReadonlyArray<readonly [number, 1 | 2 | 4]> = [
  [0x0621, 1], [0x0622, 2], [0x0623, 2], [0x0624, 2], [0x0625, 2], [0x0626, 4], [0x0627, 2], [0x0628, 4], [0x0629, 2],
  [0x062a, 4], [0x062b, 4], [0x062c, 4], [0x062d, 4], [0x062e, 4], [0x062f, 2], [0x0630, 2], [0x0631, 2], [0x0632, 2],
  [0x0633, 4], [0x0634, 4], [0x0635, 4], [0x0636, 4], [0x0637, 4], [0x0638, 4], [0x0639, 4], [0x063a, 4], [0x0641, 4],
  [0x0642, 4], [0x0643, 4], [0x0644, 4], [0x0645, 4], [0x0646, 4], [0x0647, 4], [0x0648, 2], [0x0649, 2], [0x064a, 4],
];
{
  let next = 0xfe80;
  for (const [letter, count] of BASIC) {
    FORMS.set(letter, Array.from({ length: count }, (_, i) => next + i));
    next += count;
  }
}
// Presentation Forms-A: the letters Persian, Urdu, Pashto and Kurdish add most often.
for (const [letter, first, count] of [
  [0x067e, 0xfb56, 4], // peh
  [0x0686, 0xfb7a, 4], // tcheh
  [0x0698, 0xfb8a, 2], // jeh
  [0x06a9, 0xfb8e, 4], // keheh
  [0x06af, 0xfb92, 4], // gaf
  [0x06cc, 0xfbfc, 4], // farsi yeh
  [0x0679, 0xfb66, 4], // tteh
  [0x0688, 0xfb88, 2], // ddal
  [0x0691, 0xfb8c, 2], // rreh
  [0x06ba, 0xfb9e, 2], // noon ghunna
  [0x06be, 0xfbaa, 4], // heh doachashmee
  [0x06c1, 0xfba6, 4], // heh goal
  [0x06d2, 0xfbae, 2], // yeh barree
] as const) {
  FORMS.set(letter, Array.from({ length: count }, (_, i) => first + i));
}

/** Lam + alef (madda, hamza above, hamza below, plain): isolated and final ligature forms. */
const LAM = 0x0644;
const LAM_ALEF = new Map<number, readonly [number, number]>([
  [0x0622, [0xfef5, 0xfef6]],
  [0x0623, [0xfef7, 0xfef8]],
  [0x0625, [0xfef9, 0xfefa]],
  [0x0627, [0xfefb, 0xfefc]],
]);

const TATWEEL = 0x0640;
const ZWJ = 0x200d;

/** Transparent to joining: Arabic marks (harakat, Quranic marks, superscript alef) and other combining marks. */
export function isTransparent(code: number): boolean {
  return (
    (code >= 0x0610 && code <= 0x061a) ||
    (code >= 0x064b && code <= 0x065f) ||
    code === 0x0670 ||
    (code >= 0x06d6 && code <= 0x06dc) ||
    (code >= 0x06df && code <= 0x06e4) ||
    (code >= 0x06e7 && code <= 0x06e8) ||
    (code >= 0x06ea && code <= 0x06ed) ||
    (code >= 0x0300 && code <= 0x036f)
  );
}

type Joining = 'dual' | 'right' | 'causing' | 'none';

function joiningOf(code: number): Joining {
  if (code === TATWEEL || code === ZWJ) return 'causing';
  const forms = FORMS.get(code);
  if (!forms || forms.length === 1) return 'none';
  return forms.length === 4 ? 'dual' : 'right';
}

/** One shaped piece: the code point to draw and the logical text it stands for (two letters for lam-alef). */
export interface ShapedChar {
  readonly code: number;
  readonly text: string;
}

/**
 * Code points in logical order, shaped: presentation forms the font has (`has`), else the letter as it is.
 * Characters outside Arabic pass through unchanged.
 */
export function shapeArabic(codes: readonly number[], has: (code: number) => boolean): ShapedChar[] {
  const joining = codes.map(joiningOf);
  // The nearest non-transparent neighbour on each side, for joining across harakat.
  const neighbour = (i: number, step: 1 | -1): number => {
    for (let j = i + step; j >= 0 && j < codes.length; j += step) if (!isTransparent(codes[j]!)) return j;
    return -1;
  };
  const joinsBefore = (i: number) => {
    const before = neighbour(i, -1);
    return before >= 0 && (joining[before] === 'dual' || joining[before] === 'causing');
  };
  const joinsAfter = (i: number) => {
    const after = neighbour(i, 1);
    return after >= 0 && joining[after] !== 'none';
  };
  const out: ShapedChar[] = [];
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    const text = String.fromCodePoint(code);
    const forms = FORMS.get(code);
    if (!forms || forms.length === 1) {
      out.push({ code: forms && has(forms[0]!) ? forms[0]! : code, text });
      continue;
    }
    const previous = joinsBefore(i) && (joining[i] === 'dual' || joining[i] === 'right');
    if (code === LAM) {
      const after = neighbour(i, 1);
      // Only when no mark stands between them (a mark on the lam would be lost in the ligature).
      const ligature = after === i + 1 ? LAM_ALEF.get(codes[after]!) : undefined;
      if (ligature && has(ligature[previous ? 1 : 0])) {
        out.push({ code: ligature[previous ? 1 : 0], text: text + String.fromCodePoint(codes[after]!) });
        i = after;
        continue;
      }
    }
    const next = joining[i] === 'dual' && joinsAfter(i);
    const form = forms.length === 4 ? (previous ? (next ? 3 : 1) : next ? 2 : 0) : previous ? 1 : 0;
    const chosen = forms[form]!;
    out.push({ code: has(chosen) ? chosen : code, text });
  }
  return out;
}
