/**
 * POST /api/runtime/navigate on a SCORM 2004 course with sequencing (Rustici's forced sequential golf example):
 * the server decides from what was committed, and the player's table of contents shows it.
 */
import t from 'tap';
import { createCatalogService } from '../../../src/packages/index.js';
import { sharedFixture } from '../../fixtures/shared-fixtures.js';
import { createTestApp, type SignedIn, type TestApp } from '../../fixtures/test-app.js';

const tokenOf = (url: string) => /\/player\/([^/?]+)/.exec(url)![1];

async function launch(lrs: TestApp, learner: SignedIn, slug: string) {
  const res = await lrs.as(learner, { method: 'POST', url: `/api/courses/${slug}/launch`, payload: {} });
  if (res.statusCode !== 200) throw new Error(`launch answered ${res.statusCode}: ${res.body}`);
  return res.json() as { url: string; registration: string; unit: string };
}

const post = (lrs: TestApp, path: string, token: string, payload: object) =>
  lrs.app.inject({ method: 'POST', url: `/api/runtime/${path}?token=${encodeURIComponent(token)}`, headers: { 'content-type': 'application/json', origin: lrs.config.contentUrl }, payload });

t.test('navigate follows the sequencing rules of a SCORM 2004 course', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const catalog = createCatalogService({ catalog: lrs.store.catalog, files: lrs.store.packageFiles, publicUrl: lrs.config.publicUrl });
  const imported = await catalog.importPackage({ zipPath: sharedFixture('scorm2004', 'SequencingForcedSequential_SCORM20043rdEdition.zip') }, { slug: 'golf-forced' });
  if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
  const learner = await lrs.signIn(await lrs.addUser([{ role: 'learner' }]));

  const first = await launch(lrs, learner, 'golf-forced');
  t.equal(first.unit, 'playing_item');
  const token = tokenOf(first.url);
  const page = await lrs.app.contentServer.inject({ method: 'GET', url: `/player/${token}` });
  t.match(page.body, /data-target="etuqiette_item" aria-disabled="true"/, 'the table of contents marks the next SCO disabled');
  t.notMatch(page.body, /data-target="playing_item"[^>]*aria-disabled/, 'not the current one');

  const refused = await post(lrs, 'navigate', token, { target: 'etuqiette_item' });
  t.equal(refused.statusCode, 409, 'choice of a disabled SCO');
  t.match(refused.json(), { error: 'sequencing-disabled', activity: 'etuqiette_item', message: /"Etiquette" is not available yet/ });
  const previous = await post(lrs, 'navigate', token, { request: 'previous' });
  t.equal(previous.statusCode, 409, 'previous from the first SCO');
  t.match(previous.json(), { error: 'sequencing-start' });
  const unknown = await post(lrs, 'navigate', token, { target: 'no-such-item' });
  t.equal(unknown.statusCode, 404);
  const direct = await lrs.as(learner, { method: 'POST', url: '/api/courses/golf-forced/launch', payload: { unit: 'etuqiette_item' } });
  t.equal(direct.statusCode, 409, 'launching a disabled SCO by name is refused as well');
  t.match(direct.json(), { error: 'sequencing-disabled', parameter: 'unit' });

  const committed = await post(lrs, 'commit', token, { runtimeData: { cmi: { completion_status: 'completed', success_status: 'passed', exit: 'normal' } }, commitSequence: 1 });
  t.equal(committed.statusCode, 200, committed.body);
  const next = await post(lrs, 'navigate', token, { request: 'continue' });
  t.equal(next.statusCode, 200, 'continue once the SCO is satisfied');
  const second = tokenOf(next.json().url);
  const secondPage = await lrs.app.contentServer.inject({ method: 'GET', url: `/player/${second}` });
  t.match(secondPage.body, /data-target="etuqiette_item" aria-current="page"/, 'the second SCO is current');
  t.match(secondPage.body, /data-target="handicapping_item" aria-disabled="true"/, 'the third is still disabled');
  t.match(secondPage.body, /data-target="playing_item"><span class="toc-title">[^<]*<\/span><span class="toc-status" data-status="passed"/, 'the first shows its status');

  const back = await post(lrs, 'navigate', second, { target: 'playing_item' });
  t.equal(back.statusCode, 200, 'choice backwards');
  t.equal((await post(lrs, 'navigate', second, { target: 'handicapping_item' })).statusCode, 409, 'choice forwards past an unsatisfied SCO');
});
