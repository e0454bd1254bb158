/**
 * Safe extraction of an untrusted package (a zip, or a folder already unzipped) into a target
 * directory.
 *
 * Every entry is checked before a single byte is written: entry count, declared total size,
 * per-entry compression ratio, entry names (absolute paths, `..`, drive letters, backslashes,
 * NUL and control characters), symlinks and special files (Unix mode in the external
 * attributes), names that collide after Unicode NFC normalisation and case folding, and
 * encryption or compression methods we cannot inflate. Then entries are inflated one at a
 * time as streams, counting the bytes actually produced: an entry that inflates to more than
 * it declared (a lying header, the classic zip bomb) is stopped at once. Files are written
 * only below the target directory (the resolved path is checked), with `wx` so nothing is
 * ever overwritten.
 *
 * Memory: the archive is read from its file by `zip-reader.ts`, the central directory record by
 * record and each entry's bytes in 64 KiB chunks, and inflation is streamed in zlib's chunks: what
 * is held is bounded by those buffers and the list of entries (at most `maxEntries`), never by the
 * archive's or an entry's size.
 *
 * Names are decoded as the zip declares them: UTF-8 when general-purpose flag bit 11 is set,
 * otherwise code page 437 (APPNOTE.TXT 4.4.4 and appendix D).
 */
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { PackageRejected, type Problem } from './problem.js';
import { crc32, openZipArchive, ZipFormatError, type ZipArchive, type ZipEntry } from './zip-reader.js';

export interface ExtractLimits {
  /** Most entries (files and folders) an archive may hold. */
  readonly maxEntries: number;
  /** Most bytes all files together may hold once uncompressed. */
  readonly maxTotalBytes: number;
  /** Highest uncompressed/compressed ratio allowed for one entry (checked on entries of at least `ratioCheckMinBytes`). */
  readonly maxCompressionRatio: number;
  /** Entries smaller than this are not ratio-checked: a small file of blanks legitimately compresses 1000:1. */
  readonly ratioCheckMinBytes: number;
  /** Largest archive file accepted (disk space and time; memory does not grow with it). */
  readonly maxArchiveBytes: number;
  /** Longest entry path, in UTF-8 bytes. */
  readonly maxPathBytes: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = Object.freeze({
  maxEntries: 20_000,
  maxTotalBytes: 2 * 1024 ** 3,
  maxCompressionRatio: 200,
  ratioCheckMinBytes: 1024 * 1024,
  maxArchiveBytes: 2 * 1024 ** 3,
  maxPathBytes: 1024,
});

export interface ExtractedFiles {
  /** Paths of the files written, relative to the target directory, `/`-separated, NFC, sorted. */
  readonly files: string[];
  /** The single top-level folder that was taken as the package root, when there was one. */
  readonly rootFolder?: string;
  /** Junk entries that were skipped (`__MACOSX/…`, `.DS_Store`). */
  readonly ignored: string[];
  readonly warnings: Problem[];
}

/** One archive or folder entry after its name has been checked. */
interface PlannedEntry {
  /** Original name as decoded, for messages. */
  readonly displayName: string;
  /** Checked segments (NFC), before the root folder is stripped. */
  readonly segments: string[];
  readonly isDirectory: boolean;
}

const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Decodes a zip entry name: UTF-8 when flag bit 11 is set (invalid UTF-8 is an error), else CP437. */
export function decodeEntryName(raw: Uint8Array, utf8Flag: boolean): string | undefined {
  if (utf8Flag) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return undefined;
    }
  }
  let out = '';
  for (const byte of raw) out += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return out;
}

const JUNK_FOLDERS = new Set(['__macosx']);
const JUNK_FILES = new Set(['.ds_store']);

function isJunk(segments: readonly string[]): boolean {
  return JUNK_FOLDERS.has(segments[0]?.toLowerCase() ?? '') || JUNK_FILES.has(segments[segments.length - 1]?.toLowerCase() ?? '');
}

