/**
 * A large SCORM 1.2 package made at bench time, in the bench's temporary directory (never committed): one SCO,
 * a few dozen media files of random (incompressible) bytes that make up nearly all of its size, and a few
 * thousand small HTML and JavaScript files that make up its entry count, as authoring tools export them.
 */
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export interface PackageSpec {
  /** Target size of the zip, in bytes (random media do not compress, so the zip is about this size). */
  readonly bytes: number;
  /** Media files (.mp4 and .jpg, half each): most of the bytes. */
  readonly mediaFiles: number;
  /** Small .html and .js files (half each): most of the entries. */
  readonly smallFiles: number;
}

export interface GeneratedPackage {
  readonly directory: string;
  /** Files in the package, the manifest included. */
  readonly files: number;
  /** Their total size, uncompressed. */
  readonly bytes: number;
}

const pad = (n: number) => String(n).padStart(4, '0');

const lorem =
  'Evidence must be collected, packaged, labelled and sealed so that its integrity can be shown at every step. ' +
  'Each transfer is written in the chain of custody: who, when, where, why. Wet items are dried before packaging. ';

function smallHtml(index: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Page ${index}</title><link rel="stylesheet" href="../css/course.css"></head>
<body><main><h1>Page ${index}</h1>
${Array.from({ length: 6 }, (_, i) => `<p data-p="${index}-${i}">${lorem}</p>`).join('\n')}
<script src="../js/module-${pad(index)}.js"></script></main></body></html>
`;
}

function smallJs(index: number): string {
  return `/* module ${index} */
(function () {
  'use strict';
  var state = { page: ${index}, visited: false, answers: [] };
${Array.from({ length: 12 }, (_, i) => `  function step${i}(value) { state.answers.push(['${index}.${i}', value]); return state.answers.length > ${i}; }`).join('\n')}
  window.cadetModule${index} = { state: state, steps: [${Array.from({ length: 12 }, (_, i) => `step${i}`).join(', ')}] };
})();
`;
}

/** Writes `bytes` random bytes to `file` in 1 MB chunks (never the whole file in memory). */
function writeRandomFile(file: string, bytes: number, chunk: Buffer): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let written = 0; written < bytes; ) {
      const length = Math.min(chunk.length, bytes - written);
      randomFillSync(chunk, 0, length);
      fs.writeSync(fd, chunk, 0, length);
      written += length;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Generates the package's files under `directory` (created; must not exist). */
export function generatePackage(directory: string, spec: PackageSpec): GeneratedPackage {
  fs.mkdirSync(directory);
  for (const folder of ['pages', 'js', 'css', 'media']) fs.mkdirSync(path.join(directory, folder));
  const names: string[] = [];
  let total = 0;
  const write = (name: string, content: string) => {
    fs.writeFileSync(path.join(directory, name), content);
    names.push(name);
    total += Buffer.byteLength(content);
  };

  write('index.html', `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Bench course</title></head>\n<body><iframe src="pages/page-0001.html" title="Course"></iframe></body></html>\n`);
  write('css/course.css', 'body { font-family: sans-serif; margin: 2rem; }\nmain { max-width: 50rem; }\n');
  const htmlCount = Math.ceil(spec.smallFiles / 2);
  for (let i = 1; i <= htmlCount; i++) write(`pages/page-${pad(i)}.html`, smallHtml(i));
  for (let i = 1; i <= spec.smallFiles - htmlCount; i++) write(`js/module-${pad(i)}.js`, smallJs(i));

  // Nine tenths of the media bytes in videos, the rest in images; sizes vary by ±25% around their mean.
  const mediaBytes = Math.max(0, spec.bytes - total);
  const videos = Math.ceil(spec.mediaFiles / 2);
  const images = spec.mediaFiles - videos;
  const chunk = Buffer.alloc(1024 * 1024);
  const sized = (count: number, share: number) => {
    const mean = (mediaBytes * share) / Math.max(count, 1);
    return Array.from({ length: count }, (_, i) => Math.round(mean * (0.75 + (0.5 * i) / Math.max(count - 1, 1))));
  };
  sized(videos, images > 0 ? 0.9 : 1).forEach((bytes, i) => {
    const name = `media/video-${pad(i + 1)}.mp4`;
    writeRandomFile(path.join(directory, name), bytes, chunk);
    names.push(name);
    total += bytes;
  });
  sized(images, 0.1).forEach((bytes, i) => {
    const name = `media/image-${pad(i + 1)}.jpg`;
    writeRandomFile(path.join(directory, name), bytes, chunk);
    names.push(name);
    total += bytes;
  });

  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="cadet-bench-large-scorm12" version="1.0"
          xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG-BENCH">
    <organization identifier="ORG-BENCH">
      <title>Bench: a large media course</title>
      <item identifier="ITEM-BENCH" identifierref="RES-BENCH" isvisible="true">
        <title>A large media course</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-BENCH" type="webcontent" adlcp:scormtype="sco" href="index.html">
${names.map((name) => `      <file href="${name}"/>`).join('\n')}
    </resource>
  </resources>
</manifest>
`;
  write('imsmanifest.xml', manifest);
  return { directory, files: names.length, bytes: total };
}

