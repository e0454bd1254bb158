import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import t, { type Test } from 'tap';
import { inspectPackage } from '../../src/packages/index.js';
import { PackageRejected } from '../../src/packages/problem.js';
import { checkEntryName, copyPackageDirectory, decodeEntryName, extractZip } from '../../src/packages/safe-extract.js';
import { buildZip, listTree, tempDir, writeZip, type RawEntry } from './helpers.js';

const manifest12 = `<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>T</title>
    <item identifier="i" identifierref="r"><title>Unit</title></item></organization></organizations>
  <resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html"/></resources>
</manifest>`;

/** Extracts, expecting a rejection; returns the problem codes and checks nothing was written anywhere. */
async function expectRejected(t: Test, entries: RawEntry[], limits = {}): Promise<string[]> {
  const zip = writeZip(t, entries);
  const work = tempDir(t);
  const target = path.join(work, 'a', 'b', 'target');
  try {
    await extractZip(zip, target, limits);
    t.fail('expected a rejection');
    return [];
  } catch (error) {
    t.type(error, PackageRejected);
    t.same(listTree(target), [], 'nothing left in the target directory');
    t.same(listTree(work).filter((p) => !p.startsWith('a')), [], 'nothing written beside the target');
    t.notOk(fs.existsSync(path.join(work, 'a', 'evil')) || fs.existsSync(path.join(work, 'a', 'b', 'evil')), 'no escaped file');
    return (error as PackageRejected).problems.map((p) => p.code);
  }
}

async function codesOf(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
    return [];
  } catch (error) {
    return error instanceof PackageRejected ? error.problems.map((p) => p.code) : [String(error)];
  }
}

t.test('zip slip: every way out of the target directory is refused before writing', async (t) => {
  const cases: [string, string | Buffer, string][] = [
    ['dot-dot', '../evil', 'zip-entry-path-traversal'],
    ['nested dot-dot', 'a/../../evil', 'zip-entry-path-traversal'],
    ['absolute', '/etc/x', 'zip-entry-absolute-path'],
    ['drive letter', 'C:\\x', 'zip-entry-backslash'],
    ['drive letter with slash', 'C:/x', 'zip-entry-drive-letter'],
    ['backslash dot-dot', '..\\evil', 'zip-entry-backslash'],
    ['NUL byte', 'index.html\u0000.js', 'zip-entry-name-invalid'],
    ['empty segment', 'a//b.html', 'zip-entry-name-invalid'],
  ];
  for (const [label, name, code] of cases) {
    t.test(label, async (t) => {
      const codes = await expectRejected(t, [{ name: 'imsmanifest.xml', data: manifest12 }, { name: 'index.html', data: 'x' }, { name, data: 'pwned' }]);
      t.ok(codes.includes(code), `${code} in ${codes.join(',')}`);
    });
  }
});

t.test('a symlink entry is refused (Unix mode in the external attributes)', async (t) => {
  const codes = await expectRejected(t, [{ name: 'index.html', data: 'x' }, { name: 'link', data: '/etc/passwd', method: 0, unixMode: 0o120777 }]);
  t.same(codes, ['zip-entry-symlink']);
  const special = await expectRejected(t, [{ name: 'fifo', data: '', method: 0, unixMode: 0o010644 }]);
  t.same(special, ['zip-entry-special-file']);
});

t.test('names that collide after case folding or Unicode normalisation are refused', async (t) => {
  t.same(await expectRejected(t, [{ name: 'Index.html', data: 'a' }, { name: 'index.HTML', data: 'b' }]), ['zip-entry-duplicate']);
  t.same(await expectRejected(t, [{ name: 'caf\u00e9.html', data: 'a' }, { name: 'cafe\u0301.html', data: 'b' }]), ['zip-entry-duplicate'], 'NFC vs NFD');
  t.same(await expectRejected(t, [{ name: 'a', data: 'file' }, { name: 'A/b.html', data: 'b' }]), ['zip-entry-duplicate'], 'a file that is also a folder');
});

t.test('zip bombs', async (t) => {
  t.test('a high declared ratio is refused before inflating', async (t) => {
    const zeros = Buffer.alloc(20 * 1024 * 1024);
    const codes = await expectRejected(t, [{ name: 'big.bin', data: zeros }]);
    t.same(codes, ['zip-bomb']);
  });
  t.test('a header that lies about its size is caught while inflating, with nothing left behind', async (t) => {
    const compressed = zlib.deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
    const before = process.memoryUsage().rss;
    const codes = await expectRejected(t, [
      { name: 'index.html', data: 'fine' },
      { name: 'video.mp4', compressed, declaredSize: compressed.length * 2, crc: 0 },
    ]);
    t.same(codes, ['zip-bomb']);
    t.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024, 'memory stays bounded: the 64 MiB entry is never inflated whole');
  });
  t.test('declared total size above the limit', async (t) => {
    const codes = await expectRejected(t, [{ name: 'a.bin', data: Buffer.alloc(600) }, { name: 'b.bin', data: Buffer.alloc(600) }], { maxTotalBytes: 1000 });
    t.same(codes, ['zip-too-large-uncompressed']);
  });
  t.test('too many entries', async (t) => {
    const entries = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' }));
    t.same(await expectRejected(t, entries, { maxEntries: 10 }), ['zip-too-many-entries']);
  });
  t.test('a ratio limit applies to entries above ratioCheckMinBytes only', async (t) => {
    const target = path.join(tempDir(t), 'out');
    const zip = writeZip(t, [{ name: 'blank.txt', data: Buffer.alloc(200 * 1024, 0x20) }]);
    const result = await extractZip(zip, target);
    t.same(result.files, ['blank.txt'], 'a 200 KiB file of blanks (ratio > 200) is fine');
  });
});

