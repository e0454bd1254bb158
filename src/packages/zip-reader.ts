/**
 * A streaming reader of zip archives (APPNOTE.TXT 6.3.10): the structure only, no policy. It
 * lists the central directory and hands out each entry's compressed bytes as a stream; what an
 * entry may contain, and inflating it, is `safe-extract.ts`'s business.
 *
 * Memory is bounded by the buffers it reads with (64 KiB, or one central directory record of at
 * most 46 + 3 × 65,535 bytes), never by the archive's size: the archive is read from its file
 * handle, record by record and chunk by chunk. adm-zip, which this replaces, read the whole
 * archive into one Buffer.
 *
 * The central directory is authoritative for every field (names, sizes, flags, method, CRC);
 * a local header is read only for the length of its own name and extra field, which may differ
 * from the central ones (APPNOTE 4.3.7, 4.4.10-11), to find where the entry's bytes start.
 */
import fsp, { type FileHandle } from 'node:fs/promises';
import zlib from 'node:zlib';

/** Size of the reads from the archive, and so the largest compressed chunk handed out. */
export const READ_CHUNK_BYTES = 64 * 1024;

const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50;
const END_OF_CENTRAL_DIRECTORY_BYTES = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_BYTES = 20;
const ZIP64_END_SIGNATURE = 0x06064b50;
const ZIP64_END_BYTES = 56;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const CENTRAL_HEADER_BYTES = 46;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;
const ZIP64_EXTRA_FIELD_ID = 0x0001;
/** The end record's comment is at most 65,535 bytes, so the record lies in the file's last 64 KiB + 22 bytes (APPNOTE 4.3.16). */
const MAX_COMMENT_BYTES = 0xffff;
const SATURATED_16 = 0xffff;
const SATURATED_32 = 0xffffffff;

/** The archive's structure is broken or uses something this reader does not support (spanning). */
export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

/** One central directory record, with ZIP64 values already substituted. */
export interface ZipEntry {
  /** Position in the central directory, from 0. */
  readonly index: number;
  /** The name's bytes, undecoded: UTF-8 when flag bit 11 is set, else CP437 (APPNOTE 4.4.4, appendix D). */
  readonly rawName: Buffer;
  /** General-purpose bit flags: bit 0 encrypted, bit 3 data descriptor, bit 11 UTF-8 name. */
  readonly flags: number;
  /** Compression method: 0 stored, 8 deflated, anything else unsupported here. */
  readonly method: number;
  /** CRC-32 of the uncompressed content, unsigned. */
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Version made by (high byte: host system, 3 = Unix). */
  readonly versionMadeBy: number;
  /** External file attributes; on Unix the high 16 bits are the file's mode (type and permissions). */
  readonly externalAttributes: number;
  /** Where the entry's local header starts in the file. */
  readonly localHeaderOffset: number;
}

export interface ZipArchive {
  /** Size of the archive file in bytes. */
  readonly fileBytes: number;
  /** Entries the end record declares (before any is read, so a limit can refuse the archive cheaply). */
  readonly entryCount: number;
  /** Where the central directory starts: every entry's bytes must end before it. */
  readonly centralDirectoryOffset: number;
  /**
   * The central directory's records in order, read from the file one block at a time; holding
   * them is the caller's choice. Throws `ZipFormatError` on a damaged record, or when the
   * directory holds fewer or more records than declared.
   */
  entries(): AsyncGenerator<ZipEntry, void, undefined>;
  /**
   * The entry's compressed bytes, exactly `compressedSize` of them, read from the file as they are
   * asked for, in chunks of at most `READ_CHUNK_BYTES`. Every chunk is a view of one buffer that the
   * next read overwrites: finish with a chunk (await the write that consumes it) before asking for
   * the next. Reads the local header first and throws `ZipFormatError` when it is not one, when the
   * bytes would run into the central directory, or when the file ends early.
   */
  readCompressed(entry: ZipEntry): AsyncGenerator<Buffer, void, undefined>;
  /** Closes the file; streams handed out must be finished or destroyed first. */
  close(): Promise<void>;
}

/** Reads `length` bytes at `position`, failing when the file is shorter. */
async function readExactly(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) throw new ZipFormatError(`the file ends at byte ${position + filled}, before the ${length} bytes expected at ${position}`);
    filled += bytesRead;
  }
  return buffer;
}

