import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { inspectPackage } from '../../src/packages/index.js';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { listTree, tempDir, writeZip } from './helpers.js';

const manifest = (href: string) => `<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Patrol basics</title>
    <item identifier="i" identifierref="r"><title>Unit</title></item></organization></organizations>
  <resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="${href}"/></resources>
</manifest>`;

t.test('a successful import leaves the files in place and lists them', async (t) => {
  const target = path.join(tempDir(t), 'course');
  const zip = writeZip(t, [{ name: 'imsmanifest.xml', data: manifest('index.html') }, { name: 'index.html', data: 'hello' }, { name: 'img/a.png', data: Buffer.alloc(10) }]);
  const result = await inspectPackage({ zipPath: zip }, target);
  t.match(result, { ok: true, files: ['img/a.png', 'imsmanifest.xml', 'index.html'], model: { format: 'scorm12', title: { und: 'Patrol basics' }, units: [{ launchUrl: 'index.html' }] } });
  t.same(listTree(target), ['img', 'img/a.png', 'imsmanifest.xml', 'index.html']);
});

t.test('a failure after extraction removes a target it created, and empties one that existed', async (t) => {
  const zip = writeZip(t, [{ name: 'imsmanifest.xml', data: manifest('missing.html') }, { name: 'index.html', data: 'hello' }]);
  const created = path.join(tempDir(t), 'course');
  const first = await inspectPackage({ zipPath: zip }, created);
  t.match(first, { ok: false, errors: [{ code: 'launch-file-missing' }] });
  t.notOk(fs.existsSync(created), 'removed');

  const existing = tempDir(t);
  const second = await inspectPackage({ zipPath: zip }, existing);
  t.notOk(second.ok);
  t.ok(fs.existsSync(existing), 'kept');
  t.same(listTree(existing), [], 'emptied');
});

t.test('the target must be empty: a caller mistake, not a package problem', async (t) => {
  const target = tempDir(t);
  fs.writeFileSync(path.join(target, 'other-course.txt'), 'keep me');
  await t.rejects(inspectPackage({ zipPath: sharedFixture('scorm12', 'singlescobasic.zip') }, target), /not empty/);
  t.same(listTree(target), ['other-course.txt']);
});

t.test('an unzipped folder imports like its zip', async (t) => {
  const source = path.join(tempDir(t), 'unzipped');
  fs.mkdirSync(source);
  fs.writeFileSync(path.join(source, 'imsmanifest.xml'), manifest('index.html'));
  fs.writeFileSync(path.join(source, 'index.html'), 'hello');
  const result = await inspectPackage({ directory: source }, path.join(tempDir(t), 'course'));
  t.match(result, { ok: true, files: ['imsmanifest.xml', 'index.html'] });
});

t.test('only cmi5 can be imported as a bare XML file', async (t) => {
  const result = await inspectPackage({ xmlPath: sharedFixture('xapi', 'tincan-xml', 'watershed-absolute-launch-url.tincan.xml') }, path.join(tempDir(t), 'course'));
  t.match(result, { ok: false, errors: [{ code: 'bare-xml-unsupported' }] });
});

t.test('a missing upload is reported, not thrown', async (t) => {
  const result = await inspectPackage({ zipPath: path.join(tempDir(t), 'nope.zip') }, path.join(tempDir(t), 'course'));
  t.match(result, { ok: false, errors: [{ code: 'source-missing' }] });
});

t.test('warnings tell the author what was adjusted', async (t) => {
  const zip = writeZip(t, [
    { name: 'Export/imsmanifest.xml', data: manifest('index.html') },
    { name: 'Export/index.html', data: 'x' },
    { name: '__MACOSX/Export/._index.html', data: 'junk' },
  ]);
  const result = await inspectPackage({ zipPath: zip }, path.join(tempDir(t), 'course'));
  t.match(result, { ok: true, warnings: [{ code: 'junk-ignored' }, { code: 'root-folder-unwrapped', message: /"Export\/"/ }] });
});