t.test('damaged or unsupported entries', async (t) => {
  t.same(await expectRejected(t, [{ name: 'a.txt', data: 'hello', crc: 1234 }]), ['zip-entry-corrupt'], 'CRC mismatch');
  t.same(await expectRejected(t, [{ name: 'a.txt', data: 'hello', flags: 0x801 }]), ['zip-entry-encrypted']);
  t.same(await expectRejected(t, [{ name: 'a.txt', data: 'hello', method: 12 }]), ['zip-entry-unsupported-compression']);
  t.same(await expectRejected(t, [{ name: Buffer.from([0x61, 0xff, 0xfe]), data: 'x', flags: 0x800 }]), ['zip-entry-name-invalid'], 'invalid UTF-8 under the UTF-8 flag');
  const garbage = path.join(tempDir(t), 'not.zip');
  fs.writeFileSync(garbage, 'this is not a zip');
  t.same(await codesOf(extractZip(garbage, path.join(tempDir(t), 'out'))), ['zip-invalid']);
});

t.test('names are decoded as the zip declares: UTF-8 flag, else CP437', async (t) => {
  t.equal(decodeEntryName(Buffer.from([0x63, 0x61, 0x66, 0x82]), false), 'café', 'CP437 0x82 is é');
  t.equal(decodeEntryName(Buffer.from('café', 'utf8'), true), 'café');
  t.equal(decodeEntryName(Buffer.from('é', 'utf8'), false), '├⌐', 'without the flag, UTF-8 bytes are read as CP437');
  const target = path.join(tempDir(t), 'out');
  const zip = writeZip(t, [{ name: Buffer.from([0x63, 0x61, 0x66, 0x82, 0x2e, 0x74, 0x78, 0x74]), data: 'x', flags: 0 }, { name: 'ünï.txt', data: 'y' }]);
  const result = await extractZip(zip, target);
  t.same(result.files, ['café.txt', 'ünï.txt']);
  t.ok(fs.existsSync(path.join(target, 'café.txt')));
});

t.test('checkEntryName accepts ordinary paths and normalises them', async (t) => {
  t.same(checkEntryName('./a/b.html', 'z.zip'), { segments: ['a', 'b.html'], isDirectory: false });
  t.same(checkEntryName('folder/', 'z.zip'), { segments: ['folder'], isDirectory: true });
  t.match(checkEntryName('x'.repeat(300), 'z.zip'), { code: 'zip-entry-name-too-long' });
});

t.test('junk is skipped and a single wrapping folder becomes the root', async (t) => {
  const target = path.join(tempDir(t), 'out');
  const zip = writeZip(t, [
    { name: 'Course/' },
    { name: 'Course/imsmanifest.xml', data: manifest12 },
    { name: 'Course/index.html', data: '<html></html>' },
    { name: 'Course/.DS_Store', data: 'junk' },
    { name: '__MACOSX/Course/._index.html', data: 'junk' },
  ]);
  const result = await extractZip(zip, target);
  t.equal(result.rootFolder, 'Course');
  t.same(result.files, ['imsmanifest.xml', 'index.html']);
  t.same(result.ignored.sort(), ['Course/.DS_Store', '__MACOSX/Course/._index.html']);
  t.same(listTree(target), ['imsmanifest.xml', 'index.html']);
});

t.test('the target directory must be empty; a failed extraction empties it again', async (t) => {
  const target = tempDir(t);
  fs.writeFileSync(path.join(target, 'keep.txt'), 'mine');
  const zip = writeZip(t, [{ name: 'a.txt', data: 'x' }]);
  await t.rejects(extractZip(zip, target), /not empty/);
  t.ok(fs.existsSync(path.join(target, 'keep.txt')), 'existing files are never touched');
});

/** Extracts an archive given as bytes (patched by the test), expecting a rejection with nothing written; returns the codes. */
async function expectRejectedBytes(t: Test, bytes: Buffer): Promise<string[]> {
  const file = path.join(tempDir(t, 'cadet-zip-'), 'package.zip');
  fs.writeFileSync(file, bytes);
  const target = path.join(tempDir(t), 'target');
  const codes = await codesOf(extractZip(file, target));
  t.same(listTree(target), [], 'nothing left in the target directory');
  return codes;
}

/** Offset of the central directory record of entry `index` in a `buildZip` archive (no comments, no extra fields). */
function centralRecordOffset(zip: Buffer, index: number): number {
  let at = zip.readUInt32LE(zip.length - 6);
  for (let i = 0; i < index; i += 1) at += 46 + zip.readUInt16LE(at + 28);
  return at;
}

