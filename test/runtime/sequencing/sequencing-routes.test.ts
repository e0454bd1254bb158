/**
 * The sequencing rules through the runtime's HTTP API: post-conditions decide what `navigate` delivers once a SCO
 * has ended; a SCO starts with the global objectives earlier SCOs wrote; the LMS states the course's rollup once per
 * change, in the commit's own write, and the transcript takes the course's status from it.
 */
import path from 'node:path';
import t from 'tap';
import { createCatalogService } from '../../../src/packages/index.js';
import { findRepoRoot } from '../../../src/shared/json-schema.js';
import { sharedFixture } from '../../fixtures/shared-fixtures.js';
import { createTestApp, type SignedIn, type TestApp } from '../../fixtures/test-app.js';

const tokenOf = (url: string) => /\/player\/([^/?]+)/.exec(url)![1]!;

async function setUp(t: Parameters<Parameters<typeof t.test>[1]>[0], source: { zipPath: string } | { directory: string }, slug: string) {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const catalog = createCatalogService({ catalog: lrs.store.catalog, files: lrs.store.packageFiles, publicUrl: lrs.config.publicUrl });
  const imported = await catalog.importPackage(source, { slug });
  if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
  const learner = await lrs.signIn(await lrs.addUser([{ role: 'learner' }]));
  const res = await lrs.as(learner, { method: 'POST', url: `/api/courses/${slug}/launch`, payload: {} });
  if (res.statusCode !== 200) throw new Error(`launch answered ${res.statusCode}: ${res.body}`);
  return { lrs, learner, first: res.json() as { url: string; registration: string; unit: string } };
}

const post = (lrs: TestApp, route: string, token: string, payload: object, query = '') =>
  lrs.app.inject({ method: 'POST', url: `/api/runtime/${route}?token=${encodeURIComponent(token)}${query}`, headers: { 'content-type': 'application/json', origin: lrs.config.contentUrl }, payload });

async function commit(lrs: TestApp, token: string, cmi: object, sequence: number, terminate = false) {
  const res = await post(lrs, 'commit', token, { runtimeData: { cmi }, commitSequence: sequence }, terminate ? '&terminate=true' : '');
  if (res.statusCode !== 200) throw new Error(`commit answered ${res.statusCode}: ${res.body}`);
}

async function playerConfig(lrs: TestApp, token: string): Promise<{ launchUrl: string; initialCmi: Record<string, unknown> }> {
  const page = await lrs.app.contentServer.inject({ method: 'GET', url: `/player/${token}` });
  const json = /<script type="application\/json" id="cadet-player-data">([^<]*)<\/script>/.exec(page.body)![1]!;
  return JSON.parse(json);
}

async function statements(lrs: TestApp, registration: string) {
  const res = await lrs.xapi({ method: 'GET', url: `/xapi/statements?registration=${registration}&ascending=true&limit=500` });
  return (res.json() as { statements: Array<{ verb: { id: string }; object: { id: string }; result?: { success?: boolean; score?: { scaled?: number } }; context?: { extensions?: Record<string, unknown> } }> }).statements;
}

