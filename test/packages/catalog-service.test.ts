import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { createCatalogService, slugify } from '../../src/packages/index.js';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { createTestApp } from '../fixtures/test-app.js';

const listFiles = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

t.test('slugify', async (t) => {
  const cases: Array<[string, string]> = [
    ['Evidence Handling — Basics', 'evidence-handling-basics'],
    ['Éléments de preuve', 'elements-de-preuve'],
    ['   ', 'course'],
    ['A'.repeat(80), 'a'.repeat(60)],
  ];
  for (const [title, slug] of cases) t.equal(slugify(title), slug, title);
});

t.test('courses and versions', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const catalog = createCatalogService({ catalog: lrs.store.catalog, files: lrs.store.packageFiles, publicUrl: lrs.config.publicUrl });
  const packagesDir = path.join(lrs.dataDir, 'packages');
  const stagingDir = path.join(lrs.dataDir, 'staging');

  const first = await catalog.importPackage({ zipPath: sharedFixture('scorm12', 'singlescobasic.zip') });
  if (!first.ok) throw new Error(JSON.stringify(first.errors));
  t.equal(first.version.number, 1);
  t.equal(first.course.format, 'scorm12');
  t.equal(first.course.activityId, `${lrs.config.publicUrl}/courses/${first.course.slug}`, 'a SCORM course gets an IRI from the platform');
  t.equal(first.model.units.length, 1);
  t.ok(await lrs.store.packageFiles.stat(first.version.filesKey, first.model.units[0].launchUrl.split('?')[0]), 'the launch file is stored');

  const again = await catalog.importPackage({ zipPath: sharedFixture('scorm12', 'singlescobasic.zip') });
  if (!again.ok) throw new Error('second import failed');
  t.equal(again.course.id, first.course.id, 'uploading the same package again makes a new version of the same course');
  t.equal(again.version.number, 2);
  t.not(again.version.filesKey, first.version.filesKey, 'each version keeps its own files');

  const cmi5 = await catalog.importPackage({ zipPath: sharedFixture('cmi5', 'masteryscore_framed_xml_and_index_only.zip') });
  if (!cmi5.ok) throw new Error(JSON.stringify(cmi5.errors));
  t.equal(cmi5.course.activityId, `${lrs.config.publicUrl}/courses/${cmi5.course.slug}`, 'a cmi5 course gets an LMS course id, not the publisher\'s (cmi5 §9.4)');

  const named = await catalog.importPackage({ zipPath: sharedFixture('scorm12', 'RuntimeMinimumCalls_SCORM12-mini.zip') }, { slug: 'multi-sco-demo' });
  t.ok(named.ok && named.course.slug === 'multi-sco-demo', 'an explicit slug names the course');
  const wrongFormat = catalog.importPackage({ zipPath: sharedFixture('cmi5', 'masteryscore_framed_xml_and_index_only.zip') }, { slug: 'multi-sco-demo' });
  await t.rejects(wrongFormat, { code: 'course-format-changed' }, 'a version cannot change the course format');

  const current = await catalog.currentVersion(first.course.id);
  t.equal(current?.number, 2);
  await catalog.retireVersion(first.course.slug, 2);
  t.equal((await catalog.currentVersion(first.course.id))?.number, 1, 'retiring the newest version falls back to the previous one');

  t.test('a failed import leaves nothing behind', async (t) => {
    const courses = (await catalog.listCourses()).length;
    const stored = listFiles(packagesDir).length;
    for (const fixture of [['invalid', 'moodle', 'invalid.zip'], ['invalid', 'manifests', 'MalformedXml_SCORM12.zip'], ['invalid', 'aicc-unsupported-package.zip']]) {
      const outcome = await catalog.importPackage({ zipPath: sharedFixture(...fixture) });
      t.equal(outcome.ok, false, fixture.join('/'));
      if (!outcome.ok) t.ok(outcome.errors[0].message, 'with a message');
    }
    t.equal((await catalog.listCourses()).length, courses, 'no course');
    t.equal(listFiles(packagesDir).length, stored, 'no files');
    t.same(listFiles(stagingDir), [], 'nothing left in staging');
  });
});
