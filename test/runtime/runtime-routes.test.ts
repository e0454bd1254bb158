import t from 'tap';
import { createCatalogService } from '../../src/packages/index.js';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { createTestApp, type SignedIn, type TestApp } from '../fixtures/test-app.js';

async function importCourse(lrs: TestApp, parts: string[], slug: string) {
  const catalog = createCatalogService({ catalog: lrs.store.catalog, files: lrs.store.packageFiles, publicUrl: lrs.config.publicUrl });
  const outcome = await catalog.importPackage({ zipPath: sharedFixture(...parts) }, { slug });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return outcome;
}

const tokenOf = (url: string) => /\/(?:player|c)\/([^/?]+)/.exec(url)![1];

async function launch(lrs: TestApp, learner: SignedIn, slug: string, unit?: string) {
  const res = await lrs.as(learner, { method: 'POST', url: `/api/courses/${slug}/launch`, payload: unit ? { unit } : {} });
  if (res.statusCode !== 200) throw new Error(`launch answered ${res.statusCode}: ${res.body}`);
  return res.json() as { url: string; registration: string; unit: string };
}

function commit(lrs: TestApp, token: string, cmi: object, sequence: number, terminate = false) {
  return lrs.app.inject({
    method: 'POST',
    url: `/api/runtime/commit?token=${encodeURIComponent(token)}${terminate ? '&terminate=true' : ''}`,
    headers: { 'content-type': 'application/json', origin: lrs.config.contentUrl },
    payload: { runtimeData: { cmi }, commitSequence: sequence },
  });
}

async function statementsOf(lrs: TestApp, registration: string) {
  const res = await lrs.xapi({ method: 'GET', url: `/xapi/statements?registration=${registration}&ascending=true&limit=0` });
  return (res.json().statements as Array<{ verb: { id: string }; result?: Record<string, unknown> }>);
}

const verbName = (statement: { verb: { id: string } }) => statement.verb.id.split('/').pop();

t.test('SCORM 1.2: launch, player, content, commits become statements, resume', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const imported = await importCourse(lrs, ['scorm12', 'singlescobasic.zip'], 'golf-basics');
  const learner = await lrs.signIn(await lrs.addUser([{ role: 'learner' }]));

  const first = await launch(lrs, learner, 'golf-basics');
  t.match(first.url, new RegExp(`^${lrs.config.contentUrl}/player/`), 'a SCORM launch opens the player on the content origin');
  const token = tokenOf(first.url);

  const page = await lrs.app.contentServer.inject({ method: 'GET', url: `/player/${token}` });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.notOk(page.headers['set-cookie'], 'the content origin sets no cookie');
  const launchPath = imported.model.units[0].launchUrl;
  t.ok(page.body.includes(launchPath.split('/').pop()!), 'the player loads the SCO');

  const sco = await lrs.app.contentServer.inject({ method: 'GET', url: `/c/${token}/${launchPath}` });
  t.equal(sco.statusCode, 200, 'package files are served with the launch token');
  t.match(sco.headers['content-type'], /text\/html/);
  const ranged = await lrs.app.contentServer.inject({ method: 'GET', url: `/c/${token}/${launchPath}`, headers: { range: 'bytes=0-9' } });
  t.equal(ranged.statusCode, 206);
  t.equal(ranged.body.length, 10);
  const cached = await lrs.app.contentServer.inject({ method: 'GET', url: `/c/${token}/${launchPath}`, headers: { 'if-none-match': String(sco.headers.etag) } });
  t.equal(cached.statusCode, 304, 'a browser holding the current copy gets 304');
  t.equal(cached.body, '');
  t.equal((await lrs.app.contentServer.inject({ method: 'GET', url: `/c/not-a-token/${launchPath}` })).statusCode, 401, 'no token, no content');
  t.equal((await lrs.app.contentServer.inject({ method: 'GET', url: `/c/${token}/..%2F..%2Fcadet.sqlite` })).statusCode, 404, 'no escaping the package');

  const cmi1 = { core: { student_id: 'x', lesson_status: 'incomplete', lesson_location: 'page-2', entry: 'ab-initio', exit: '', session_time: '00:01:30', score: { raw: '', min: '', max: '' } }, suspend_data: 'visited=1,2' };
  const c1 = await commit(lrs, token, cmi1, 1);
  t.equal(c1.statusCode, 200, c1.body);
  t.same(c1.json(), { result: true, errorCode: 0 });
  t.equal(c1.headers['access-control-allow-origin'], new URL(lrs.config.contentUrl).origin, 'CORS answers the content origin only');
  t.notOk(c1.headers['access-control-allow-credentials'], 'never with credentials');
  let statements = await statementsOf(lrs, first.registration);
  t.same(statements.map(verbName), ['initialized'], 'the first commit opens the attempt');

  t.equal((await commit(lrs, token, cmi1, 1)).statusCode, 200);
  t.equal((await commit(lrs, token, { ...cmi1, core: { ...cmi1.core, lesson_status: 'passed' } }, 1)).statusCode, 200, 'a replayed sequence is accepted…');
  t.equal((await statementsOf(lrs, first.registration)).length, 1, '…and changes nothing');

  const cmi2 = { ...cmi1, core: { ...cmi1.core, lesson_location: 'page-3', exit: 'suspend', score: { raw: '85', min: '0', max: '100' } } };
  t.equal((await commit(lrs, token, cmi2, 2, true)).statusCode, 200);
  statements = await statementsOf(lrs, first.registration);
  t.ok(statements.some((s) => verbName(s) === 'suspended'), 'exit=suspend ends the session as suspended');
  t.ok(statements.some((s) => verbName(s) === 'scored'), 'the score is recorded');

  const again = await launch(lrs, learner, 'golf-basics');
  t.equal(again.registration, first.registration, 'relaunching continues the registration');
  const resumed = await lrs.app.contentServer.inject({ method: 'GET', url: `/player/${tokenOf(again.url)}` });
  t.match(resumed.body, /"cmi\.core\.entry":"resume"/, 'the attempt resumes');
  t.match(resumed.body, /"cmi\.core\.lesson_location":"page-3"/, 'where it was left');
  t.match(resumed.body, /"cmi\.suspend_data":"visited=1,2"/, 'with its suspend data');
  const c3 = await commit(lrs, tokenOf(again.url), { ...cmi2, core: { ...cmi2.core, entry: 'resume', exit: '', lesson_status: 'passed' } }, 3, true);
  t.equal(c3.statusCode, 200);
  const verbs = (await statementsOf(lrs, first.registration)).map(verbName);
  t.ok(verbs.includes('resumed'), 'the new session is resumed');
  t.ok(verbs.includes('passed') && verbs.includes('terminated'), `then passed and terminated: ${verbs.join(' ')}`);

  t.test('bad commits and tokens', async (t) => {
    const garbage = await commit(lrs, tokenOf(again.url), { core: { lesson_status: 'sleeping' } }, 9);
    t.equal(garbage.statusCode, 400);
    t.match(garbage.json().message, /lesson_status/);
    const forged = await commit(lrs, `${tokenOf(again.url)}x`, cmi1, 10);
    t.equal(forged.statusCode, 401);
    const beacon = await lrs.app.inject({ method: 'POST', url: `/api/runtime/commit?token=${tokenOf(again.url)}`, headers: { 'content-type': 'text/plain;charset=UTF-8' }, payload: 'not json' });
    t.equal(beacon.statusCode, 400, 'a beacon body that is not JSON is refused clearly');
  });
});

