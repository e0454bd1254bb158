import { createHash, randomUUID } from 'node:crypto';
import t from 'tap';
import { agent, statement } from '../../fixtures/statements.js';
import { basic, createTestApp } from '../../fixtures/test-app.js';

const learner = agent('doc-learner');
const activityId = 'https://academy.example/courses/evidence-handling/sco-1';
const q = (params: Record<string, string | object>) =>
  new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
const sha1 = (text: string | Buffer) => `"${createHash('sha1').update(text).digest('hex')}"`;

t.test('state documents', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const registration = randomUUID();
  const url = (stateId?: string, extra: Record<string, string> = {}) =>
    `/xapi/activities/state?${q({ activityId, agent: learner, registration, ...(stateId && { stateId }), ...extra })}`;
  const json = { 'content-type': 'application/json' };

  t.test('PUT then GET returns the bytes, content type, ETag and Last-Modified', async (t) => {
    const body = '{"bookmark": "page-3",  "answers": [1, 2]}';
    t.equal((await lrs.xapi({ method: 'PUT', url: url('resume'), payload: body, headers: json })).statusCode, 204);
    const got = await lrs.xapi({ method: 'GET', url: url('resume') });
    t.equal(got.statusCode, 200);
    t.equal(got.body, body, 'stored byte-exact, whitespace included');
    t.match(String(got.headers['content-type']), /^application\/json/);
    t.equal(got.headers.etag, sha1(body));
    t.ok(got.headers['last-modified']);
  });

  t.test('POST merges JSON objects', async (t) => {
    await lrs.xapi({ method: 'PUT', url: url('progress'), payload: '{"a":1,"b":{"x":1}}', headers: json });
    t.equal((await lrs.xapi({ method: 'POST', url: url('progress'), payload: '{"b":{"y":2},"c":3}', headers: json })).statusCode, 204);
    t.same((await lrs.xapi({ method: 'GET', url: url('progress') })).json(), { a: 1, b: { y: 2 }, c: 3 });
  });

  t.test('POST that cannot merge is 400 and changes nothing', async (t) => {
    await lrs.xapi({ method: 'PUT', url: url('binary'), payload: Buffer.from([1, 2, 3]), headers: { 'content-type': 'application/octet-stream' } });
    const res = await lrs.xapi({ method: 'POST', url: url('binary'), payload: '{"a":1}', headers: json });
    t.equal(res.statusCode, 400);
    const got = await lrs.xapi({ method: 'GET', url: url('binary') });
    t.same(got.rawPayload, Buffer.from([1, 2, 3]));
    t.equal(got.headers['content-type'], 'application/octet-stream');
    const notObject = await lrs.xapi({ method: 'POST', url: url('progress'), payload: '[1,2]', headers: json });
    t.equal(notObject.statusCode, 400);
    const broken = await lrs.xapi({ method: 'POST', url: url('progress'), payload: '{"a":', headers: json });
    t.equal(broken.statusCode, 400);
  });

  t.test('ids, since, registration scoping and deletes', async (t) => {
    const ids = (await lrs.xapi({ method: 'GET', url: url() })).json();
    t.same(ids, ['binary', 'progress', 'resume']);
    const future = new Date(Date.now() + 60_000).toISOString();
    t.same((await lrs.xapi({ method: 'GET', url: url(undefined, { since: future }) })).json(), []);
    const otherRegistration = `/xapi/activities/state?${q({ activityId, agent: learner, registration: randomUUID() })}`;
    t.same((await lrs.xapi({ method: 'GET', url: otherRegistration })).json(), [], 'another registration sees none');
    t.equal((await lrs.xapi({ method: 'DELETE', url: url('binary') })).statusCode, 204);
    t.equal((await lrs.xapi({ method: 'GET', url: url('binary') })).statusCode, 404);
    t.equal((await lrs.xapi({ method: 'DELETE', url: url() })).statusCode, 204);
    t.same((await lrs.xapi({ method: 'GET', url: url() })).json(), []);
  });

  const bad: Array<[string, string]> = [
    ['no activityId', `/xapi/activities/state?${q({ agent: learner, stateId: 's' })}`],
    ['no agent', `/xapi/activities/state?${q({ activityId, stateId: 's' })}`],
    ['agent not JSON', `/xapi/activities/state?${q({ activityId, agent: 'bob', stateId: 's' })}`],
    ['bad registration', `/xapi/activities/state?${q({ activityId, agent: learner, stateId: 's', registration: 'nope' })}`],
    ['unknown parameter', `/xapi/activities/state?${q({ activityId, agent: learner, stateId: 's', colour: 'red' })}`],
    ['bad since', `/xapi/activities/state?${q({ activityId, agent: learner, since: 'yesterday' })}`],
  ];
  for (const [name, target] of bad) {
    t.test(`400 for ${name}`, async (t) => {
      const res = await lrs.xapi({ method: 'GET', url: target });
      t.equal(res.statusCode, 400, res.body);
      t.ok(res.json().parameter);
    });
  }

  t.test('the state scope is needed', async (t) => {
    const writer = await lrs.issue('statements only', ['statements/write']);
    t.equal((await lrs.xapi({ method: 'GET', url: url('resume'), as: writer })).statusCode, 403);
  });
});