t.test('RandomTest: a failed test is followed by another test of a new post-test attempt; the second failure ends the course', async (t) => {
  const { lrs, first } = await setUp(t, { zipPath: sharedFixture('scorm2004', 'SequencingRandomTest_SCORM20043rdEdition.zip') }, 'golf-random');
  t.equal(first.unit, 'playing_item');
  let token = tokenOf(first.url);
  for (const next of ['etuqiette_item', 'handicapping_item', 'havingfun_item']) {
    await commit(lrs, token, { completion_status: 'completed', success_status: 'passed', exit: 'suspend' }, 1, true);
    const res = await post(lrs, 'navigate', token, { request: 'continue' });
    t.equal(res.statusCode, 200, `continue to ${next}`);
    token = tokenOf(res.json().url);
    t.match((await playerConfig(lrs, token)).launchUrl, `content=${next === 'etuqiette_item' ? 'etiquette' : next.replace('_item', '')}`, `${next} delivered`);
  }
  await commit(lrs, token, { completion_status: 'completed', success_status: 'passed', exit: 'suspend' }, 1, true);
  const toTest = await post(lrs, 'navigate', token, { request: 'continue' });
  t.equal(toTest.statusCode, 200, 'continue into the post-test');
  const testOf = async (url: string) => /content=assessment(\d)/.exec((await playerConfig(lrs, tokenOf(url))).launchUrl)?.[1];
  const firstTest = await testOf(toTest.json().url);
  t.match(firstTest, /^[1-4]$/, 'a test of the post-test (randomized order)');
  token = tokenOf(toTest.json().url);

  t.same((await post(lrs, 'navigate', token, { request: 'continue', check: true })).json(), { allowed: true }, 'check: rules on the way up, so the request is let through until the SCO ends');
  await commit(lrs, token, { completion_status: 'completed', success_status: 'failed', score: { scaled: 0.4 }, exit: 'normal' }, 1, true);
  const retried = await post(lrs, 'navigate', token, { request: 'continue' });
  t.equal(retried.statusCode, 200, retried.body);
  const secondTest = await testOf(retried.json().url);
  t.match(secondTest, /^[1-4]$/, 'the post-test is retried: the first test of its new attempt is delivered');
  token = tokenOf(retried.json().url);
  await commit(lrs, token, { completion_status: 'completed', success_status: 'failed', score: { scaled: 0.5 }, exit: 'normal' }, 1, true);
  t.same((await post(lrs, 'navigate', token, { request: 'exit' })).json(), { end: 'course' }, 'the second failure: exitAll ends the course');

  const course = (await statements(lrs, first.registration)).filter((s) => s.object.id === `${lrs.config.publicUrl}/courses/golf-random`);
  const verbs = course.map((s) => s.verb.id.replace(/.*\//, ''));
  t.equal(verbs[0], 'failed', 'the LMS stated the rollup: failed after the first test');
  t.equal(verbs.filter((verb) => verb === 'completed').length, 1, 'completed once no attempt was left');
  // When the retry delivers the same test again, its new attempt makes the post-test's status unknown until it fails again.
  t.same(verbs.slice(1).filter((verb) => verb !== 'completed'), secondTest === firstTest ? ['failed'] : [], 'failed stated again only if it had become unknown');
  t.notOk(verbs.includes('passed'));
});

t.test('demo course: the test starts with the lesson\'s global objective; the rollup is stated once per change', async (t) => {
  const { lrs, first } = await setUp(t, { directory: path.join(findRepoRoot(), 'content-packages', 'scorm2004-interview-techniques') }, 'interviews');
  const lesson = tokenOf(first.url);
  t.notMatch(JSON.stringify((await playerConfig(lrs, lesson)).initialCmi), /success_status/, 'nothing known yet');
  t.same((await post(lrs, 'navigate', lesson, { request: 'continue', check: true })).statusCode, 409, 'check: the test is disabled, and the lesson keeps running');
  await commit(lrs, lesson, { completion_status: 'completed', success_status: 'passed', exit: 'normal' }, 1, true);
  t.same((await statements(lrs, first.registration)).filter((s) => s.context?.extensions !== undefined && Object.keys(s.context.extensions).some((k) => k.includes('sequencing-rollup'))).length, 0, 'the lesson alone changes no rollup');
  const toTest = await post(lrs, 'navigate', lesson, { request: 'continue' });
  t.equal(toTest.statusCode, 200);
  const test = tokenOf(toTest.json().url);
  const initial = (await playerConfig(lrs, test)).initialCmi;
  const index = Object.entries(initial).find(([key, value]) => /^cmi\.objectives\.\d+\.id$/.test(key) && value === 'obj-lesson-prerequisite')?.[0].split('.')[2];
  t.ok(index, 'the test\'s objectives include the one mapped to the lesson\'s global objective');
  t.equal(initial[`cmi.objectives.${index}.success_status`], 'passed', 'read from the global objective the lesson wrote (SN §4.2.1.2)');

  await commit(lrs, test, { completion_status: 'completed', success_status: 'failed', score: { scaled: 0.5 }, exit: 'suspend' }, 1);
  await commit(lrs, test, { completion_status: 'completed', success_status: 'failed', score: { scaled: 0.5 }, exit: 'suspend' }, 1);
  await commit(lrs, test, { completion_status: 'completed', success_status: 'failed', score: { scaled: 0.5 }, exit: 'suspend' }, 2);
  const rollup = (all: Awaited<ReturnType<typeof statements>>) => all.filter((s) => s.object.id === `${lrs.config.publicUrl}/courses/interviews`);
  const afterFail = rollup(await statements(lrs, first.registration));
  t.same(afterFail.map((s) => s.verb.id.replace(/.*\//, '')), ['completed', 'failed'], 'completed and not satisfied, once: a replayed commit and an unchanged one add nothing');
  t.match(afterFail[1], { result: { success: false, score: { scaled: 0.5 } }, context: { extensions: { 'https://cadet.dev/xapi/extensions/sequencing-rollup': 'ORG-INTERVIEW-TECHNIQUES' } } });
  t.match(await lrs.store.records.progress(first.registration), { status: 'completed', success: 'failed' }, 'the transcript: completed and failed, as the rollup says');

  await commit(lrs, test, { completion_status: 'completed', success_status: 'passed', score: { scaled: 0.9 }, exit: 'normal' }, 3, true);
  t.same(rollup(await statements(lrs, first.registration)).map((s) => s.verb.id.replace(/.*\//, '')), ['completed', 'failed', 'passed'], 'then satisfied: passed');
  t.match(await lrs.store.records.progress(first.registration), { status: 'completed', success: 'passed' });
});
