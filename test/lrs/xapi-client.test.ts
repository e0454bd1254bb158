import { randomUUID } from 'node:crypto';
import XAPIModule, { type Agent, type Statement, type Verb } from '@xapi/xapi';
import t, { type Test } from 'tap';
import { addCredential, assertBuilt, createDataDir, removeDataDir, startServer } from '../fixtures/server-process.js';

/**
 * A third-party xAPI client (@xapi/xapi, over axios) against `cadet serve` on real HTTP: what content
 * packages and LMS connectors will do.
 */

// The package is CommonJS (`module.exports = XAPI`, with `XAPI.default = XAPI`): `.default` is the class either way.
const XAPI = XAPIModule.default;
assertBuilt();

const pageSize = 4;
const dataDir = createDataDir();
t.teardown(() => removeDataDir(dataDir));
const credential = await addCredential(dataDir, 'xAPI client', ['all']);
const server = await startServer({ dataDir, env: { STATEMENT_PAGE_SIZE: String(pageSize) } });
t.teardown(() => server.stop());

const xapi = new XAPI({ endpoint: `${server.url}/xapi/`, auth: XAPI.toBasicAuth(credential.key, credential.secret) });

interface Answer {
  status: number;
  data: any;
}

/** The HTTP status and body, whether axios resolved (2xx) or rejected (4xx, 5xx). */
async function answer(request: Promise<{ status: number; data: unknown }>): Promise<Answer> {
  try {
    const res = await request;
    return { status: res.status, data: res.data };
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown } }).response;
    if (!response) throw error;
    return { status: response.status, data: response.data };
  }
}

const run = randomUUID().slice(0, 8);
const learner: Agent = { objectType: 'Agent', name: 'Learner', mbox: `mailto:learner-${run}@academy.example` };
const trainer: Agent = { objectType: 'Agent', name: 'Trainer', mbox: `mailto:trainer-${run}@academy.example` };
const course = `https://academy.example/courses/${run}/evidence-handling`;
const quiz = `https://academy.example/courses/${run}/evidence-handling/quiz`;
const registration = randomUUID();

const make = (verb: Verb, object: string, withRegistration: boolean, extra: Partial<Statement> = {}): Statement => ({
  actor: learner,
  verb,
  object: { objectType: 'Activity', id: object, definition: { name: { 'en-US': object.endsWith('quiz') ? 'Quiz' : 'Evidence handling' } } },
  ...(withRegistration && { context: { registration } }),
  ...extra,
});

const ids: Record<string, string> = {};

t.test('GET /about needs no credentials and lists 1.0.3', async (t) => {
  const bare = new XAPI({ endpoint: `${server.url}/xapi/` });
  const about = await answer(bare.getAbout());
  t.equal(about.status, 200);
  t.ok(about.data.version.includes('1.0.3'));
});

