import { randomUUID } from 'node:crypto';
import t from 'tap';
import { createCatalogService } from '../../src/packages/index.js';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { createTestApp } from '../fixtures/test-app.js';

const CMI5 = 'https://w3id.org/xapi/cmi5/context/categories/cmi5';
const MOVEON = 'https://w3id.org/xapi/cmi5/context/categories/moveon';
const verb = (name: string) => ({ id: `http://adlnet.gov/expapi/verbs/${name}` });

t.test('cmi5: launch, fetch, LaunchData, AU statements checked, moveOn and satisfied, abandoned', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const catalog = createCatalogService({ catalog: lrs.store.catalog, files: lrs.store.packageFiles, publicUrl: lrs.config.publicUrl });
  const imported = await catalog.importPackage({ zipPath: sharedFixture('cmi5', 'masteryscore_framed_xml_and_index_only.zip') }, { slug: 'geology' });
  if (!imported.ok) throw new Error('import failed');
  const learner = await lrs.signIn(await lrs.addUser([{ role: 'learner' }], { name: 'Officer Rock' }));

  const launch = async () => {
    const res = await lrs.as(learner, { method: 'POST', url: '/api/courses/geology/launch', payload: {} });
    t.equal(res.statusCode, 200, res.body);
    return res.json() as { url: string; registration: string };
  };
  const first = await launch();
  const url = new URL(first.url);
  const params = url.searchParams;
  t.equal(url.origin, new URL(lrs.config.contentUrl).origin, 'the AU opens on the content origin (8.1)');
  t.equal(params.get('endpoint'), `${lrs.config.publicUrl}/xapi/`);
  t.equal(params.get('registration'), first.registration);
  const activityId = params.get('activityId')!;
  t.not(activityId, imported.model.units[0].identifier, '8.1.5.0-3: the LMS generates the AU activity id');
  const actor = JSON.parse(params.get('actor')!);
  const fetchUrl = new URL(params.get('fetch')!);

  const lmsStatements = async () =>
    (await lrs.xapi({ method: 'GET', url: `/xapi/statements?registration=${first.registration}&ascending=true&limit=0` })).json().statements as Array<{ verb: { id: string }; object: { id: string } }>;
  t.same((await lmsStatements()).map((s) => s.verb.id.split('/').pop()), ['launched'], '9.3.1.0-1: the LMS records launched');
  const launchData = await lrs.xapi({ method: 'GET', url: `/xapi/activities/state?activityId=${encodeURIComponent(activityId)}&agent=${encodeURIComponent(JSON.stringify(actor))}&registration=${first.registration}&stateId=LMS.LaunchData` });
  t.equal(launchData.statusCode, 200, '10.1: LMS.LaunchData is written before the launch');
  const data = launchData.json();
  t.equal(data.launchMode, 'Normal');
  t.equal(data.masteryScore, 0.3);
  t.equal(data.moveOn, 'CompletedOrPassed');
  const sessionId = data.contextTemplate.extensions['https://w3id.org/xapi/cmi5/context/extensions/sessionid'];
  t.ok(sessionId, 'the context template carries the session id');

  const fetchToken = () => lrs.app.inject({ method: 'POST', url: `${fetchUrl.pathname}${fetchUrl.search}` });
  const fetched = await fetchToken();
  t.equal(fetched.statusCode, 200);
  const authToken = fetched.json()['auth-token'];
  t.ok(authToken, '8.2: the fetch URL answers an auth token');
  const again = await fetchToken();
  t.equal(again.json()['error-code'], '1', '8.2.3: the fetch URL is single-use');

  const auth = `Basic ${authToken}`;
  const au = (method: string, path: string, payload?: unknown) =>
    lrs.app.inject({ method: method as 'GET', url: path, headers: { authorization: auth, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' }, ...(payload !== undefined && { payload: JSON.stringify(payload) }) });
  const statement = (name: string, extra: Record<string, unknown> = {}) => ({
    id: randomUUID(),
    actor,
    verb: verb(name),
    object: { id: activityId, objectType: 'Activity' },
    context: {
      ...data.contextTemplate,
      registration: first.registration,
      contextActivities: { ...data.contextTemplate.contextActivities, category: [{ id: CMI5 }, ...(['passed', 'completed'].includes(name) ? [{ id: MOVEON }] : [])] },
    },
    timestamp: new Date().toISOString(),
    ...extra,
  });

  const stateUrl = `/xapi/activities/state?activityId=${encodeURIComponent(activityId)}&agent=${encodeURIComponent(JSON.stringify(actor))}&registration=${first.registration}&stateId=LMS.LaunchData`;
  t.equal((await au('GET', stateUrl)).statusCode, 200, 'the AU reads LMS.LaunchData with its auth token');
  t.equal((await au('PUT', stateUrl, { launchMode: 'Review' })).statusCode, 403, '10.2.1.0-5: and may not change it');
  const prefs = await au('GET', `/xapi/agents/profile?agent=${encodeURIComponent(JSON.stringify(actor))}&profileId=cmi5LearnerPreferences`);
  t.equal(prefs.statusCode, 404, 'learner preferences read (none stored yet)');

  const early = await au('POST', '/xapi/statements', statement('completed', { result: { completion: true, duration: 'PT1M' } }));
  t.equal(early.statusCode, 403, '9.3.0.0-4: nothing before initialized');
  t.match(early.json(), { error: 'cmi5-requirement-violated' });
  t.equal((await au('POST', '/xapi/statements', statement('initialized'))).statusCode, 200, early.body);
  const lowPass = await au('POST', '/xapi/statements', statement('passed', { result: { success: true, score: { scaled: 0.1 }, duration: 'PT2M' } }));
  t.equal(lowPass.statusCode, 403, 'passed below the mastery score is refused');
  const passedStatement = statement('passed', { result: { success: true, score: { scaled: 0.9 }, duration: 'PT2M' } });
  // 9.6.3.2-2: a scored passed carries the mastery score it was judged against.
  (passedStatement.context as { extensions: Record<string, unknown> }).extensions = {
    ...data.contextTemplate.extensions,
    'https://w3id.org/xapi/cmi5/context/extensions/masteryscore': 0.3,
  };
  const passed = await au('POST', '/xapi/statements', passedStatement);
  t.equal(passed.statusCode, 200, passed.body);
  const verbs = (await lmsStatements()).map((s) => s.verb.id.split('/').pop());
  t.ok(verbs.includes('satisfied'), `moveOn CompletedOrPassed met: the LMS records satisfied for the course (${verbs.join(' ')})`);
  const satisfied = (await lmsStatements()).find((s) => s.verb.id.endsWith('/satisfied'))!;
  t.equal(satisfied.object.id, `${lrs.config.publicUrl}/courses/geology`, 'about the LMS course id');
  const otherActor = await au('POST', '/xapi/statements', { ...statement('experienced'), actor: { mbox: 'mailto:someone@else.example' } });
  t.equal(otherActor.statusCode, 403, 'an AU cannot speak for another learner');

  const second = await launch();
  t.equal(second.registration, first.registration, 'the same registration');
  const afterRelaunch = (await lmsStatements()).map((s) => s.verb.id.split('/').pop());
  t.ok(afterRelaunch.includes('abandoned'), '9.3.6: the open session is abandoned at the next launch');
  t.equal(afterRelaunch.filter((v) => v === 'satisfied').length, 1, 'satisfied is recorded once');
  const stale = await au('POST', '/xapi/statements', statement('terminated', { result: { duration: 'PT3M' } }));
  t.equal(stale.statusCode, 401, '8.1.2: the old session\'s auth token ended with it');
});