for (const [name, base, keyParams] of [
  ['activity profile', '/xapi/activities/profile', { activityId }],
  ['agent profile', '/xapi/agents/profile', { agent: learner }],
] as const) {
  t.test(`${name}: concurrency rules`, async (t) => {
    const lrs = await createTestApp();
    t.teardown(() => lrs.close());
    const url = (profileId = 'preferences') => `${base}?${q({ ...keyParams, profileId })}`;
    const put = (headers: Record<string, string>, payload = '{"theme":"dark"}') =>
      lrs.xapi({ method: 'PUT', url: url(), payload, headers: { 'content-type': 'application/json', ...headers } });

    t.equal((await put({})).statusCode, 400, 'creating without If-None-Match is refused');
    t.equal((await put({ 'if-none-match': '*' })).statusCode, 204, 'If-None-Match: * creates');
    t.equal((await put({ 'if-none-match': '*' })).statusCode, 412, 'If-None-Match: * fails once it exists');
    t.equal((await put({})).statusCode, 409, 'overwriting without a precondition conflicts');
    t.equal((await put({ 'if-match': '"0000000000000000000000000000000000000000"' })).statusCode, 412, 'a stale ETag fails');
    const etag = sha1('{"theme":"dark"}');
    t.equal((await put({ 'if-match': etag }, '{"theme":"light"}')).statusCode, 204, 'the current ETag replaces');
    t.same((await lrs.xapi({ method: 'GET', url: url() })).json(), { theme: 'light' });
    t.equal((await lrs.xapi({ method: 'DELETE', url: url(), headers: { 'if-match': etag } })).statusCode, 412, 'DELETE honours If-Match');
    t.equal((await lrs.xapi({ method: 'DELETE', url: url(), headers: { 'if-match': sha1('{"theme":"light"}') } })).statusCode, 204);
    t.equal((await lrs.xapi({ method: 'GET', url: url() })).statusCode, 404);
    t.same((await lrs.xapi({ method: 'GET', url: base + '?' + q(keyParams) })).json(), []);
  });
}

