import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { createCatalogService } from '../../src/packages/index.js';
import { renderCertificatePdf } from '../../src/records/certificates/certificate-pdf.js';
import { parseTrueType } from '../../src/records/truetype/truetype-font.js';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { createTestApp, type SignedIn, type TestApp } from '../fixtures/test-app.js';
import { commit, launch } from './fixtures.js';
import { checksumProblems, readPdf, rightToLeft, type ReadPdf } from './pdf-reader.js';

const NAMES = {
  Cyrillic: 'Алексей Иванов',
  Greek: 'Νίκος Παπαδόπουλος',
  Polish: 'Łukasz Żółć',
  Turkish: 'Ayşe Çağlar İğdeli',
  Arabic: 'محمد عبد الله',
} as const;

/** A4 width and margins of records/pdf.ts. */
const MARGIN = 48;
const CONTENT_WIDTH = 595.28 - 2 * MARGIN;
const ARABIC_FORMS = { initialMeem: 0xfee3, medialHah: 0xfea4, medialMeem: 0xfee4, finalDal: 0xfeaa };

async function passCourse(lrs: TestApp, learner: SignedIn) {
  const launched = await launch(lrs, learner, 'golf-basics');
  await commit(lrs, launched.token, { lesson_status: 'incomplete', session_time: '00:02:00' }, 1);
  await commit(lrs, launched.token, { lesson_status: 'passed', session_time: '00:05:00', score: { raw: '85', min: '0', max: '100' } }, 2, true);
}

/** What every PDF we write must be: fonts embedded as valid subsets, every drawn glyph with an outline and a width. */
function checkFonts(t: Test, read: ReadPdf, what: string) {
  t.ok(read.fonts.size >= 1, `${what}: fonts`);
  for (const font of read.fonts.values()) {
    t.match(font.baseFont, /^[A-Z]{6}\+DejaVuSans(-Bold)?$/, `${what}: subset tag (ISO 32000-1 §9.6.4)`);
    t.match(font.cidFont, /\/Subtype \/CIDFontType2/);
    t.match(font.cidFont, /\/CIDToGIDMap \/Identity/);
    t.same(checksumProblems(font.fontFile), [], `${what} ${font.baseFont}: table directory and file checksums`);
    const program = parseTrueType(font.fontFile);
    t.ok(program.numGlyphs < 200, `${what} ${font.baseFont}: a subset (${program.numGlyphs} glyphs)`);
    for (const line of read.lines.filter((l) => l.font === font.baseFont)) {
      line.cids.forEach((cid, i) => {
        const text = line.glyphTexts[i]!;
        if (text.trim() !== '' && program.glyphData(cid).length === 0) t.fail(`${what}: "${text}" (CID ${cid}) has no outline`);
        const width = Math.round((program.advanceOf(cid) * 1000) / program.unitsPerEm);
        if (font.widths.get(cid) !== width) t.fail(`${what}: /W of CID ${cid} is ${font.widths.get(cid)}, hmtx says ${width}`);
      });
    }
  }
}

const lineWidth = (read: ReadPdf, line: ReadPdf['lines'][number]) => {
  const font = [...read.fonts.values()].find((f) => f.baseFont === line.font)!;
  return line.cids.reduce((sum, cid) => sum + font.widths.get(cid)!, 0) * (line.size / 1000);
};