/** The absolute path of an executable on PATH, or undefined. */
export function findExecutable(name: string): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!folder) continue;
    const candidate = path.join(folder, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Zips `directory`'s content into `zipPath`: with the `zip` tool when there is one (default level: Info-ZIP
 * keeps the random media deflated at 0% gain, as most authoring tools' zips do, so an import inflates every
 * byte), else with `writeStoredZip` (`BENCH_ZIP=built-in` forces it). Answers which of the two made it.
 */
export function zipDirectory(directory: string, zipPath: string): 'zip' | 'built-in (stored)' {
  const zip = findExecutable('zip');
  if (zip !== undefined && process.env.BENCH_ZIP !== 'built-in') {
    execFileSync(zip, ['-q', '-r', '-X', zipPath, '.'], { cwd: directory, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
    return 'zip';
  }
  writeStoredZip(directory, zipPath);
  return 'built-in (stored)';
}

/**
 * A zip with every file stored (method 0), written file by file in 1 MB chunks: it never holds a file, let alone
 * the archive, in memory (adm-zip's writer builds the whole archive in one Buffer, which for 200 MB would
 * measure the bench, not cadet). No zip64: at most 65,535 entries and 4 GB, plenty here. APPNOTE.TXT 4.3.
 */
export function writeStoredZip(directory: string, zipPath: string): void {
  const files: string[] = [];
  const walk = (folder: string, prefix: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) walk(path.join(folder, entry.name), `${prefix}${entry.name}/`);
      else if (entry.isFile()) files.push(`${prefix}${entry.name}`);
    }
  };
  walk(directory, '');
  if (files.length > 0xffff) throw new Error(`writeStoredZip: ${files.length} files need zip64, which it does not write`);
  const chunk = Buffer.alloc(1024 * 1024);
  const out = fs.openSync(zipPath, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  const put = (buffer: Buffer) => {
    fs.writeSync(out, buffer);
    offset += buffer.length;
  };
  try {
    for (const name of files) {
      const full = path.join(directory, ...name.split('/'));
      const size = fs.statSync(full).size;
      // First pass: the CRC, so the local header can carry it (no data descriptor needed).
      let crc = 0;
      const input = fs.openSync(full, 'r');
      try {
        for (let read; (read = fs.readSync(input, chunk, 0, chunk.length, null)) > 0; ) crc = zlib.crc32(chunk.subarray(0, read), crc);
        if (offset + size > 0xffffffff) throw new Error('writeStoredZip: the archive would exceed 4 GB, which needs zip64');
        const nameBytes = Buffer.from(name, 'utf8');
        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        local.writeUInt16LE(20, 4); // version needed: 2.0
        local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
        local.writeUInt16LE(0, 8); // method: stored
        local.writeUInt32LE(0, 10); // DOS time and date: 1980-01-01 is fine for a bench
        local.writeUInt32LE(crc >>> 0, 14);
        local.writeUInt32LE(size, 18);
        local.writeUInt32LE(size, 22);
        local.writeUInt16LE(nameBytes.length, 26);
        local.writeUInt16LE(0, 28);
        const header = Buffer.alloc(46);
        header.writeUInt32LE(0x02014b50, 0);
        header.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
        header.writeUInt16LE(20, 6);
        header.writeUInt16LE(0x0800, 8);
        header.writeUInt16LE(0, 10);
        header.writeUInt32LE(0, 12);
        header.writeUInt32LE(crc >>> 0, 16);
        header.writeUInt32LE(size, 20);
        header.writeUInt32LE(size, 24);
        header.writeUInt16LE(nameBytes.length, 28);
        header.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // external attributes: a regular file, rw-r--r--
        header.writeUInt32LE(offset, 42);
        central.push(header, nameBytes);
        put(local);
        put(nameBytes);
        // Second pass: the bytes.
        for (let position = 0, read; (read = fs.readSync(input, chunk, 0, chunk.length, position)) > 0; position += read) put(chunk.subarray(0, read));
      } finally {
        fs.closeSync(input);
      }
    }
    const centralStart = offset;
    for (const part of central) put(part);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(files.length, 8);
    end.writeUInt16LE(files.length, 10);
    end.writeUInt32LE(offset - centralStart, 12);
    end.writeUInt32LE(centralStart, 16);
    put(end);
  } finally {
    fs.closeSync(out);
  }
}