/** A 64-bit field as a safe integer; larger values are no archive we can read. */
function readUInt64(buffer: Buffer, offset: number, field: string): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError(`its ${field} (${value}) is out of range`);
  return Number(value);
}

interface EndOfCentralDirectory {
  readonly entryCount: number;
  readonly centralDirectoryBytes: number;
  readonly centralDirectoryOffset: number;
  /** Where the records that follow the central directory start (the ZIP64 end record, or the end record). */
  readonly endOffset: number;
}

/** Finds the end of central directory record, and the ZIP64 one when the classic fields are saturated (APPNOTE 4.3.14-16). */
async function readEndOfCentralDirectory(handle: FileHandle, fileBytes: number): Promise<EndOfCentralDirectory> {
  if (fileBytes < END_OF_CENTRAL_DIRECTORY_BYTES) throw new ZipFormatError(`it is ${fileBytes} bytes, shorter than the smallest zip`);
  const tailBytes = Math.min(fileBytes, MAX_COMMENT_BYTES + END_OF_CENTRAL_DIRECTORY_BYTES);
  const tailStart = fileBytes - tailBytes;
  const tail = await readExactly(handle, tailStart, tailBytes);
  // Searched backwards: the record nearest the end whose comment fits in the file is the one.
  let at = -1;
  for (let i = tailBytes - END_OF_CENTRAL_DIRECTORY_BYTES; i >= 0; i -= 1) {
    if (tail.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY_SIGNATURE && i + END_OF_CENTRAL_DIRECTORY_BYTES + tail.readUInt16LE(i + 20) <= tailBytes) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new ZipFormatError('no end of central directory record was found');
  const diskNumber = tail.readUInt16LE(at + 4);
  const centralDirectoryDisk = tail.readUInt16LE(at + 6);
  const entriesOnDisk = tail.readUInt16LE(at + 8);
  const end = {
    diskNumber,
    centralDirectoryDisk,
    entriesOnDisk,
    entryCount: tail.readUInt16LE(at + 10),
    centralDirectoryBytes: tail.readUInt32LE(at + 12),
    centralDirectoryOffset: tail.readUInt32LE(at + 16),
    endOffset: tailStart + at,
  };
  const saturated =
    diskNumber === SATURATED_16 ||
    centralDirectoryDisk === SATURATED_16 ||
    entriesOnDisk === SATURATED_16 ||
    end.entryCount === SATURATED_16 ||
    end.centralDirectoryBytes === SATURATED_32 ||
    end.centralDirectoryOffset === SATURATED_32;
  if (saturated) {
    // APPNOTE 4.3.15: the ZIP64 locator sits right before the classic end record.
    const locatorOffset = end.endOffset - ZIP64_LOCATOR_BYTES;
    if (locatorOffset < 0) throw new ZipFormatError('its end record needs ZIP64 values but there is no room for a ZIP64 locator');
    const locator = await readExactly(handle, locatorOffset, ZIP64_LOCATOR_BYTES);
    if (locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE) throw new ZipFormatError('its end record needs ZIP64 values but the ZIP64 locator is missing');
    if (locator.readUInt32LE(16) > 1) throw new ZipFormatError('it is split over several disks (a spanned archive)');
    const recordOffset = readUInt64(locator, 8, 'ZIP64 end record offset');
    if (recordOffset + ZIP64_END_BYTES > locatorOffset) throw new ZipFormatError('its ZIP64 locator points past itself');
    const record = await readExactly(handle, recordOffset, ZIP64_END_BYTES);
    if (record.readUInt32LE(0) !== ZIP64_END_SIGNATURE) throw new ZipFormatError('its ZIP64 locator does not point to a ZIP64 end record');
    if (diskNumber === SATURATED_16) end.diskNumber = record.readUInt32LE(16);
    if (centralDirectoryDisk === SATURATED_16) end.centralDirectoryDisk = record.readUInt32LE(20);
    if (entriesOnDisk === SATURATED_16) end.entriesOnDisk = readUInt64(record, 24, 'ZIP64 entry count on this disk');
    if (end.entryCount === SATURATED_16) end.entryCount = readUInt64(record, 32, 'ZIP64 entry count');
    if (end.centralDirectoryBytes === SATURATED_32) end.centralDirectoryBytes = readUInt64(record, 40, 'ZIP64 central directory size');
    if (end.centralDirectoryOffset === SATURATED_32) end.centralDirectoryOffset = readUInt64(record, 48, 'ZIP64 central directory offset');
    end.endOffset = recordOffset;
  }
  if (end.diskNumber !== 0 || end.centralDirectoryDisk !== 0 || end.entriesOnDisk !== end.entryCount) {
    throw new ZipFormatError('it is split over several disks (a spanned archive)');
  }
  if (end.centralDirectoryOffset + end.centralDirectoryBytes > end.endOffset) {
    throw new ZipFormatError(`its central directory (${end.centralDirectoryBytes} bytes at ${end.centralDirectoryOffset}) runs past the end record at ${end.endOffset}`);
  }
  if (end.entryCount * CENTRAL_HEADER_BYTES > end.centralDirectoryBytes) {
    throw new ZipFormatError(`it declares ${end.entryCount} entries but its central directory of ${end.centralDirectoryBytes} bytes cannot hold them`);
  }
  return end;
}

/**
 * Sequential reads of the byte range [start, end) of a file through one buffer of
 * `READ_CHUNK_BYTES`, grown only for a record larger than that. `take(n)` returns a view that is
 * valid until the next call.
 */
function sequentialReader(handle: FileHandle, start: number, end: number) {
  let buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  let next = 0;
  let filled = 0;
  let position = start;
  return {
    async take(length: number): Promise<Buffer> {
      if (filled - next < length) {
        const kept = filled - next;
        if (length > buffer.length) {
          const larger = Buffer.allocUnsafe(length);
          buffer.copy(larger, 0, next, filled);
          buffer = larger;
        } else buffer.copyWithin(0, next, filled);
        next = 0;
        filled = kept;
        while (filled < length) {
          const want = Math.min(buffer.length - filled, end - position);
          if (want <= 0) throw new ZipFormatError('its central directory ends in the middle of a record');
          const { bytesRead } = await handle.read(buffer, filled, want, position);
          if (bytesRead === 0) throw new ZipFormatError('the file ends inside its central directory');
          filled += bytesRead;
          position += bytesRead;
        }
      }
      const view = buffer.subarray(next, next + length);
      next += length;
      return view;
    },
    /** Bytes of the range not taken yet. */
    remaining: (): number => end - position + (filled - next),
  };
}

/** Replaces saturated sizes and offset by the ZIP64 extended information extra field's values (APPNOTE 4.5.3). */
function applyZip64Extra(extra: Buffer, fields: { uncompressedSize: number; compressedSize: number; localHeaderOffset: number; diskStart: number }): void {
  const needed = [fields.uncompressedSize === SATURATED_32, fields.compressedSize === SATURATED_32, fields.localHeaderOffset === SATURATED_32, fields.diskStart === SATURATED_16];
  if (!needed.includes(true)) return;
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const size = extra.readUInt16LE(at + 2);
    const data = extra.subarray(at + 4, at + 4 + size);
    at += 4 + size;
    if (id !== ZIP64_EXTRA_FIELD_ID) continue;
    // The values appear in this order, each only when its classic field is saturated.
    let offset = 0;
    const take = (bytes: 8 | 4, field: string): number => {
      if (offset + bytes > data.length) throw new ZipFormatError(`an entry's ZIP64 extra field is too short for its ${field}`);
      const value = bytes === 8 ? readUInt64(data, offset, field) : data.readUInt32LE(offset);
      offset += bytes;
      return value;
    };
    if (needed[0]) fields.uncompressedSize = take(8, 'uncompressed size');
    if (needed[1]) fields.compressedSize = take(8, 'compressed size');
    if (needed[2]) fields.localHeaderOffset = take(8, 'local header offset');
    if (needed[3]) fields.diskStart = take(4, 'disk number');
    return;
  }
  throw new ZipFormatError('an entry has saturated sizes or offset but no ZIP64 extra field');
}