t.test('sendStatement stores one statement; getStatement returns it as stored', async (t) => {
  const sent = await answer(
    xapi.sendStatement({ statement: make(XAPI.Verbs.INITIALIZED, course, true, { result: { score: { scaled: 0.5 }, duration: 'PT1M' } }) }),
  );
  t.equal(sent.status, 200);
  t.equal(sent.data.length, 1);
  t.match(sent.data[0], /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  ids.initialized = sent.data[0];

  const got = await answer(xapi.getStatement({ statementId: ids.initialized }));
  t.equal(got.status, 200);
  t.equal(got.data.id, ids.initialized);
  t.same(got.data.actor, learner);
  t.equal(got.data.verb.id, XAPI.Verbs.INITIALIZED.id);
  t.equal(got.data.object.id, course);
  t.same(got.data.result, { score: { scaled: 0.5 }, duration: 'PT1M' });
  t.equal(got.data.context.registration, registration);
  t.same(got.data.authority, { objectType: 'Agent', name: 'xAPI client', account: { homePage: server.url, name: credential.key } });
  t.ok(Number.isFinite(Date.parse(got.data.stored)), 'stored is a timestamp');
  t.equal(got.data.timestamp, got.data.stored, 'without a timestamp, the LRS sets it to stored');
});

t.test('sendStatements stores a batch and answers the ids in order', async (t) => {
  const givenId = randomUUID();
  const batch: Statement[] = [
    { ...make(XAPI.Verbs.ANSWERED, quiz, true), id: givenId },
    make(XAPI.Verbs.PASSED, quiz, true),
    make(XAPI.Verbs.COMPLETED, course, true),
    make(XAPI.Verbs.PASSED, course, false),
    { ...make(XAPI.Verbs.COMMENTED, course, false), actor: trainer },
  ];
  const sent = await answer(xapi.sendStatements({ statements: batch }));
  t.equal(sent.status, 200);
  t.equal(sent.data.length, batch.length);
  t.equal(sent.data[0], givenId, 'a given id is kept');
  t.equal(new Set(sent.data).size, batch.length);
  [ids.answered, ids.passedQuiz, ids.completed, ids.passedCourse, ids.commented] = sent.data as string[];
  for (const [index, id] of (sent.data as string[]).entries()) {
    const got = await answer(xapi.getStatement({ statementId: id }));
    t.equal(got.status, 200);
    t.equal(got.data.verb.id, batch[index].verb.id, `statement ${index} is the one sent`);
  }
  const again = await answer(xapi.sendStatement({ statement: { ...batch[0], id: givenId } }));
  t.equal(again.status, 200, 'the same statement again is accepted (idempotent)');
  const clash = await answer(xapi.sendStatement({ statement: { ...batch[1], id: givenId } }));
  t.equal(clash.status, 409, 'different content under a stored id is a conflict');
});

/** Every statement a query matches, following `more` links; the ids in the order served. */
async function everything(t: Test, params: Parameters<typeof xapi.getStatements>[0]): Promise<string[]> {
  const first = await answer(xapi.getStatements(params));
  t.equal(first.status, 200);
  const seen: string[] = first.data.statements.map((s: Statement) => s.id);
  let more: string = first.data.more;
  for (let page = 0; more && page < 20; page++) {
    const next = await answer(xapi.getMoreStatements({ more }));
    t.equal(next.status, 200);
    seen.push(...next.data.statements.map((s: Statement) => s.id));
    more = next.data.more;
  }
  t.equal(more, '', 'the last page has no more link');
  return seen;
}

t.test('queries filter by agent, verb, activity and registration', async (t) => {
  const cases: Array<[string, Parameters<typeof xapi.getStatements>[0], string[]]> = [
    ['agent', { agent: learner }, ['passedCourse', 'completed', 'passedQuiz', 'answered', 'initialized']],
    ['agent, ascending', { agent: learner, ascending: true }, ['initialized', 'answered', 'passedQuiz', 'completed', 'passedCourse']],
    ['agent and verb', { agent: learner, verb: XAPI.Verbs.PASSED.id }, ['passedCourse', 'passedQuiz']],
    ['activity', { activity: quiz }, ['passedQuiz', 'answered']],
    ['activity, other agent', { activity: course, agent: trainer }, ['commented']],
    ['registration', { registration }, ['completed', 'passedQuiz', 'answered', 'initialized']],
    ['registration and verb', { registration, verb: XAPI.Verbs.ANSWERED.id }, ['answered']],
    ['nothing matches', { agent: learner, verb: XAPI.Verbs.FAILED.id }, []],
  ];
  for (const [name, params, expected] of cases) {
    t.test(name, async (t) => {
      t.same(await everything(t, params), expected.map((key) => ids[key]));
    });
  }
});

t.test('more links page through a result larger than a page', async (t) => {
  const first = await answer(xapi.getStatements({ agent: learner }));
  t.equal(first.status, 200);
  t.equal(first.data.statements.length, pageSize, 'the server page size caps the page');
  t.match(first.data.more, /^\/xapi\/statements\?more=/);
  const second = await answer(xapi.getMoreStatements({ more: first.data.more }));
  t.equal(second.status, 200);
  t.same(second.data.statements.map((s: Statement) => s.id), [ids.initialized]);
  t.equal(second.data.more, '');
  const limited = await answer(xapi.getStatements({ agent: learner, limit: 2 }));
  t.same(limited.data.statements.map((s: Statement) => s.id), [ids.passedCourse, ids.completed], 'limit below the page size');
  t.ok(limited.data.more);
});

t.test('voidStatement hides a statement; getVoidedStatement returns it', async (t) => {
  const voided = await answer(xapi.voidStatement({ actor: trainer, statementId: ids.completed }));
  t.equal(voided.status, 200);
  const voidingId = voided.data[0] as string;
  const gone = await answer(xapi.getStatement({ statementId: ids.completed }));
  t.equal(gone.status, 404);
  const got = await answer(xapi.getVoidedStatement({ voidedStatementId: ids.completed }));
  t.equal(got.status, 200);
  t.equal(got.data.id, ids.completed);
  t.equal(got.data.verb.id, XAPI.Verbs.COMPLETED.id);
  const voiding = await answer(xapi.getStatement({ statementId: voidingId }));
  t.same(voiding.data.object, { objectType: 'StatementRef', id: ids.completed });
  const notVoided = await answer(xapi.getVoidedStatement({ voidedStatementId: ids.passedQuiz }));
  t.equal(notVoided.status, 404, 'a statement that is not voided is not served as voided');
  const served = await everything(t, { registration });
  t.notOk(served.includes(ids.completed), 'queries leave the voided statement out');
  // xAPI 1.0.3 §2.1.3 (StatementRefs in filters): the voiding statement targets a match, so it matches too.
  t.same(served, [voidingId, ids.passedQuiz, ids.answered, ids.initialized]);
});

t.test('an invalid statement is refused with 400 naming the property; nothing is stored', async (t) => {
  const id = randomUUID();
  const bad = { ...make(XAPI.Verbs.COMPLETED, course, true), id, actor: { objectType: 'Agent', mbox: `learner-${run}@academy.example` } } as Statement;
  const refused = await answer(xapi.sendStatement({ statement: bad }));
  t.equal(refused.status, 400);
  t.match(refused.data.path, /^\/actor/);
  t.match(refused.data.message, /mbox|mailto/);
  t.equal((await answer(xapi.getStatement({ statementId: id }))).status, 404);

  const batch = await answer(xapi.sendStatements({ statements: [{ ...make(XAPI.Verbs.COMPLETED, course, true), id: randomUUID() }, { ...make(XAPI.Verbs.COMPLETED, course, true), verb: { id: 'completed' } } as Statement] }));
  t.equal(batch.status, 400);
  t.match(batch.data.path, /^\/1\/verb/);
});

t.test('wrong credentials get 401', async (t) => {
  const intruder = new XAPI({ endpoint: `${server.url}/xapi/`, auth: XAPI.toBasicAuth(credential.key, 'not-the-secret') });
  const refused = await answer(intruder.getStatements({ agent: learner }));
  t.equal(refused.status, 401);
});

t.test('state: set, merge with createState, list, get, delete', async (t) => {
  const stateRegistration = randomUUID();
  const base = { agent: learner, activityId: course, registration: stateRegistration };
  t.equal((await answer(xapi.setState({ ...base, stateId: 'bookmark', state: { page: 3 } }))).status, 204);
  t.equal((await answer(xapi.createState({ ...base, stateId: 'bookmark', state: { answered: [1, 2] } }))).status, 204, 'POST merges');
  t.same((await answer(xapi.getState({ ...base, stateId: 'bookmark' }))).data, { page: 3, answered: [1, 2] });
  await answer(xapi.setState({ ...base, stateId: 'suspend_data', state: 'raw text', contentType: 'text/plain' }));
  t.same((await answer(xapi.getStates(base))).data, ['bookmark', 'suspend_data']);
  t.equal((await answer(xapi.getState({ ...base, stateId: 'suspend_data' }))).data, 'raw text');
  t.equal((await answer(xapi.deleteState({ ...base, stateId: 'bookmark' }))).status, 204);
  t.same((await answer(xapi.getStates(base))).data, ['suspend_data']);
  t.equal((await answer(xapi.deleteStates(base))).status, 204);
  t.same((await answer(xapi.getStates(base))).data, []);
});

t.test('agent and activity profiles, with ETags', async (t) => {
  t.equal((await answer(xapi.createAgentProfile({ agent: learner, profileId: 'preferences', profile: { language: 'fr' } }))).status, 204);
  const got = await xapi.getAgentProfile({ agent: learner, profileId: 'preferences' });
  t.same(got.data, { language: 'fr' });
  const etag = String(got.headers.etag);
  t.match(etag, /^"[0-9a-f]{40}"$/);
  const stale = await answer(xapi.setAgentProfile({ agent: learner, profileId: 'preferences', profile: { language: 'es' }, etag: '"0000000000000000000000000000000000000000"', matchHeader: 'If-Match' }));
  t.equal(stale.status, 412, 'a stale ETag is refused');
  const fresh = await answer(xapi.setAgentProfile({ agent: learner, profileId: 'preferences', profile: { language: 'es' }, etag, matchHeader: 'If-Match' }));
  t.equal(fresh.status, 204);
  t.same((await answer(xapi.getAgentProfiles({ agent: learner }))).data, ['preferences']);

  t.equal((await answer(xapi.setActivityProfile({ activityId: course, profileId: 'syllabus', profile: { weeks: 4 }, etag: '*', matchHeader: 'If-None-Match' }))).status, 204);
  t.same((await answer(xapi.getActivityProfile({ activityId: course, profileId: 'syllabus' }))).data, { weeks: 4 });
  t.equal((await answer(xapi.deleteActivityProfile({ activityId: course, profileId: 'syllabus' }))).status, 204);
  t.equal((await answer(xapi.getActivityProfile({ activityId: course, profileId: 'syllabus' }))).status, 404);
});

t.test('activities and agents', async (t) => {
  const activity = (await answer(xapi.getActivity({ activityId: course }))).data;
  t.equal(activity.id, course);
  t.same(activity.definition.name, { 'en-US': 'Evidence handling' }, 'the canonical definition comes from the statements');
  const person = (await answer(xapi.getAgent({ agent: learner }))).data;
  t.same(person, { objectType: 'Person', name: ['Learner'], mbox: [learner.mbox] });
});

t.test('a statement with an attachment goes out as multipart/mixed and comes back with it', async (t) => {
  const content = new TextEncoder().encode('Photograph log, exhibit 7\n');
  const { createHash } = await import('node:crypto');
  const statement = make({ id: 'http://adlnet.gov/expapi/verbs/attached' }, course, false, {
    attachments: [{
      usageType: 'https://academy.example/attachments/evidence-log',
      display: { 'en-US': 'Evidence log' },
      contentType: 'text/plain',
      length: content.byteLength,
      sha2: createHash('sha256').update(content).digest('hex'),
    }],
  });
  // @xapi/xapi's axios adapter in Node loses its multipart/mixed header (axios sends the body as
  // application/octet-stream): the LRS must say which header is wrong, and store nothing.
  const viaAxios = await answer(xapi.sendStatement({ statement, attachments: [content.buffer as ArrayBuffer] }));
  t.equal(viaAxios.status, 400);
  t.equal(viaAxios.data.header, 'Content-Type');
  // Its fetch adapter, like browsers, sends the multipart body as the spec says.
  const viaFetch = new XAPI({ adapter: 'fetch', endpoint: `${server.url}/xapi/`, auth: XAPI.toBasicAuth(credential.key, credential.secret) });
  const sent = await answer(viaFetch.sendStatement({ statement, attachments: [content.buffer as ArrayBuffer] }));
  t.equal(sent.status, 200);
  const [id] = sent.data as string[];
  const got = await answer(viaFetch.getStatement({ statementId: id, attachments: true }));
  t.equal(got.status, 200);
  const text = typeof got.data === 'string' ? got.data : JSON.stringify(got.data);
  t.match(text, /Photograph log, exhibit 7/, 'the attachment bytes come back in the multipart answer');
});
