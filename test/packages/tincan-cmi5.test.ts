import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parseCmi5 } from '../../src/packages/cmi5-parser.js';
import { inspectPackage } from '../../src/packages/index.js';
import { memoryFiles } from '../../src/packages/package-files.js';
import { parseTincan } from '../../src/packages/tincan-parser.js';
import { parseXml } from '../../src/packages/xml.js';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { inspectFixture, tempDir, unitTitles } from './helpers.js';

const tincanXml = (name: string) => parseXml(fs.readFileSync(sharedFixture('xapi', 'tincan-xml', name)), 'tincan.xml');
const withIndex = memoryFiles({ 'index.html': '', 'tetris.html': '' });

t.test('tincan.xml packages', async (t) => {
  const cases: [string, string, Record<string, string>, string][] = [
    ['xapi/GolfExample_TCAPI.zip', 'http://id.tincanapi.com/activity/tincan-prototypes/golf-example', { und: 'Tin Can Golf Example' }, 'index.html'],
    ['xapi/basic_course.zip', 'http://example.com/activities/basic-course', { 'en-US': 'Basic xAPI Course' }, 'index.html'],
    ['xapi/dolphin-tincan.zip', 'https://example.com/tincan/inline-dolphins-quiz', { und: 'Dolphins Quiz (Inline)' }, 'index.html'],
  ];
  for (const [fixture, id, title, launch] of cases) {
    t.test(fixture, async (t) => {
      const { result } = await inspectFixture(t, fixture);
      t.ok(result.ok);
      if (!result.ok) return;
      t.equal(result.model.format, 'xapi');
      t.equal(result.model.identifier, id);
      t.equal(result.model.identifierIsIri, true);
      t.same(result.model.title, title);
      t.equal(result.model.units.length, 1);
      t.equal(result.model.units[0]?.launchUrl, launch);
    });
  }
  t.test('dolphin: an activity without type is the course because it has a launch', async (t) => {
    const { result } = await inspectFixture(t, 'xapi/dolphin-tincan.zip');
    if (!result.ok) return t.fail('import failed');
    t.equal(result.model.units[0]?.activityType, undefined);
    t.same(result.model.description, { und: 'A quiz about where dolphins live (inline version).' });
  });
  t.test('GolfExample: files in subfolders are extracted', async (t) => {
    const { result } = await inspectFixture(t, 'xapi/GolfExample_TCAPI.zip');
    if (!result.ok) return t.fail('import failed');
    t.ok(result.files.includes('Etiquette/Course.html'));
  });
});

t.test('tincan.xml files: BOM, lang in any case, types, absolute launch, placeholder ids', async (t) => {
  const golf = parseTincan(tincanXml('rustici-GolfExample_TCAPI.tincan.xml'), withIndex);
  t.match(golf, { ok: true, model: { title: { und: 'Tin Can Golf Example' }, description: { 'en-US': 'An overview of the sport of golf.' }, units: [{ activityType: 'http://adlnet.gov/expapi/activities/course' }] } });
  const tetris = parseTincan(tincanXml('rustici-JsTetris_TCAPI.tincan.xml'), withIndex);
  t.match(tetris, { ok: true, model: { identifier: 'http://id.tincanapi.com/activity/tincan-prototypes/tetris', units: [{ launchUrl: 'tetris.html', activityType: 'http://activitystrea.ms/schema/1.0/game' }] } });
  for (const name of ['rustici-Locator_TCAPI.tincan.xml', 'rustici-OAuthSample.tincan.xml']) {
    t.match(parseTincan(tincanXml(name), withIndex), { ok: true, model: { units: [{ launchUrl: 'index.html' }] } }, name);
  }
  const watershed = parseTincan(tincanXml('watershed-absolute-launch-url.tincan.xml'), memoryFiles({}));
  t.match(watershed, { ok: true, model: { title: { 'en-US': 'Tin Can Golf Example' }, units: [{ launchUrl: 'http://xapigo.com/golf/index.html', external: true }] } });
  const placeholder = parseTincan(tincanXml('jerry42-placeholder-activity-id.tincan.xml'), withIndex);
  t.match(placeholder, { ok: false, errors: [{ code: 'activity-id-not-iri', file: 'tincan.xml', element: 'tincan/activities/activity[1]', message: /"\[YOUR_HOST\]\/xapi_course_file" is not an IRI/ }] });
});