t.test('certificates and transcripts in Cyrillic, Greek, Polish, Turkish and Arabic', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const catalog = createCatalogService({ catalog: lrs.store.catalog, files: lrs.store.packageFiles, publicUrl: lrs.config.publicUrl });
  const imported = await catalog.importPackage({ zipPath: sharedFixture('scorm12', 'singlescobasic.zip') }, { slug: 'golf-basics' });
  if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
  const pdftotext = fs.existsSync('/usr/bin/pdftotext');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-pdf-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const [script, name] of Object.entries(NAMES)) {
    t.test(script, async (t) => {
      const user = await lrs.addUser([{ role: 'learner' }], { name, country: 'FR' });
      const learner = await lrs.signIn(user);
      await passCourse(lrs, learner);
      const [summary] = (await lrs.as(learner, { method: 'GET', url: `/api/users/${user.user.id}/certificates` })).json();
      const res = await lrs.as(learner, { method: 'GET', url: `/api/certificates/${summary.number}.pdf` });
      t.equal(res.statusCode, 200);
      const certificate = res.rawPayload;
      t.ok(certificate.length < 150_000, `a one-page certificate stays small: ${certificate.length} bytes`);
      const read = readPdf(certificate);
      checkFonts(t, read, 'certificate');

      const nameLine = read.lines.find((line) => line.size === 22);
      t.ok(nameLine, 'the name line');
      if (script === 'Arabic') {
        t.equal(rightToLeft(nameLine!), name, 'glyphs in visual order: read right to left through ToUnicode, the name');
        t.equal(nameLine!.text, [...name].reverse().join(''));
        const program = parseTrueType(read.fonts.get(nameLine!.font)!.fontFile);
        for (const [form, codePoint] of Object.entries(ARABIC_FORMS)) {
          t.ok(nameLine!.cids.includes(program.glyphOf(codePoint)), `drawn with the ${form} (U+${codePoint.toString(16).toUpperCase()})`);
        }
      } else {
        t.equal(nameLine!.text, name, 'the name, through ToUnicode');
      }
      t.equal(nameLine!.actualText, null, 'every character drawn: no replacement text needed');
      const expectedX = MARGIN + (CONTENT_WIDTH - lineWidth(read, nameLine!)) / 2;
      t.ok(Math.abs(nameLine!.x - expectedX) < 0.02, `centred by the widths of the font (${nameLine!.x} vs ${expectedX.toFixed(2)})`);
      t.ok(read.lines.some((line) => line.text === `Certificate number ${summary.number}`));

      const transcriptRes = await lrs.as(learner, { method: 'GET', url: `/api/users/${user.user.id}/transcript?format=pdf` });
      t.equal(transcriptRes.statusCode, 200);
      const transcript = transcriptRes.rawPayload;
      t.ok(transcript.length < 150_000, `transcript: ${transcript.length} bytes`);
      const transcriptRead = readPdf(transcript);
      checkFonts(t, transcriptRead, 'transcript');
      const learnerLine = `${name} (Test academy, FR)`;
      const footer = `${name} - page 1 of 1`;
      if (script === 'Arabic') {
        // A right-to-left paragraph (its first letter is Arabic): the Latin run and its brackets on the left.
        const reversed = [...name].reverse().join('');
        t.ok(transcriptRead.lines.some((line) => line.text === `(Test academy, FR) ${reversed}`), 'the learner line in visual order');
        t.ok(transcriptRead.lines.some((line) => line.text === `page 1 of 1 - ${reversed}`), 'the footer in visual order');
      } else {
        t.ok(transcriptRead.lines.some((line) => line.text === learnerLine), 'the learner line');
        t.ok(transcriptRead.lines.some((line) => line.text === footer), 'the footer');
      }

      if (pdftotext) {
        fs.writeFileSync(path.join(tmp, `${script}.pdf`), certificate);
        const extracted = execFileSync('/usr/bin/pdftotext', [path.join(tmp, `${script}.pdf`), '-'], { encoding: 'utf8' }).replace(/[\u202a-\u202e]/g, '');
        t.ok(extracted.split('\n').includes(name), 'poppler extracts the name too');
      }
    });
  }
});

t.test('characters the font lacks: a visible replacement, the text kept as /ActualText', async (t) => {
  const pdf = renderCertificatePdf({
    number: 'CAD-2026-7KQ4-M2XD',
    learnerName: 'Li 王小明',
    courseTitle: 'Investigación de delitos — Расследование',
    issuedMs: Date.UTC(2026, 10, 28),
    scorePercent: null,
    verifyUrl: 'https://academy.example/verify/CAD-2026-7KQ4-M2XD',
    publicKeyUrl: 'https://academy.example/certificates/public-key.pem',
    keyId: 'key',
    payload: '{"v":1}',
    signature: 'c2lnbmF0dXJl',
    revoked: null,
  });
  const read = readPdf(pdf);
  const nameLine = read.lines.find((line) => line.size === 22)!;
  t.equal(nameLine.text, 'Li \ufffd\ufffd\ufffd', 'three U+FFFD glyphs');
  t.equal(nameLine.actualText, 'Li 王小明', 'extractors get the name back');
  t.ok(read.lines.some((line) => line.text === 'Investigación de delitos — Расследование' && line.actualText === null), 'scripts the font has need no replacement');
  t.ok(read.lines.some((line) => line.text === 'Certificate of completion' && /Bold/.test(line.font)), 'bold text in the bold font');
});