t.test('xAPI launch: the token is the content\'s LRS credential, scoped to its learner', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  await importCourse(lrs, ['xapi', 'dolphin-tincan.zip'], 'dolphins');
  const learner = await lrs.signIn(await lrs.addUser([{ role: 'learner' }], { name: 'Officer Dolphin' }));
  const launched = await launch(lrs, learner, 'dolphins');
  const url = new URL(launched.url);
  t.equal(url.origin, new URL(lrs.config.contentUrl).origin);
  const params = url.searchParams;
  t.equal(params.get('endpoint'), `${lrs.config.publicUrl}/xapi/`);
  t.equal(params.get('registration'), launched.registration);
  const actor = JSON.parse(params.get('actor')!);
  t.same(actor.account, { homePage: lrs.config.publicUrl, name: learner.userId });
  const auth = params.get('auth')!;
  t.match(auth, /^Bearer /);

  const send = (body: object) => lrs.app.inject({ method: 'POST', url: '/xapi/statements', headers: { authorization: auth, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' }, payload: body });
  const mine = await send({ actor, verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' }, object: { id: params.get('activity_id') }, context: { registration: launched.registration } });
  t.equal(mine.statusCode, 200, mine.body);
  const other = await send({ actor: { mbox: 'mailto:someone.else@academy.example' }, verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' }, object: { id: params.get('activity_id') } });
  t.equal(other.statusCode, 403, 'content cannot write as another learner');
  const state = (agent: object) => lrs.app.inject({ method: 'PUT', url: `/xapi/activities/state?activityId=${encodeURIComponent(params.get('activity_id')!)}&agent=${encodeURIComponent(JSON.stringify(agent))}&stateId=bookmark`, headers: { authorization: auth, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' }, payload: '{"page":2}' });
  t.equal((await state(actor)).statusCode, 204);
  t.equal((await state({ mbox: 'mailto:someone.else@academy.example' })).statusCode, 403, 'nor read or write another learner\'s state');
  const read = await lrs.app.inject({ method: 'GET', url: '/xapi/statements', headers: { authorization: auth, 'x-experience-api-version': '1.0.3' } });
  t.equal(read.json().statements.length, 1, 'it reads back only what it wrote');
  const file = await lrs.app.contentServer.inject({ method: 'GET', url: `${url.pathname}` });
  t.equal(file.statusCode, 200, 'its files are served under the token');
});

t.test('launching needs a signed-in user with a course to take', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const learner = await lrs.signIn(await lrs.addUser([{ role: 'learner' }]));
  t.equal((await lrs.as(null, { method: 'POST', url: '/api/courses/nope/launch', payload: {} })).statusCode, 401);
  t.equal((await lrs.as(learner, { method: 'POST', url: '/api/courses/nope/launch', payload: {} })).statusCode, 404);
});
