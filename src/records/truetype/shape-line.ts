/**
 * One line of text as glyphs of a TrueType font, in visual order: normalised to NFC (so "é" typed as e + accent is
 * the font's precomposed glyph), Arabic shaped (arabic-shaping.ts), reordered for right-to-left runs (bidi.ts),
 * mirrored brackets, and a replacement glyph for what the font cannot draw. Advances come from `hmtx`; no kerning.
 */
import { shapeArabic, isTransparent } from './arabic-shaping.js';
import { mirrorOf, resolveBidi } from './bidi.js';
import type { TrueTypeFont } from './truetype-font.js';

export interface PlacedGlyph {
  readonly glyph: number;
  /** The code point drawn: a joining form, a mirrored bracket, U+FFFD for a replaced character. */
  readonly code: number;
  /** The logical text this glyph stands for (ToUnicode), e.g. "لا" for the lam-alef ligature. */
  readonly text: string;
  /** Advance in font units. */
  readonly advance: number;
}

export interface ShapedLine {
  /** Glyphs left to right. */
  readonly glyphs: readonly PlacedGlyph[];
  /** Total advance in font units. */
  readonly width: number;
  /** The line as the reader reads it (NFC), for `/ActualText` when a character had to be replaced. */
  readonly text: string;
  /** True when right-to-left runs were reversed (or brackets mirrored): the glyphs are in visual order. */
  readonly reordered: boolean;
  /** Characters the font has no glyph for (drawn as the replacement glyph). */
  readonly missing: readonly string[];
}

/** U+FFFD REPLACEMENT CHARACTER, else "?". */
function replacementOf(font: TrueTypeFont): number {
  return font.has(0xfffd) ? font.glyphOf(0xfffd) : font.glyphOf(0x3f);
}

const isMark = (code: number) => isTransparent(code) || /\p{M}/u.test(String.fromCodePoint(code));
/** Zero-width and bidi formatting characters: drawn as nothing. */
const isFormat = (code: number) => code === 0x200b || code === 0x200c || code === 0x200d || code === 0xfeff || (code >= 0x200e && code <= 0x200f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) || code === 0xad;

export function shapeLine(font: TrueTypeFont, input: string): ShapedLine {
  // Control characters (tabs, line ends) as spaces: a line is one line.
  const text = input.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  const codes = [...text].map((c) => c.codePointAt(0)!).filter((code) => !isFormat(code));
  const shaped = shapeArabic(codes, font.has);
  // Units: a base with the marks that follow it.
  const units: Array<Array<{ code: number; text: string }>> = [];
  for (const piece of shaped) {
    if (isMark(piece.code) && units.length > 0) units.at(-1)!.push(piece);
    else units.push([piece]);
  }
  const { levels, order } = resolveBidi(units.map((unit) => unit[0]!.code));
  const missing: string[] = [];
  const replacement = replacementOf(font);
  const glyphs: PlacedGlyph[] = [];
  let reordered = false;
  order.forEach((index, position) => {
    if (index !== position) reordered = true;
    const rtl = levels[index]! % 2 === 1;
    for (const piece of units[index]!) {
      const code = rtl ? mirrorOf(piece.code) : piece.code;
      if (code !== piece.code) reordered = true;
      let glyph = font.glyphOf(code);
      let drawn = code;
      let pieceText = piece.text;
      if (glyph === 0 && !font.has(code)) {
        missing.push(piece.text);
        glyph = replacement;
        drawn = 0xfffd;
        pieceText = '\ufffd';
      } else if (code !== piece.code) pieceText = String.fromCodePoint(code);
      glyphs.push({ glyph, code: drawn, text: pieceText, advance: font.advanceOf(glyph) });
    }
  });
  return {
    glyphs,
    width: glyphs.reduce((sum, g) => sum + g.advance, 0),
    text: codes.map((code) => String.fromCodePoint(code)).join(''),
    reordered,
    missing,
  };
}