/** Reads the central directory record by record (APPNOTE 4.3.12). */
async function* readCentralDirectory(handle: FileHandle, end: EndOfCentralDirectory): AsyncGenerator<ZipEntry, void, undefined> {
  const directoryEnd = end.centralDirectoryOffset + end.centralDirectoryBytes;
  const reader = sequentialReader(handle, end.centralDirectoryOffset, directoryEnd);
  for (let index = 0; index < end.entryCount; index += 1) {
    const header = await reader.take(CENTRAL_HEADER_BYTES);
    if (header.readUInt32LE(0) !== CENTRAL_HEADER_SIGNATURE) throw new ZipFormatError(`central directory record ${index + 1} of ${end.entryCount} has no signature`);
    const versionMadeBy = header.readUInt16LE(4);
    const flags = header.readUInt16LE(8);
    const method = header.readUInt16LE(10);
    const crc32 = header.readUInt32LE(16);
    const fields = {
      compressedSize: header.readUInt32LE(20),
      uncompressedSize: header.readUInt32LE(24),
      diskStart: header.readUInt16LE(34),
      localHeaderOffset: header.readUInt32LE(42),
    };
    const nameBytes = header.readUInt16LE(28);
    const extraBytes = header.readUInt16LE(30);
    const commentBytes = header.readUInt16LE(32);
    const externalAttributes = header.readUInt32LE(38);
    // `header` is a view into the reader's buffer: copy what is kept before reading on.
    const variable = await reader.take(nameBytes + extraBytes + commentBytes);
    const rawName = Buffer.from(variable.subarray(0, nameBytes));
    applyZip64Extra(variable.subarray(nameBytes, nameBytes + extraBytes), fields);
    if (fields.diskStart !== 0) throw new ZipFormatError('it is split over several disks (a spanned archive)');
    if (fields.localHeaderOffset >= end.centralDirectoryOffset) throw new ZipFormatError(`entry ${index + 1}'s local header offset ${fields.localHeaderOffset} is not before the central directory`);
    yield { index, rawName, flags, method, crc32, compressedSize: fields.compressedSize, uncompressedSize: fields.uncompressedSize, versionMadeBy, externalAttributes, localHeaderOffset: fields.localHeaderOffset };
  }
  // A count that wrapped past 65,535 without ZIP64 would otherwise hide the entries beyond it.
  if (reader.remaining() >= CENTRAL_HEADER_BYTES) throw new ZipFormatError(`its central directory holds more than the ${end.entryCount} entries its end record declares`);
}