/** Case-folded, NFC-normalised key used to find names that would collide on a case-insensitive or normalising file system. */
export function collisionKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * Checks one entry name. Returns its segments, or a problem. Exported for tests.
 * A name is refused when it is absolute, has a drive letter, uses `\`, contains NUL or another
 * control character, climbs with `..`, has empty segments, or is too long.
 */
export function checkEntryName(name: string, archive: string, limits: Pick<ExtractLimits, 'maxPathBytes'> = DEFAULT_EXTRACT_LIMITS): { segments: string[]; isDirectory: boolean } | Problem {
  const at = { file: archive, element: name };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    return { ...at, element: JSON.stringify(name), code: 'zip-entry-name-invalid', message: `The entry ${JSON.stringify(name)} has a NUL or control character in its name.` };
  }
  if (name.includes('\\')) {
    return { ...at, code: 'zip-entry-backslash', message: `The entry "${name}" uses a backslash in its name; zip paths must use "/" (a backslash can be used to escape the folder on Windows).` };
  }
  if (name.startsWith('/')) {
    return { ...at, code: 'zip-entry-absolute-path', message: `The entry "${name}" has an absolute path; every path must be relative to the package.` };
  }
  if (/^[A-Za-z]:/.test(name)) {
    return { ...at, code: 'zip-entry-drive-letter', message: `The entry "${name}" starts with a drive letter; every path must be relative to the package.` };
  }
  if (Buffer.byteLength(name, 'utf8') > limits.maxPathBytes) {
    return { ...at, code: 'zip-entry-name-too-long', message: `The entry "${name.slice(0, 80)}…" has a path longer than ${limits.maxPathBytes} bytes.` };
  }
  const isDirectory = name.endsWith('/');
  const raw = (isDirectory ? name.slice(0, -1) : name).split('/');
  const segments: string[] = [];
  for (const segment of raw) {
    if (segment === '..') {
      return { ...at, code: 'zip-entry-path-traversal', message: `The entry "${name}" climbs out of the package with "..".` };
    }
    if (segment === '.') continue;
    if (segment === '') {
      return { ...at, code: 'zip-entry-name-invalid', message: `The entry "${name}" has an empty folder name ("//") in its path.` };
    }
    if (Buffer.byteLength(segment, 'utf8') > 255) {
      return { ...at, code: 'zip-entry-name-too-long', message: `The entry "${name.slice(0, 80)}…" has a file or folder name longer than 255 bytes.` };
    }
    segments.push(segment.normalize('NFC'));
  }
  if (segments.length === 0 && !isDirectory) {
    return { ...at, code: 'zip-entry-name-invalid', message: `The entry "${name}" has no file name.` };
  }
  return { segments, isDirectory };
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

/** Finds names that collide after NFC + case folding, and files that are also used as folders. */
function findCollisions(entries: readonly PlannedEntry[], archive: string): Problem[] {
  const problems: Problem[] = [];
  const files = new Map<string, string>();
  const folders = new Map<string, string>();
  for (const entry of entries) {
    const key = collisionKey(entry.segments.join('/'));
    if (!entry.isDirectory) {
      const earlier = files.get(key);
      if (earlier !== undefined) {
        problems.push({
          file: archive,
          element: entry.displayName,
          code: 'zip-entry-duplicate',
          message: `The entries "${earlier}" and "${entry.displayName}" have the same name once case and Unicode normalisation are ignored; one would overwrite the other.`,
        });
      } else files.set(key, entry.displayName);
    }
    const ancestors = entry.isDirectory ? entry.segments.length : entry.segments.length - 1;
    for (let i = 1; i <= ancestors; i += 1) {
      const folderKey = collisionKey(entry.segments.slice(0, i).join('/'));
      if (!folders.has(folderKey)) folders.set(folderKey, entry.displayName);
    }
  }
  for (const [key, name] of files) {
    if (folders.has(key)) {
      problems.push({ file: archive, element: name, code: 'zip-entry-duplicate', message: `"${name}" is both a file and a folder in this package.` });
    }
  }
  return problems;
}

/** The single top-level folder holding everything, when authoring tools wrapped the package in one. */
function commonRootFolder(entries: readonly PlannedEntry[]): string | undefined {
  let root: string | undefined;
  let hasFile = false;
  for (const entry of entries) {
    const first = entry.segments[0];
    if (first === undefined) continue;
    if (!entry.isDirectory) {
      hasFile = true;
      if (entry.segments.length === 1) return undefined;
    }
    if (root === undefined) root = first;
    else if (root !== first) return undefined;
  }
  return hasFile ? root : undefined;
}

function relativePath(entry: PlannedEntry, rootFolder: string | undefined): string {
  return (rootFolder === undefined ? entry.segments : entry.segments.slice(1)).join('/');
}

/** Resolves `relative` under `targetDir` and proves the result stays inside it. */
function destinationOf(targetDir: string, relative: string, archive: string, displayName: string): string {
  const dest = path.resolve(targetDir, ...relative.split('/'));
  const rel = path.relative(targetDir, dest);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new PackageRejected([{ file: archive, element: displayName, code: 'zip-entry-path-traversal', message: `The entry "${displayName}" would be written outside the package folder.` }]);
  }
  return dest;
}

async function ensureEmptyDirectory(targetDir: string): Promise<void> {
  await fsp.mkdir(targetDir, { recursive: true });
  const existing = await fsp.readdir(targetDir);
  if (existing.length > 0) throw new Error(`target directory ${targetDir} is not empty`);
}

/** Removes everything inside `targetDir` (the directory itself stays). */
export async function emptyDirectory(targetDir: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(targetDir);
  } catch {
    return;
  }
  await Promise.all(names.map((name) => fsp.rm(path.join(targetDir, name), { recursive: true, force: true })));
}

function limitsWith(overrides: Partial<ExtractLimits> | undefined): ExtractLimits {
  return { ...DEFAULT_EXTRACT_LIMITS, ...(overrides ?? {}) };
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

interface ZipPlanItem extends PlannedEntry {
  readonly entry: ZipEntry;
}

/**
 * Entries whose bytes overlap: each entry occupies at least its 30-byte local header and its
 * compressed bytes, and no two may share any. Overlapping entries are how a "non-recursive" zip
 * bomb (Fifield, 2019) inflates the same deflate stream many times over; no zip tool writes them.
 */
function findOverlaps(plan: readonly ZipPlanItem[], archive: string): Problem[] {
  const files = plan.filter((item) => !item.isDirectory).sort((a, b) => a.entry.localHeaderOffset - b.entry.localHeaderOffset);
  const problems: Problem[] = [];
  for (let i = 1; i < files.length; i += 1) {
    const before = files[i - 1];
    const item = files[i];
    if (before.entry.localHeaderOffset + 30 + before.entry.compressedSize > item.entry.localHeaderOffset) {
      problems.push({
        file: archive,
        element: item.displayName,
        code: 'zip-bomb',
        message: `The entries "${before.displayName}" and "${item.displayName}" share bytes in the archive; overlapping entries are a zip bomb.`,
      });
    }
  }
  return problems;
}

function notAZip(archive: string, error: ZipFormatError): PackageRejected {
  return new PackageRejected([{ file: archive, code: 'zip-invalid', message: `The file is not a readable zip archive (${error.message}).` }]);
}

/**
 * Extracts `zipPath` into `targetDir` (created if missing; must be empty). Throws
 * `PackageRejected` with every problem found; on any failure the target directory is left empty.
 */
export async function extractZip(zipPath: string, targetDir: string, overrides?: Partial<ExtractLimits>): Promise<ExtractedFiles> {
  const limits = limitsWith(overrides);
  const archive = path.basename(zipPath);
  const stat = await fsp.stat(zipPath);
  if (stat.size > limits.maxArchiveBytes) {
    throw new PackageRejected([{ file: archive, code: 'zip-too-large', message: `The package is ${formatBytes(stat.size)}; the largest accepted is ${formatBytes(limits.maxArchiveBytes)}.` }]);
  }
  let zip: ZipArchive;
  try {
    zip = await openZipArchive(zipPath);
  } catch (error) {
    if (error instanceof ZipFormatError) throw notAZip(archive, error);
    throw error;
  }
  try {
    return await extractOpenZip(zip, archive, targetDir, limits);
  } finally {
    await zip.close();
  }
}

async function extractOpenZip(zip: ZipArchive, archive: string, targetDir: string, limits: ExtractLimits): Promise<ExtractedFiles> {
  // The end record's count, before a single central directory record is read.
  if (zip.entryCount > limits.maxEntries) {
    throw new PackageRejected([{ file: archive, code: 'zip-too-many-entries', message: `The package has ${zip.entryCount} entries; at most ${limits.maxEntries} are accepted.` }]);
  }

  // Pass 1: check everything before writing anything.
  const problems: Problem[] = [];
  const plan: ZipPlanItem[] = [];
  const ignored: string[] = [];
  let declaredTotal = 0;
  try {
    for await (const entry of zip.entries()) {
      const name = decodeEntryName(entry.rawName, (entry.flags & 0x800) !== 0);
      if (name === undefined) {
        problems.push({ file: archive, element: entry.rawName.toString('latin1'), code: 'zip-entry-name-invalid', message: 'An entry is marked as UTF-8 but its name is not valid UTF-8.' });
        continue;
      }
      const checked = checkEntryName(name, archive, limits);
      if (isProblem(checked)) {
        problems.push(checked);
        continue;
      }
      if (isJunk(checked.segments)) {
        ignored.push(name);
        continue;
      }
      const mode = (entry.externalAttributes >>> 16) & 0xffff;
      const type = mode & S_IFMT;
      if (type === S_IFLNK) {
        problems.push({ file: archive, element: name, code: 'zip-entry-symlink', message: `The entry "${name}" is a symbolic link; links are refused because they can point outside the package.` });
        continue;
      }
      if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
        problems.push({ file: archive, element: name, code: 'zip-entry-special-file', message: `The entry "${name}" is not a regular file or folder.` });
        continue;
      }
      const isDirectory = checked.isDirectory || type === S_IFDIR;
      if (!isDirectory) {
        if ((entry.flags & 0x1) !== 0) {
          problems.push({ file: archive, element: name, code: 'zip-entry-encrypted', message: `The entry "${name}" is encrypted; password-protected packages cannot be imported.` });
          continue;
        }
        if (entry.method !== 0 && entry.method !== 8) {
          problems.push({ file: archive, element: name, code: 'zip-entry-unsupported-compression', message: `The entry "${name}" uses compression method ${entry.method}; only stored and deflated entries are supported. Re-create the zip with a standard tool.` });
          continue;
        }
        declaredTotal += entry.uncompressedSize;
        const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
        if (entry.uncompressedSize >= limits.ratioCheckMinBytes && ratio > limits.maxCompressionRatio) {
          problems.push({ file: archive, element: name, code: 'zip-bomb', message: `The entry "${name}" expands ${Math.round(ratio)} times (${formatBytes(entry.compressedSize)} to ${formatBytes(entry.uncompressedSize)}); more than ${limits.maxCompressionRatio} times looks like a zip bomb.` });
          continue;
        }
      }
      plan.push({ entry, displayName: name, segments: checked.segments, isDirectory });
    }
  } catch (error) {
    if (error instanceof ZipFormatError) throw notAZip(archive, error);
    throw error;
  }
  if (declaredTotal > limits.maxTotalBytes) {
    problems.push({ file: archive, code: 'zip-too-large-uncompressed', message: `The package would take ${formatBytes(declaredTotal)} once unzipped; at most ${formatBytes(limits.maxTotalBytes)} is accepted.` });
  }
  problems.push(...findCollisions(plan, archive));
  problems.push(...findOverlaps(plan, archive));
  if (problems.length > 0) throw new PackageRejected(problems);

  const rootFolder = commonRootFolder(plan);
  await ensureEmptyDirectory(targetDir);
  const root = path.resolve(targetDir);
  const files: string[] = [];
  // Pass 2: write, counting what is actually inflated.
  try {
    const budget = { remaining: limits.maxTotalBytes };
    for (const item of plan) {
      const relative = relativePath(item, rootFolder);
      if (relative === '') continue;
      const dest = destinationOf(root, relative, archive, item.displayName);
      if (item.isDirectory) {
        await fsp.mkdir(dest, { recursive: true });
        continue;
      }
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      await inflateEntry(zip, item, dest, archive, limits, budget);
      files.push(relative);
    }
  } catch (error) {
    await emptyDirectory(root);
    throw error;
  }
  files.sort();
  return {
    files,
    ignored,
    warnings: [],
    ...(rootFolder !== undefined ? { rootFolder } : {}),
  };
}

class InflateLimitError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

/** Writes all of `chunk` at the file's current position. */
async function writeAll(file: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length; ) offset += (await file.write(chunk, offset, chunk.length - offset)).bytesWritten;
}

/**
 * Inflates `chunks` through `inflater` into `sink`. Each input chunk is a view of a buffer the
 * reader reuses, so the next is asked for only once zlib has consumed this one (the write
 * callback); the sink's awaited writes hold zlib back in turn, so at most zlib's own buffers are in
 * flight.
 */
async function inflateChunks(chunks: AsyncIterable<Buffer>, inflater: zlib.InflateRaw, sink: (output: Buffer) => Promise<void>): Promise<void> {
  const drained = (async () => {
    for await (const output of inflater) await sink(output as Buffer);
  })();
  const endedEarly = drained.then(() => {
    throw new Error('the deflate stream ends before the entry does');
  });
  // Both are awaited below when it matters; these only keep a failure nobody waits for from being reported as unhandled.
  drained.catch(() => undefined);
  endedEarly.catch(() => undefined);
  try {
    for await (const chunk of chunks) {
      const written = new Promise<void>((resolve, reject) => inflater.write(chunk, (error) => (error ? reject(error) : resolve())));
      await Promise.race([written, endedEarly]);
    }
    inflater.end();
    await drained;
  } finally {
    inflater.destroy();
  }
}

async function inflateEntry(zip: ZipArchive, item: ZipPlanItem, dest: string, archive: string, limits: ExtractLimits, budget: { remaining: number }): Promise<void> {
  const { entry } = item;
  const declared = entry.uncompressedSize;
  const name = item.displayName;
  // The actual output is bounded by what the entry declared, by the ratio and by the total budget:
  // never trust the header alone. The compressed size is exact: the reader hands out no more.
  const ratioCap = Math.max(limits.ratioCheckMinBytes, entry.compressedSize * limits.maxCompressionRatio);
  const cap = Math.min(declared, ratioCap, budget.remaining);
  let written = 0;
  let crc = 0;
  const output = await fsp.open(dest, 'wx', 0o644);
  const sink = async (chunk: Buffer): Promise<void> => {
    written += chunk.length;
    if (written > cap) {
      const message =
        written > declared
          ? `The entry "${name}" inflates to more than the ${formatBytes(declared)} it declares; the archive lies about its sizes (a zip bomb).`
          : written > budget.remaining
            ? `The package inflates to more than ${formatBytes(limits.maxTotalBytes)}.`
            : `The entry "${name}" expands more than ${limits.maxCompressionRatio} times; this looks like a zip bomb.`;
      throw new InflateLimitError({ file: archive, element: name, code: 'zip-bomb', message });
    }
    crc = crc32(chunk, crc);
    await writeAll(output, chunk);
  };
  try {
    const chunks = zip.readCompressed(entry);
    if (entry.method === 8) await inflateChunks(chunks, zlib.createInflateRaw(), sink);
    else for await (const chunk of chunks) await sink(chunk);
  } catch (error) {
    if (error instanceof InflateLimitError) throw new PackageRejected([error.problem]);
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof ZipFormatError) throw new PackageRejected([{ file: archive, element: name, code: 'zip-entry-corrupt', message: `The entry "${name}" cannot be read (${reason}).` }]);
    throw new PackageRejected([{ file: archive, element: name, code: 'zip-entry-corrupt', message: `The entry "${name}" is damaged and cannot be unzipped (${reason}).` }]);
  } finally {
    await output.close();
  }
  if (written !== declared) {
    throw new PackageRejected([{ file: archive, element: name, code: 'zip-entry-corrupt', message: `The entry "${name}" holds ${written} bytes but declares ${declared}; the archive is damaged.` }]);
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) {
    throw new PackageRejected([{ file: archive, element: name, code: 'zip-entry-corrupt', message: `The entry "${name}" fails its CRC check; the archive is damaged.` }]);
  }
  budget.remaining -= written;
}

/**
 * Copies an unzipped package folder into `targetDir` with the same rules as a zip: no symlinks
 * or special files, the same name checks, entry and size limits, junk skipped, a single
 * wrapping folder taken as the root.
 */
export async function copyPackageDirectory(sourceDir: string, targetDir: string, overrides?: Partial<ExtractLimits>): Promise<ExtractedFiles> {
  const limits = limitsWith(overrides);
  const label = path.basename(sourceDir);
  const source = path.resolve(sourceDir);
  const problems: Problem[] = [];
  const plan: (PlannedEntry & { readonly sourcePath: string })[] = [];
  const ignored: string[] = [];
  let total = 0;
  let count = 0;
  const walk = async (dir: string, prefix: string[]): Promise<void> => {
    const dirents = await fsp.readdir(dir, { withFileTypes: true });
    for (const dirent of dirents) {
      count += 1;
      if (count > limits.maxEntries) {
        throw new PackageRejected([{ file: label, code: 'zip-too-many-entries', message: `The package folder has more than ${limits.maxEntries} entries.` }]);
      }
      const displayName = [...prefix, dirent.name].join('/');
      const full = path.join(dir, dirent.name);
      const checked = checkEntryName(dirent.isDirectory() ? `${displayName}/` : displayName, label, limits);
      if (isProblem(checked)) {
        problems.push(checked);
        continue;
      }
      if (isJunk(checked.segments)) {
        ignored.push(displayName);
        continue;
      }
      const stat = await fsp.lstat(full);
      if (stat.isSymbolicLink()) {
        problems.push({ file: label, element: displayName, code: 'zip-entry-symlink', message: `"${displayName}" is a symbolic link; links are refused because they can point outside the package.` });
      } else if (stat.isDirectory()) {
        plan.push({ displayName, segments: checked.segments, isDirectory: true, sourcePath: full });
        await walk(full, [...prefix, dirent.name]);
      } else if (stat.isFile()) {
        total += stat.size;
        plan.push({ displayName, segments: checked.segments, isDirectory: false, sourcePath: full });
      } else {
        problems.push({ file: label, element: displayName, code: 'zip-entry-special-file', message: `"${displayName}" is not a regular file or folder.` });
      }
    }
  };
  await walk(source, []);
  if (total > limits.maxTotalBytes) {
    problems.push({ file: label, code: 'zip-too-large-uncompressed', message: `The package folder holds ${formatBytes(total)}; at most ${formatBytes(limits.maxTotalBytes)} is accepted.` });
  }
  problems.push(...findCollisions(plan, label));
  if (problems.length > 0) throw new PackageRejected(problems);
  const rootFolder = commonRootFolder(plan);
  await ensureEmptyDirectory(targetDir);
  const root = path.resolve(targetDir);
  const files: string[] = [];
  try {
    for (const item of plan) {
      const relative = relativePath(item, rootFolder);
      if (relative === '') continue;
      const dest = destinationOf(root, relative, label, item.displayName);
      if (item.isDirectory) await fsp.mkdir(dest, { recursive: true });
      else {
        await fsp.mkdir(path.dirname(dest), { recursive: true });
        await fsp.copyFile(item.sourcePath, dest, fs.constants.COPYFILE_EXCL);
        files.push(relative);
      }
    }
  } catch (error) {
    await emptyDirectory(root);
    throw error;
  }
  files.sort();
  return { files, ignored, warnings: [], ...(rootFolder !== undefined ? { rootFolder } : {}) };
}