t.test('tincan.xml: a missing launch file; no launch at all', async (t) => {
  t.match(parseTincan(tincanXml('rustici-JsTetris_TCAPI.tincan.xml'), memoryFiles({})), { ok: false, errors: [{ code: 'launch-file-missing' }] });
  const none = parseXml(Buffer.from('<tincan xmlns="http://projecttincan.com/tincan.xsd"><activities><activity id="http://x.org/a"><name>A</name></activity></activities></tincan>'), 'tincan.xml');
  t.match(parseTincan(none, memoryFiles({})), { ok: false, errors: [{ code: 'launch-missing' }] });
});

t.test('cmi5 packages', async (t) => {
  t.test('pre_post_test_framed: 2 blocks, 6 AUs, URLs with query strings', async (t) => {
    const { result } = await inspectFixture(t, 'cmi5/catapult-course-examples/pre_post_test_framed.zip');
    if (!result.ok) return t.fail(JSON.stringify(result.errors));
    t.equal(result.model.format, 'cmi5');
    t.equal(result.model.identifier, 'https://w3id.org/xapi/cmi5/catapult/lts/course/geology-intro-preposttest');
    t.equal(result.model.organizations[0]!.items.length, 2, 'two blocks');
    t.same(result.model.units.map((u) => [u.launchUrl, u.cmi5?.moveOn]), [
      ['pre1.html', 'Passed'], ['index.html?pages=1', 'CompletedOrPassed'], ['post1.html', 'Passed'],
      ['pre2.html', 'Passed'], ['index.html?pages=2', 'CompletedOrPassed'], ['post2.html', 'Passed'],
    ]);
    t.ok(result.files.some((f) => f.endsWith('.mp4')), 'the video is extracted');
  });
  t.test('masteryscore_responsive: masteryScore and launchMethod', async (t) => {
    const { result } = await inspectFixture(t, 'cmi5/catapult-course-examples/masteryscore_responsive.zip');
    if (!result.ok) return t.fail('import failed');
    t.same(result.model.units[0]?.cmi5, { moveOn: 'CompletedOrPassed', masteryScore: 0.3, launchMethod: 'OwnWindow' });
  });
  t.test('masteryscore_framed_xml_and_index_only', async (t) => {
    const { result } = await inspectFixture(t, 'cmi5/masteryscore_framed_xml_and_index_only.zip');
    t.match(result, { ok: true, model: { title: { 'en-US': 'Introduction to Geology - Framed Style - Mastery Score' }, units: [{ launchUrl: 'index.html', cmi5: { masteryScore: 0.3 } }] } });
  });
});

t.test('cmi5 spec examples: bare XML allowed only with absolute URLs', async (t) => {
  const { result: simple } = await inspectFixture(t, 'cmi5/aicc-spec-examples/simple-cmi5.xml');
  t.match(simple, { ok: true, files: ['cmi5.xml'], model: { units: [{ external: true, launchUrl: 'http://course-repository.example.edu/identifiers/courses/02baafcf/aus/4c07/launch.html', cmi5: { moveOn: 'NotApplicable', launchMethod: 'AnyWindow' } }] } });

  const { result: complex } = await inspectFixture(t, 'cmi5/aicc-spec-examples/complex-cmi5.xml');
  if (!complex.ok) return t.fail(JSON.stringify(complex.errors));
  t.same(complex.model.title, { 'en-US': 'Geology', 'de-DE': 'Geologie' });
  t.equal(complex.model.units.length, 14);
  t.equal(complex.model.objectives?.length, 4);
  t.same(complex.model.organizations[0]!.items.map((n) => n.title['en-US']), ['Geologic materials', 'Whole-Earth structure', 'Geologic time scale', 'Quiz']);
  const first = complex.model.units[0]!;
  t.same(first.cmi5, {
    moveOn: 'CompletedOrPassed', masteryScore: 1, launchMethod: 'AnyWindow', launchParameters: "{'initialSpeed':3.0,'mode':1}",
    entitlementKey: '833d0c7c-a3f8-4f9b-a51f-cbd8a9dac9fb', activityType: 'http://adlnet.gov/expapi/activities/lesson',
  });
  t.same(complex.model.organizations[0]!.items[0]!.objectives, ['http://objectives.example.com/identifiers/geology/basics', 'http://objectives.example.com/identifiers/geology/material-identification']);
  t.equal(complex.model.organizations[0]!.items[2]!.children[1]!.children[0]!.children.length, 3, 'nested blocks');
  const quiz = complex.model.units[13]!;
  t.equal(quiz.cmi5?.entitlementKey?.startsWith('w8GFdWkt'), true);
  t.same(quiz.description, { 'en-US': 'Check what you have learned about geology!', 'de-DE': 'Überprüfe dein neues Wissen über Geologie!' }, 'lang="de-De" is the same language as de-DE');
  t.equal(complex.model.units[3]?.cmi5?.entitlementKey, undefined, 'an empty entitlementKey is absent');

  const { result: extended } = await inspectFixture(t, 'cmi5/aicc-spec-examples/extended-cmi5.xml');
  t.match(extended, { ok: true, model: { units: [{ identifier: 'http://course-repository.example.edu/identifiers/courses/02baafcf/aus/4c07' }] } }, 'vendor extension elements are ignored');
});

