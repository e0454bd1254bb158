/**
 * The fonts the PDFs embed: DejaVu Sans and DejaVu Sans Bold from the `dejavu-fonts-ttf` package (Bitstream Vera
 * licence, DejaVu changes in the public domain: free to embed and redistribute, modified copies renamed; a subset
 * named "ABCDEF+DejaVuSans" is not called Bitstream or Vera, and keeps the copyright in its `name` table). Latin,
 * Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic; no CJK, Indic or Thai. Read and parsed once per process,
 * on first use (about 750 kB each, a few milliseconds).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FontFormatError, parseTrueType, type TrueTypeFont } from './truetype-font.js';

export type FontWeight = 'regular' | 'bold';

const files: Readonly<Record<FontWeight, string>> = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' };
const loaded = new Map<FontWeight, TrueTypeFont>();
const require = createRequire(import.meta.url);

export function fontPath(weight: FontWeight): string {
  return require.resolve(`dejavu-fonts-ttf/ttf/${files[weight]}`);
}

export function embeddedFont(weight: FontWeight): TrueTypeFont {
  let font = loaded.get(weight);
  if (!font) {
    font = parseTrueType(readFileSync(fontPath(weight)));
    // OS/2 fsType bit 1: "restricted licence embedding" forbids embedding at all.
    if ((font.embeddingFlags & 0x000f) === 0x0002) throw new FontFormatError(`${font.postScriptName} may not be embedded (OS/2 fsType)`);
    loaded.set(weight, font);
  }
  return font;
}
