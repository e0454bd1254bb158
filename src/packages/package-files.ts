/**
 * Read access to the files of an extracted package, as parsers need it: does a file exist
 * (exactly, or only with another case), and read a small descriptor. Paths are relative to
 * the package root, `/`-separated, NFC.
 */
import fs from 'node:fs';
import path from 'node:path';
import { collisionKey } from './safe-extract.js';

export interface PackageFiles {
  /** Every file, relative to the package root. */
  readonly list: readonly string[];
  has(relative: string): boolean;
  /** The stored name when `relative` exists only with another case or normalisation. */
  findLoose(relative: string): string | undefined;
  /** Reads a file; undefined when it does not exist or is larger than `maxBytes`. */
  read(relative: string, maxBytes: number): Buffer | undefined;
  /** Size in bytes, or undefined when absent. */
  size(relative: string): number | undefined;
}

function normalise(relative: string): string {
  return relative.normalize('NFC');
}

/** Files on disk under `root`, limited to the `list` the extractor wrote (nothing else is ever read). */
export function directoryFiles(root: string, list: readonly string[]): PackageFiles {
  const exact = new Set(list.map(normalise));
  const loose = new Map(list.map((f) => [collisionKey(f), f]));
  const resolveInside = (relative: string): string | undefined => {
    const rel = normalise(relative);
    if (!exact.has(rel)) return undefined;
    const full = path.resolve(root, ...rel.split('/'));
    return full.startsWith(path.resolve(root) + path.sep) ? full : undefined;
  };
  return {
    list,
    has: (relative) => exact.has(normalise(relative)),
    findLoose: (relative) => (exact.has(normalise(relative)) ? undefined : loose.get(collisionKey(relative))),
    size(relative) {
      const full = resolveInside(relative);
      return full === undefined ? undefined : fs.statSync(full).size;
    },
    read(relative, maxBytes) {
      const full = resolveInside(relative);
      if (full === undefined) return undefined;
      if (fs.statSync(full).size > maxBytes) return undefined;
      return fs.readFileSync(full);
    },
  };
}

/** In-memory files, for parser tests and bare descriptors. */
export function memoryFiles(contents: Readonly<Record<string, string | Buffer>>): PackageFiles {
  const entries = new Map(Object.entries(contents).map(([k, v]) => [normalise(k), typeof v === 'string' ? Buffer.from(v, 'utf8') : v]));
  const loose = new Map([...entries.keys()].map((f) => [collisionKey(f), f]));
  return {
    list: [...entries.keys()].sort(),
    has: (relative) => entries.has(normalise(relative)),
    findLoose: (relative) => (entries.has(normalise(relative)) ? undefined : loose.get(collisionKey(relative))),
    size: (relative) => entries.get(normalise(relative))?.length,
    read(relative, maxBytes) {
      const data = entries.get(normalise(relative));
      return data === undefined || data.length > maxBytes ? undefined : data;
    },
  };
}
