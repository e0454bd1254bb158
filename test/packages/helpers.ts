/**
 * Test helpers for the packages context: a raw zip writer that can lie (names, sizes, CRCs,
 * flags, Unix modes are all under the test's control, which no zip library allows), and
 * temporary directories that tap removes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Test } from 'tap';
import { inspectPackage, type InspectOptions, type InspectResult } from '../../src/packages/index.js';
import { sharedFixture } from '../fixtures/shared-fixtures.js';

export interface RawEntry {
  /** Name as a string (UTF-8 encoded) or raw bytes. */
  readonly name: string | Buffer;
  readonly data?: Buffer | string;
  /** 0 stored, 8 deflated (default 8 for data, 0 for directories). */
  readonly method?: number;
  /** General-purpose flags; bit 11 (0x800) is set automatically for string names unless given. */
  readonly flags?: number;
  /** Unix mode (e.g. 0o120777 for a symlink), stored in the external attributes' high 16 bits. */
  readonly unixMode?: number;
  /** Override the declared uncompressed size (to lie). */
  readonly declaredSize?: number;
  /** Override the CRC-32. */
  readonly crc?: number;
  /** Pre-compressed bytes (with `declaredSize`), to avoid compressing huge inputs in the test. */
  readonly compressed?: Buffer;
}

/** Builds a zip archive byte by byte (APPNOTE.TXT 4.3), without ZIP64. */
export function buildZip(entries: readonly RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const nameBytes = typeof entry.name === 'string' ? Buffer.from(entry.name, 'utf8') : entry.name;
    const data = entry.data === undefined ? Buffer.alloc(0) : Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data, 'utf8');
    const method = entry.method ?? (entry.compressed !== undefined || data.length > 0 ? 8 : 0);
    const compressed = entry.compressed ?? (method === 8 ? zlib.deflateRawSync(data) : data);
    const crc = entry.crc ?? zlib.crc32(data);
    const size = entry.declaredSize ?? data.length;
    const flags = entry.flags ?? (typeof entry.name === 'string' ? 0x800 : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0, 10);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBytes, compressed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(entry.unixMode !== undefined ? (3 << 8) | 20 : 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(entry.unixMode !== undefined ? (entry.unixMode << 16) >>> 0 : 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + compressed.length;
  }
  const centralDir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDir, end]);
}

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(t: Test, prefix = 'cadet-pkg-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a zip into a temporary directory and returns its path. */
export function writeZip(t: Test, entries: readonly RawEntry[], name = 'package.zip'): string {
  const file = path.join(tempDir(t, 'cadet-zip-'), name);
  fs.writeFileSync(file, buildZip(entries));
  return file;
}

/** Every path under `dir`, relative, sorted (empty when `dir` does not exist). */
export function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split(path.sep).join('/')).sort();
}

/** Imports a shared fixture into a fresh target directory (which does not exist yet). */
export async function inspectFixture(t: Test, relative: string, options: InspectOptions = {}): Promise<{ result: InspectResult; target: string }> {
  const target = path.join(tempDir(t), 'course');
  const file = sharedFixture(...relative.split('/'));
  const source = file.endsWith('.zip') ? { zipPath: file } : { xmlPath: file };
  const result = await inspectPackage(source, target, options);
  return { result, target };
}

/** Title texts of the units, in order. */
export function unitTitles(result: InspectResult): string[] {
  return result.ok ? result.model.units.map((u) => Object.values(u.title)[0] ?? '') : [];
}