t.test('catapult course structures', async (t) => {
  const dir = sharedFixture('cmi5', 'catapult-course-examples');
  const expected: Record<string, number> = {
    'legacy-multiple_au.cmi5.xml': 7, 'legacy-pre_post_test.cmi5.xml': 6, 'legacy-single_au_mastery_score.cmi5.xml': 1,
    'legacy-single_au_responsive.cmi5.xml': 1, 'legacy-single_au_simple.cmi5.xml': 1, 'masteryscore_framed.cmi5.xml': 1,
    'masteryscore_responsive.cmi5.xml': 1, 'multi_au_framed.cmi5.xml': 8, 'pre_post_test_framed.cmi5.xml': 6,
    'single_au_basic_framed.cmi5.xml': 1, 'single_au_basic_responsive.cmi5.xml': 1,
  };
  t.same(fs.readdirSync(dir).filter((f) => f.endsWith('.cmi5.xml')).sort(), Object.keys(expected).sort(), 'every structure is covered');
  for (const [name, count] of Object.entries(expected)) {
    const root = parseXml(fs.readFileSync(path.join(dir, name)), 'cmi5.xml');
    const result = parseCmi5(root, memoryFiles({}), { requireLaunchFiles: false });
    t.ok(result.ok, name);
    if (result.ok) t.equal(result.model.units.length, count, `${name}: ${count} AU(s)`);
  }
  const multi = parseCmi5(parseXml(fs.readFileSync(path.join(dir, 'multi_au_framed.cmi5.xml')), 'cmi5.xml'), memoryFiles({ 'index.html': '' }));
  t.match(multi, { ok: true, model: { units: [{ launchUrl: 'index.html?pages=1&complete=launch' }] } }, '&amp; decoded, query kept, file found');
  t.equal(multi.ok && multi.model.units[7]?.cmi5?.moveOn, 'CompletedAndPassed');

  // Bare course structures with relative URLs are refused.
  const bare = await inspectPackage({ xmlPath: path.join(dir, 'multi_au_framed.cmi5.xml') }, path.join(tempDir(t), 'course'));
  t.match(bare, { ok: false, errors: [{ code: 'launch-url-not-absolute', element: 'courseStructure/au[1]/url', message: /bare cmi5\.xml can only use absolute URLs/ }] });
});

t.test('cmi5 validation names the element', async (t) => {
  const doc = (au: string) => parseXml(Buffer.from(`<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
    <course id="https://x.org/c"><title><langstring lang="en">C</langstring></title></course>${au}</courseStructure>`), 'cmi5.xml');
  const au = (attrs: string, url = 'https://x.org/launch') => `<au id="https://x.org/au" ${attrs}><title><langstring lang="en">A</langstring></title><url>${url}</url></au>`;
  t.match(parseCmi5(doc(au('moveOn="Sometimes"')), memoryFiles({})), { ok: false, errors: [{ code: 'invalid-value', element: 'courseStructure/au[1]', message: /moveOn="Sometimes"/ }] });
  t.match(parseCmi5(doc(au('masteryScore="80"')), memoryFiles({})), { ok: false, errors: [{ message: /masteryScore="80" must be a decimal from 0 to 1/ }] });
  t.match(parseCmi5(doc(au('').replace('https://x.org/au', 'au-1')), memoryFiles({})), { ok: false, errors: [{ code: 'cmi5-id-not-iri' }] });
  t.match(parseCmi5(doc(au('', '../../etc/passwd')), memoryFiles({})), { ok: false, errors: [{ code: 'href-outside-package' }] });
  t.match(parseCmi5(doc(''), memoryFiles({})), { ok: false, errors: [{ code: 'cmi5-au-missing' }] });
});

t.test('unit titles helper sanity', async (t) => {
  const { result } = await inspectFixture(t, 'cmi5/catapult-course-examples/pre_post_test_framed.zip');
  t.equal(unitTitles(result).length, 6);
});