/** Reads [start, start + length) of a file into one reused buffer, yielding a view of each read. */
async function* readRange(handle: FileHandle, start: number, length: number): AsyncGenerator<Buffer, void, undefined> {
  // One buffer per entry, no larger than the entry: small entries take small buffers.
  const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, length));
  for (let position = start, end = start + length; position < end; ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
    if (bytesRead === 0) throw new ZipFormatError(`the file ends at byte ${position}, inside an entry`);
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** Opens a zip archive and reads its end record; the central directory is read when `entries()` is iterated. */
export async function openZipArchive(file: string): Promise<ZipArchive> {
  const handle = await fsp.open(file, 'r');
  try {
    const fileBytes = (await handle.stat()).size;
    const end = await readEndOfCentralDirectory(handle, fileBytes);
    return {
      fileBytes,
      entryCount: end.entryCount,
      centralDirectoryOffset: end.centralDirectoryOffset,
      entries: () => readCentralDirectory(handle, end),
      async *readCompressed(entry) {
        if (entry.localHeaderOffset + LOCAL_HEADER_BYTES > end.centralDirectoryOffset) {
          throw new ZipFormatError(`the local header at ${entry.localHeaderOffset} runs into the central directory`);
        }
        const local = await readExactly(handle, entry.localHeaderOffset, LOCAL_HEADER_BYTES);
        if (local.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) throw new ZipFormatError(`there is no local header at ${entry.localHeaderOffset}`);
        // The local name and extra field lengths are the local header's own (APPNOTE 4.4.10-11).
        const dataStart = entry.localHeaderOffset + LOCAL_HEADER_BYTES + local.readUInt16LE(26) + local.readUInt16LE(28);
        if (dataStart + entry.compressedSize > end.centralDirectoryOffset) {
          throw new ZipFormatError(`its ${entry.compressedSize} compressed bytes at ${dataStart} run into the central directory`);
        }
        yield* readRange(handle, dataStart, entry.compressedSize);
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO-HDLC, the zip one) by a 256-entry table; for Node versions before 20.15 that lack `zlib.crc32`. */
export function crc32ByTable(data: Uint8Array, previous = 0): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n += 1) {
      let c = n;
      for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = ~previous >>> 0;
  for (let i = 0; i < data.length; i += 1) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** CRC-32 of `data`, continuing from `previous`: zlib's (native) when this Node has it, else the table. */
export const crc32: (data: Uint8Array, previous?: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (data, previous = 0) => zlib.crc32(data, previous) : crc32ByTable;
