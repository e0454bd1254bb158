import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import t, { type Test } from 'tap';
import { crc32, crc32ByTable, openZipArchive, READ_CHUNK_BYTES, ZipFormatError, type ZipArchive, type ZipEntry } from '../../src/packages/zip-reader.js';
import { buildZip, tempDir } from './helpers.js';

/** One entry for `assembleZip`: stored bytes, with the local header's own name and extra field under the test's control. */
interface Part {
  readonly name: string;
  readonly data: Buffer;
  /** The local header's name, when it differs from the central one. */
  readonly localName?: string;
  readonly localExtra?: Buffer;
  /** Declared compressed size, to lie. */
  readonly compressedSize?: number;
}

/**
 * Assembles a zip of stored entries byte by byte (APPNOTE.TXT 4.3). With `zip64`, every size and
 * offset in the central directory and the end record is saturated and the real values live in the
 * ZIP64 extra fields, the ZIP64 end record and its locator, as a writer must do past 4 GiB.
 */
function assembleZip(parts: readonly Part[], options: { zip64?: boolean; comment?: Buffer; extraRecords?: number; diskNumber?: number } = {}): Buffer {
  const zip64 = options.zip64 ?? false;
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name, 'utf8');
    const localName = Buffer.from(part.localName ?? part.name, 'utf8');
    const localExtra = part.localExtra ?? Buffer.alloc(0);
    const crc = zlib.crc32(part.data);
    const compressedSize = part.compressedSize ?? part.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(part.data.length, 18);
    local.writeUInt32LE(part.data.length, 22);
    local.writeUInt16LE(localName.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    chunks.push(local, localName, localExtra, part.data);
    const extra = Buffer.alloc(zip64 ? 4 + 24 : 0);
    if (zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(part.data.length), 4);
      extra.writeBigUInt64LE(BigInt(compressedSize), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE((3 << 8) | 45, 4);
    header.writeUInt16LE(45, 6);
    header.writeUInt16LE(0x800, 8);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(zip64 ? 0xffffffff : compressedSize, 20);
    header.writeUInt32LE(zip64 ? 0xffffffff : part.data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(extra.length, 30);
    header.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    header.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    central.push(header, name, extra);
    offset += local.length + localName.length + localExtra.length + part.data.length;
  }
  const directoryOffset = offset;
  const directory = Buffer.concat(central);
  const count = parts.length - (options.extraRecords ?? 0);
  const tail: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(directoryOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(directoryOffset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const comment = options.comment ?? Buffer.alloc(0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(options.diskNumber ?? 0, 4);
  end.writeUInt16LE(zip64 ? 0xffff : count, 8);
  end.writeUInt16LE(zip64 ? 0xffff : count, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : directoryOffset, 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...chunks, directory, ...tail, end, comment]);
}

function writeFile(t: Test, bytes: Buffer, name = 'archive.zip'): string {
  const file = path.join(tempDir(t, 'cadet-zip-reader-'), name);
  fs.writeFileSync(file, bytes);
  return file;
}

async function withArchive<T>(file: string, use: (zip: ZipArchive) => Promise<T>): Promise<T> {
  const zip = await openZipArchive(file);
  try {
    return await use(zip);
  } finally {
    await zip.close();
  }
}

async function listEntries(zip: ZipArchive): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  for await (const entry of zip.entries()) entries.push(entry);
  return entries;
}

/** The entry's bytes, each chunk copied (chunks are views of a buffer the reader reuses). */
async function contentOf(zip: ZipArchive, entry: ZipEntry): Promise<{ bytes: Buffer; chunks: Buffer[] }> {
  const chunks: Buffer[] = [];
  const copies: Buffer[] = [];
  for await (const chunk of zip.readCompressed(entry)) {
    chunks.push(chunk);
    copies.push(Buffer.from(chunk));
  }
  return { bytes: Buffer.concat(copies), chunks };
}

/** The ZipFormatError message, or a failure when the promise does not reject with one. */
async function formatError(t: Test, promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    t.type(error, ZipFormatError);
    return error instanceof Error ? error.message : String(error);
  }
  t.fail('expected a ZipFormatError');
  return '';
}

t.test('the central directory is read with every field the extractor needs', async (t) => {
  const file = writeFile(
    t,
    buildZip([
      { name: 'index.html', data: '<html></html>' },
      { name: 'link', data: '/etc/passwd', method: 0, unixMode: 0o120777 },
      { name: Buffer.from([0x63, 0x61, 0x66, 0x82]), data: 'cp437', flags: 0 },
      { name: 'locked.txt', data: 'x', flags: 0x801, method: 12 },
    ]),
  );
  await withArchive(file, async (zip) => {
    t.equal(zip.entryCount, 4);
    const entries = await listEntries(zip);
    t.same(
      entries.map((entry) => [entry.index, entry.rawName.toString('latin1'), entry.flags, entry.method]),
      [
        [0, 'index.html', 0x800, 8],
        [1, 'link', 0x800, 0],
        [2, 'caf\u0082', 0, 8],
        [3, 'locked.txt', 0x801, 12],
      ],
    );
    const [html, link] = entries;
    t.equal(html.uncompressedSize, 13);
    t.equal(html.compressedSize, zlib.deflateRawSync('<html></html>').length);
    t.equal(html.crc32, zlib.crc32('<html></html>'));
    t.equal(html.localHeaderOffset, 0);
    t.equal(link.versionMadeBy >> 8, 3, 'made by Unix');
    t.equal(link.externalAttributes >>> 16, 0o120777, 'the Unix mode in the high 16 bits');
    t.equal(link.localHeaderOffset, 30 + 10 + html.compressedSize);
    t.equal(zlib.inflateRawSync((await contentOf(zip, html)).bytes).toString(), '<html></html>');
    t.equal((await contentOf(zip, link)).bytes.toString(), '/etc/passwd');
  });
});

t.test('compressed bytes come in chunks of at most 64 KiB, all read into one reused buffer', async (t) => {
  const data = randomBytes(5 * READ_CHUNK_BYTES + 123);
  const file = writeFile(t, assembleZip([{ name: 'a.txt', data: Buffer.from('small') }, { name: 'media/big.bin', data }]));
  await withArchive(file, async (zip) => {
    const [small, big] = await listEntries(zip);
    const { bytes, chunks } = await contentOf(zip, big);
    t.ok(bytes.equals(data), 'exactly the entry bytes');
    t.equal(chunks.length, 6);
    t.ok(chunks.every((chunk) => chunk.length <= READ_CHUNK_BYTES));
    t.ok(chunks.every((chunk) => chunk.buffer === chunks[0].buffer && chunk.byteOffset === chunks[0].byteOffset), 'one buffer for the whole entry');
    const smallRead = await contentOf(zip, small);
    t.equal(smallRead.bytes.toString(), 'small');
    t.ok(smallRead.chunks[0].buffer.byteLength < READ_CHUNK_BYTES, 'a small entry takes a small buffer');
  });
});

t.test("a local header's own name and extra field lengths place the data (they may differ from the central ones)", async (t) => {
  const file = writeFile(
    t,
    assembleZip([
      { name: 'index.html', localName: 'a-much-longer-local-name.html', localExtra: Buffer.alloc(300, 0xee), data: Buffer.from('first') },
      { name: 'b.txt', localExtra: Buffer.alloc(4), data: Buffer.from('second') },
    ]),
  );
  await withArchive(file, async (zip) => {
    const entries = await listEntries(zip);
    t.same(entries.map((entry) => entry.rawName.toString()), ['index.html', 'b.txt'], 'names come from the central directory');
    t.same(await Promise.all(entries.map(async (entry) => (await contentOf(zip, entry)).bytes.toString())), ['first', 'second']);
  });
});

t.test('the end record is found behind an archive comment, up to the longest one', async (t) => {
  for (const length of [0, 1, 1000, 0xffff]) {
    const comment = Buffer.alloc(length, 0x41);
    const file = writeFile(t, assembleZip([{ name: 'a.txt', data: Buffer.from('x') }], { comment }));
    const names = await withArchive(file, async (zip) => (await listEntries(zip)).map((entry) => entry.rawName.toString()));
    t.same(names, ['a.txt'], `a comment of ${length} bytes`);
  }
  const signatureInComment = Buffer.concat([Buffer.from('PK\u0005\u0006'), Buffer.alloc(30, 0x20)]);
  const file = writeFile(t, assembleZip([{ name: 'a.txt', data: Buffer.from('x') }], { comment: signatureInComment }));
  const names = await withArchive(file, async (zip) => (await listEntries(zip)).map((entry) => entry.rawName.toString()));
  t.same(names, ['a.txt'], 'a signature in the comment whose own comment would not fit in the file is passed over');
});

t.test('ZIP64: saturated fields are read from the ZIP64 end record and extra fields', async (t) => {
  const data = randomBytes(70_000);
  const file = writeFile(t, assembleZip([{ name: 'a.txt', data: Buffer.from('hello') }, { name: 'b.bin', data }], { zip64: true }));
  await withArchive(file, async (zip) => {
    t.equal(zip.entryCount, 2);
    const [a, b] = await listEntries(zip);
    t.same([a.uncompressedSize, a.compressedSize, a.localHeaderOffset], [5, 5, 0]);
    t.same([b.uncompressedSize, b.compressedSize, b.localHeaderOffset], [70_000, 70_000, 30 + 5 + 5]);
    t.ok((await contentOf(zip, b)).bytes.equals(data));
  });
});

const hasZipCli = spawnSync('which', ['zip']).status === 0;

t.test('ZIP64 as Info-ZIP writes it (zip -fz)', { skip: hasZipCli ? false : 'the zip CLI is not installed' }, async (t) => {
  const work = tempDir(t);
  const source = path.join(work, 'src');
  fs.mkdirSync(source);
  fs.writeFileSync(path.join(source, 'hello.txt'), 'hello\n');
  fs.writeFileSync(path.join(source, 'zeros.bin'), Buffer.alloc(100_000));
  const file = path.join(work, 'fz.zip');
  execFileSync('zip', ['-q', '-fz', '-r', file, '.'], { cwd: source });
  await withArchive(file, async (zip) => {
    const entries = await listEntries(zip);
    const zeros = entries.find((entry) => entry.rawName.toString() === 'zeros.bin');
    t.ok(zeros);
    if (!zeros) return;
    t.equal(zeros.uncompressedSize, 100_000, 'the size from the ZIP64 extra field');
    t.equal(zlib.inflateRawSync((await contentOf(zip, zeros)).bytes).length, 100_000);
  });
});

t.test('a damaged or unsupported structure is a ZipFormatError, never a crash or a guess', async (t) => {
  const good = assembleZip([{ name: 'a.txt', data: Buffer.from('hello') }, { name: 'b.txt', data: Buffer.from('world') }]);
  const directoryOffset = good.readUInt32LE(good.length - 6);

  t.match(await formatError(t, openZipArchive(writeFile(t, Buffer.from('this is not a zip')))), /shorter than the smallest zip/);
  t.match(await formatError(t, openZipArchive(writeFile(t, Buffer.alloc(5000, 0x20)))), /no end of central directory/);

  const tooMany = Buffer.from(good);
  tooMany.writeUInt16LE(500, good.length - 12);
  tooMany.writeUInt16LE(500, good.length - 14);
  t.match(await formatError(t, openZipArchive(writeFile(t, tooMany))), /declares 500 entries/, 'more entries than the directory can hold');

  const pastEnd = Buffer.from(good);
  pastEnd.writeUInt32LE(good.length, good.length - 6);
  t.match(await formatError(t, openZipArchive(writeFile(t, pastEnd))), /runs past the end record/);

  const saturatedWithoutZip64 = Buffer.from(good);
  saturatedWithoutZip64.writeUInt32LE(0xffffffff, good.length - 6);
  t.match(await formatError(t, openZipArchive(writeFile(t, saturatedWithoutZip64))), /ZIP64 locator is missing/);

  t.match(await formatError(t, openZipArchive(writeFile(t, assembleZip([{ name: 'a.txt', data: Buffer.from('x') }], { diskNumber: 1 })))), /spanned/);

  const noSignature = Buffer.from(good);
  noSignature.writeUInt32LE(0, directoryOffset);
  const zip1 = await openZipArchive(writeFile(t, noSignature));
  t.match(await formatError(t, listEntries(zip1)), /record 1 of 2 has no signature/);
  await zip1.close();

  const hidden = assembleZip([{ name: 'a.txt', data: Buffer.from('x') }, { name: 'b.txt', data: Buffer.from('y') }], { extraRecords: 1 });
  const zip2 = await openZipArchive(writeFile(t, hidden));
  t.match(await formatError(t, listEntries(zip2)), /more than the 1 entries/, 'a count that hides records');
  await zip2.close();

  const badLocal = Buffer.from(good);
  badLocal.writeUInt32LE(0x12345678, 0);
  await withArchive(writeFile(t, badLocal), async (zip) => {
    const [a, b] = await listEntries(zip);
    t.match(await formatError(t, contentOf(zip, a)), /no local header at 0/);
    t.equal((await contentOf(zip, b)).bytes.toString(), 'world', 'the other entries stay readable');
  });

  const intoDirectory = assembleZip([{ name: 'a.txt', data: Buffer.from('hello'), compressedSize: 5000 }]);
  await withArchive(writeFile(t, intoDirectory), async (zip) => {
    const [a] = await listEntries(zip);
    t.match(await formatError(t, contentOf(zip, a)), /run into the central directory/);
  });
});

t.test('CRC-32: zlib when this Node has it, else a table; both agree', async (t) => {
  t.equal(crc32ByTable(Buffer.from('123456789')), 0xcbf43926, 'the check value of CRC-32/ISO-HDLC');
  t.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  t.equal(crc32ByTable(Buffer.alloc(0)), 0);
  const data = randomBytes(100_000);
  t.equal(crc32ByTable(data), zlib.crc32(data));
  t.equal(crc32ByTable(data.subarray(50_000), crc32ByTable(data.subarray(0, 50_000))), zlib.crc32(data), 'continued from a previous value');
});