t.test('the archive is read from its file: damage found on the way is refused, never guessed around', async (t) => {
  const entries: RawEntry[] = [{ name: 'index.html', data: 'fine' }, { name: 'media/clip.bin', data: Buffer.alloc(5000, 1) }];
  const good = buildZip(entries);

  const overlapping = Buffer.from(good);
  overlapping.writeUInt32LE(0, centralRecordOffset(good, 1) + 42);
  t.same(await expectRejectedBytes(t, overlapping), ['zip-bomb'], 'two entries sharing bytes (an overlapping zip bomb)');

  t.same(await expectRejectedBytes(t, good.subarray(0, good.length - 10)), ['zip-invalid'], 'a truncated archive');

  const badLocalHeader = Buffer.from(good);
  badLocalHeader.writeUInt32LE(0x12345678, 0);
  t.same(await expectRejectedBytes(t, badLocalHeader), ['zip-entry-corrupt'], 'an entry without its local header');

  const deflated = zlib.deflateRawSync(Buffer.alloc(5000, 1));
  const cut = buildZip([{ name: 'index.html', data: 'fine' }, { name: 'clip.bin', compressed: deflated.subarray(0, deflated.length - 4), declaredSize: 5000, crc: zlib.crc32(Buffer.alloc(5000, 1)) }]);
  t.same(await expectRejectedBytes(t, cut), ['zip-entry-corrupt'], 'a deflate stream cut short');
  const trailing = Buffer.concat([deflated, Buffer.alloc(70_000, 9)]);
  t.same(await expectRejected(t, [{ name: 'clip.bin', compressed: trailing, declaredSize: 5000, crc: zlib.crc32(Buffer.alloc(5000, 1)) }]), ['zip-entry-corrupt'], 'bytes after the end of the deflate stream');

  t.same(await expectRejected(t, [{ name: 'index.html', data: 'x' }, { name: 'big.bin', data: Buffer.alloc(5000, 1), method: 0, declaredSize: 100 }]), ['zip-bomb'], 'a stored entry holding more than it declares');
  t.same(await expectRejected(t, [{ name: 'index.html', data: 'x' }, { name: 'short.bin', data: Buffer.alloc(100, 1), method: 0, declaredSize: 5000 }]), ['zip-entry-corrupt'], 'a stored entry holding less than it declares');

  const target = path.join(tempDir(t), 'out');
  const file = path.join(tempDir(t, 'cadet-zip-'), 'package.zip');
  fs.writeFileSync(file, good);
  t.same((await extractZip(file, target)).files, ['index.html', 'media/clip.bin'], 'the undamaged archive extracts');
  t.ok(fs.readFileSync(path.join(target, 'media', 'clip.bin')).equals(Buffer.alloc(5000, 1)));
});

const hasZipCli = spawnSync('which', ['zip']).status === 0;

t.test('ZIP64 archives (zip -fz) extract', { skip: hasZipCli ? false : 'the zip CLI is not installed (zip -fz writes the ZIP64 records)' }, async (t) => {
  const work = tempDir(t);
  const source = path.join(work, 'src');
  fs.mkdirSync(path.join(source, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(source, 'imsmanifest.xml'), manifest12);
  fs.writeFileSync(path.join(source, 'index.html'), '<html>zip64</html>');
  fs.writeFileSync(path.join(source, 'sub', 'data.bin'), Buffer.alloc(100_000, 7));
  const zip = path.join(work, 'zip64.zip');
  execFileSync('zip', ['-q', '-fz', '-r', zip, '.'], { cwd: source });
  const bytes = fs.readFileSync(zip);
  t.ok(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])), 'the archive has a ZIP64 end of central directory record');
  const target = path.join(work, 'course');
  const result = await inspectPackage({ zipPath: zip }, target);
  t.ok(result.ok, JSON.stringify(result.ok ? '' : result.errors));
  if (result.ok) t.same(result.files, ['imsmanifest.xml', 'index.html', 'sub/data.bin']);
  t.equal(fs.readFileSync(path.join(target, 'sub', 'data.bin')).length, 100_000);
});

t.test('an unzipped folder is copied with the same rules', async (t) => {
  const work = tempDir(t);
  const source = path.join(work, 'src', 'MyCourse');
  fs.mkdirSync(source, { recursive: true });
  fs.writeFileSync(path.join(source, 'imsmanifest.xml'), manifest12);
  fs.writeFileSync(path.join(source, 'index.html'), 'x');
  fs.writeFileSync(path.join(source, '.DS_Store'), 'junk');
  const target = path.join(work, 'out');
  const copied = await copyPackageDirectory(path.join(work, 'src'), target);
  t.equal(copied.rootFolder, 'MyCourse');
  t.same(copied.files, ['imsmanifest.xml', 'index.html']);
  fs.symlinkSync('/etc/passwd', path.join(source, 'passwd'));
  const target2 = path.join(work, 'out2');
  t.same(await codesOf(copyPackageDirectory(source, target2)), ['zip-entry-symlink']);
  t.same(listTree(target2), []);
});