t.test('activities and agents resources', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const post = (body: object, as = lrs.admin) =>
    lrs.xapi({ method: 'POST', url: '/xapi/statements', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' }, as });
  const course = 'https://academy.example/courses/interviewing';
  await post(statement({ object: { id: course, definition: { name: { 'en-US': 'Interviewing' }, type: 'http://adlnet.gov/expapi/activities/course' } } }));
  await post(statement({ object: { id: course, definition: { name: { 'fr-FR': 'Audition' } } } }));
  const noDefine = await lrs.issue('no define', ['statements/write']);
  await post(statement({ object: { id: course, definition: { name: { 'en-US': 'Overwritten?' } } } }), noDefine);

  const got = await lrs.xapi({ method: 'GET', url: `/xapi/activities?${q({ activityId: course })}` });
  t.equal(got.statusCode, 200);
  t.same(got.json(), {
    objectType: 'Activity',
    id: course,
    definition: { name: { 'en-US': 'Interviewing', 'fr-FR': 'Audition' }, type: 'http://adlnet.gov/expapi/activities/course' },
  }, 'language maps merged; a credential without define changes nothing');
  const unknown = await lrs.xapi({ method: 'GET', url: `/xapi/activities?${q({ activityId: 'https://academy.example/none' })}` });
  t.same(unknown.json(), { objectType: 'Activity', id: 'https://academy.example/none' });
  t.equal((await lrs.xapi({ method: 'GET', url: '/xapi/activities' })).statusCode, 400);

  const person = await lrs.xapi({ method: 'GET', url: `/xapi/agents?${q({ agent: learner })}` });
  t.same(person.json(), { objectType: 'Person', name: ['doc-learner'], mbox: ['mailto:doc-learner@academy.example'] });
  t.equal((await lrs.xapi({ method: 'GET', url: `/xapi/agents?${q({ agent: { objectType: 'Group', mbox: 'mailto:team@academy.example' } })}` })).statusCode, 400);
});

t.test('xAPI 2.0', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const v2 = { 'x-experience-api-version': '2.0.0' };

  t.test('answers in the version asked for', async (t) => {
    t.equal((await lrs.xapi({ method: 'GET', url: '/xapi/statements', headers: v2 })).headers['x-experience-api-version'], '2.0.0');
    t.equal((await lrs.xapi({ method: 'GET', url: '/xapi/statements' })).headers['x-experience-api-version'], '1.0.3');
    const about = (await lrs.app.inject({ method: 'GET', url: '/xapi/about' })).json();
    t.ok(about.version.includes('2.0.0') && about.version.includes('1.0.3'));
    const missing = await lrs.app.inject({ method: 'GET', url: '/xapi/statements', headers: { authorization: basic(lrs.admin) } });
    t.equal(missing.headers['x-experience-api-version'], '1.0.3', 'XAPI_DEFAULT_VERSION decides the answer to a request without a version');
  });

  t.test('statements stored under 2.0 default to version 2.0.0 and accept context agents', async (t) => {
    const body = statement({
      context: { contextAgents: [{ objectType: 'contextAgent', agent: agent('instructor'), relevantTypes: ['https://academy.example/roles/instructor'] }] },
    });
    const res = await lrs.xapi({ method: 'POST', url: '/xapi/statements', payload: JSON.stringify(body), headers: { ...v2, 'content-type': 'application/json' } });
    t.equal(res.statusCode, 200, res.body);
    const stored = (await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${res.json()[0]}`, headers: v2 })).json();
    t.equal(stored.version, '2.0.0');
    const under1 = await lrs.xapi({ method: 'POST', url: '/xapi/statements', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    t.equal(under1.statusCode, 400, 'contextAgents does not exist in 1.0.3');
  });

  t.test('the alternate request syntax is refused', async (t) => {
    const form = new URLSearchParams({ 'X-Experience-API-Version': '2.0.0', Authorization: basic(lrs.admin) }).toString();
    const res = await lrs.app.inject({ method: 'POST', url: '/xapi/statements?method=GET', payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    t.equal(res.statusCode, 400);
  });

  t.test('a state PUT over an existing document needs a precondition', async (t) => {
    const url = `/xapi/activities/state?${q({ activityId, agent: learner, stateId: 'v2' })}`;
    const put = (headers: Record<string, string> = {}) => lrs.xapi({ method: 'PUT', url, payload: '{"a":1}', headers: { ...v2, 'content-type': 'application/json', ...headers } });
    t.equal((await put()).statusCode, 204, 'creating needs none');
    t.equal((await put()).statusCode, 409);
    t.equal((await put({ 'if-match': sha1('{"a":1}') })).statusCode, 204);
  });
});
