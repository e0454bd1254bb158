import { randomUUID } from 'node:crypto';
import t from 'tap';
import { agent, statement, verbs } from '../../fixtures/statements.js';
import { basic, createTestApp, type TestApp } from '../../fixtures/test-app.js';

const json = (body: unknown) => ({ 'content-type': 'application/json' , body: JSON.stringify(body) });
const agentParam = (a: object) => encodeURIComponent(JSON.stringify(a));

async function post(lrs: TestApp, body: unknown) {
  const { body: payload } = json(body);
  return lrs.xapi({ method: 'POST', url: '/xapi/statements', payload, headers: { 'content-type': 'application/json' } });
}

async function query(lrs: TestApp, qs: string) {
  const res = await lrs.xapi({ method: 'GET', url: `/xapi/statements?${qs}` });
  return { res, page: res.statusCode === 200 ? (res.json() as { statements: Array<Record<string, any>>; more: string }) : null };
}

t.test('statement resource', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());

  t.test('POST stores a statement and GET returns it with what the LRS sets', async (t) => {
    const res = await post(lrs, statement());
    t.equal(res.statusCode, 200);
    const [id] = res.json() as string[];
    t.match(id, /^[0-9a-f-]{36}$/);
    const got = await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${id}` });
    t.equal(got.statusCode, 200);
    t.equal(got.headers['x-experience-api-version'], '1.0.3');
    t.ok(got.headers['last-modified']);
    t.ok(got.headers['x-experience-api-consistent-through']);
    const body = got.json();
    t.equal(body.id, id);
    t.equal(body.version, '1.0.0');
    t.match(body.stored, /Z$/);
    t.same(body.authority, { objectType: 'Agent', name: 'test admin', account: { homePage: lrs.config.publicUrl, name: lrs.admin.key } });
  });

  t.test('PUT: idempotent with the same content, 409 with different content', async (t) => {
    const id = randomUUID();
    const body = JSON.stringify(statement());
    const put = (payload: string) =>
      lrs.xapi({ method: 'PUT', url: `/xapi/statements?statementId=${id}`, payload, headers: { 'content-type': 'application/json' } });
    t.equal((await put(body)).statusCode, 204);
    t.equal((await put(body)).statusCode, 204, 'same statement again: no-op');
    const different = await put(JSON.stringify(statement({ verb: { id: verbs.passed } })));
    t.equal(different.statusCode, 409);
    const stored = (await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${id}` })).json();
    t.equal(stored.verb.id, verbs.completed, 'the stored statement is unchanged');
    const missing = await lrs.xapi({ method: 'PUT', url: '/xapi/statements', payload: body, headers: { 'content-type': 'application/json' } });
    t.equal(missing.statusCode, 400);
    t.equal(missing.json().parameter, 'statementId');
    const mismatch = await lrs.xapi({ method: 'PUT', url: `/xapi/statements?statementId=${randomUUID()}`, payload: JSON.stringify({ ...statement(), id: randomUUID() }), headers: { 'content-type': 'application/json' } });
    t.equal(mismatch.statusCode, 400);
  });

  t.test('a batch with one bad statement stores none and names the path', async (t) => {
    const good = { ...statement(), id: randomUUID() };
    const bad = { ...statement(), actor: { mbox: 'learner@academy.example' } };
    const res = await post(lrs, [good, bad]);
    t.equal(res.statusCode, 400);
    t.match(res.json().path, /^\/1\/actor/);
    const got = await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${good.id}` });
    t.equal(got.statusCode, 404, 'the good statement of the rejected batch was not stored');
    const dup = randomUUID();
    const twice = await post(lrs, [{ ...statement(), id: dup }, { ...statement(), id: dup }]);
    t.equal(twice.statusCode, 400);
    t.equal(twice.json().path, '/1/id');
  });

  t.test('a conflict inside a batch rolls back the whole batch', async (t) => {
    const existing = { ...statement(), id: randomUUID() };
    t.equal((await post(lrs, existing)).statusCode, 200);
    const fresh = { ...statement(), id: randomUUID() };
    const res = await post(lrs, [fresh, { ...existing, verb: { id: verbs.passed } }]);
    t.equal(res.statusCode, 409);
    t.equal((await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${fresh.id}` })).statusCode, 404);
  });

  t.test('voiding', async (t) => {
    const target = { ...statement({ actor: agent('voided-one') }), id: randomUUID() };
    await post(lrs, target);
    const voiding = { actor: agent('admin'), verb: { id: verbs.voided }, object: { objectType: 'StatementRef', id: target.id }, id: randomUUID() };
    t.equal((await post(lrs, voiding)).statusCode, 200);
    t.equal((await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${target.id}` })).statusCode, 404);
    const voided = await lrs.xapi({ method: 'GET', url: `/xapi/statements?voidedStatementId=${target.id}` });
    t.equal(voided.statusCode, 200);
    t.equal(voided.json().id, target.id);
    const { page } = await query(lrs, `agent=${agentParam(agent('voided-one'))}`);
    t.same(page!.statements.map((s) => s.id), [voiding.id], 'the voided statement is gone from queries; the voiding one targets it, so it matches');
    const again = await post(lrs, { ...voiding, id: randomUUID(), object: { objectType: 'StatementRef', id: voiding.id } });
    t.equal(again.statusCode, 400, 'a voiding statement cannot be voided');
    t.equal((await lrs.xapi({ method: 'GET', url: `/xapi/statements?voidedStatementId=${voiding.id}` })).statusCode, 404);
  });

  t.test('a voiding statement that arrives before its target still voids it', async (t) => {
    const targetId = randomUUID();
    await post(lrs, { actor: agent('admin'), verb: { id: verbs.voided }, object: { objectType: 'StatementRef', id: targetId } });
    await post(lrs, { ...statement(), id: targetId });
    t.equal((await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${targetId}` })).statusCode, 404);
    t.equal((await lrs.xapi({ method: 'GET', url: `/xapi/statements?voidedStatementId=${targetId}` })).statusCode, 200);
  });
});

t.test('queries', async (t) => {
  const lrs = await createTestApp({ 'statement-page-size': '3' });
  t.teardown(() => lrs.close());
  const registration = randomUUID();
  const instructor = agent('instructor');
  const ids: Record<string, string> = {};
  const add = async (name: string, body: object) => {
    const res = await post(lrs, body);
    t.equal(res.statusCode, 200, `stored ${name}`);
    ids[name] = (res.json() as string[])[0];
  };
  await add('alice-completed', statement({ actor: agent('alice') }));
  await add('alice-passed', statement({ actor: agent('alice'), verb: { id: verbs.passed } }));
  await add('bob-in-registration', statement({ actor: agent('bob'), context: { registration, instructor } }));
  await add('bob-other-course', statement({ actor: agent('bob'), object: { id: 'https://academy.example/courses/interviewing' }, context: { contextActivities: { grouping: [{ id: 'https://academy.example/courses/evidence-handling' }] } } }));
  await add('ref-to-alice', { actor: agent('carol'), verb: { id: 'http://adlnet.gov/expapi/verbs/commented' }, object: { objectType: 'StatementRef', id: ids['alice-passed'] } });

  const cases: Array<[string, string, string[]]> = [
    ['agent', `agent=${agentParam(agent('alice'))}`, ['ref-to-alice', 'alice-passed', 'alice-completed']],
    ['agent and verb', `agent=${agentParam(agent('alice'))}&verb=${encodeURIComponent(verbs.passed)}`, ['ref-to-alice', 'alice-passed']],
    ['registration', `registration=${registration}`, ['bob-in-registration']],
    ['activity', `activity=${encodeURIComponent('https://academy.example/courses/interviewing')}`, ['bob-other-course']],
    ['related_activities', `activity=${encodeURIComponent('https://academy.example/courses/evidence-handling')}&related_activities=true&agent=${agentParam(agent('bob'))}`, ['bob-other-course', 'bob-in-registration']],
    ['related_agents (instructor)', `agent=${agentParam(instructor)}&related_agents=true`, ['bob-in-registration']],
    ['agent without related_agents ignores the instructor', `agent=${agentParam(instructor)}`, []],
    ['ascending', `agent=${agentParam(agent('alice'))}&ascending=true`, ['alice-completed', 'alice-passed', 'ref-to-alice']],
  ];
  for (const [name, qs, expected] of cases) {
    t.test(name, async (t) => {
      const { res, page } = await query(lrs, qs);
      t.equal(res.statusCode, 200, res.body);
      t.same(page!.statements.map((s) => s.id), expected.map((n) => ids[n]));
    });
  }

  t.test('since and until select on stored', async (t) => {
    const all = (await query(lrs, 'limit=0&ascending=true')).page!;
    const first = await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${ids['alice-completed']}` });
    const stored = first.json().stored as string;
    const since = await query(lrs, `since=${encodeURIComponent(stored)}&agent=${agentParam(agent('alice'))}`);
    t.notOk(since.page!.statements.some((s) => s.id === ids['alice-completed']), 'since is exclusive');
    const until = await query(lrs, `until=${encodeURIComponent(stored)}&agent=${agentParam(agent('alice'))}`);
    t.ok(until.page!.statements.some((s) => s.id === ids['alice-completed']), 'until is inclusive');
    t.ok(all.statements.length > 0);
    const bad = await query(lrs, 'since=yesterday');
    t.equal(bad.res.statusCode, 400);
    t.equal(bad.res.json().parameter, 'since');
  });

  t.test('more pages stably while statements arrive', async (t) => {
    const first = await query(lrs, 'limit=2');
    t.equal(first.page!.statements.length, 2);
    t.match(first.page!.more, /^\/xapi\/statements\?more=/);
    await add('late', statement({ actor: agent('late') }));
    const seen = [...first.page!.statements.map((s) => s.id)];
    let more = first.page!.more;
    while (more) {
      const res = await lrs.xapi({ method: 'GET', url: more });
      t.equal(res.statusCode, 200);
      const page = res.json();
      seen.push(...page.statements.map((s: { id: string }) => s.id));
      more = page.more;
    }
    t.equal(seen.length, 5, 'every statement stored before the first page, once each');
    t.equal(new Set(seen).size, 5);
    t.notOk(seen.includes(ids.late), 'a statement stored after the first page is not mixed in');
    const capped = await query(lrs, 'limit=0');
    t.equal(capped.page!.statements.length, 3, 'limit=0 means the server page size');
  });

  t.test('formats', async (t) => {
    const ids_ = (await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${ids['alice-completed']}&format=ids` })).json();
    t.same(ids_.actor, { objectType: 'Agent', mbox: 'mailto:alice@academy.example' });
    t.same(ids_.verb, { id: verbs.completed });
    t.same(ids_.object, { id: 'https://academy.example/courses/evidence-handling' });
    const canonical = (await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${ids['alice-completed']}&format=canonical`, headers: { 'accept-language': 'fr-FR, en;q=0.5' } })).json();
    t.same(canonical.verb.display, { 'fr-FR': 'a terminé' });
    t.same(canonical.object.definition.name, { 'fr-FR': 'Traitement des preuves' });
    const exact = (await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${ids['alice-completed']}` })).json();
    t.same(Object.keys(exact.verb.display).sort(), ['en-US', 'fr-FR']);
  });

  t.test('attachments=true answers multipart/mixed with the statements first', async (t) => {
    const res = await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${ids['alice-completed']}&attachments=true` });
    t.equal(res.statusCode, 200);
    const type = String(res.headers['content-type']);
    t.match(type, /^multipart\/mixed; boundary=/);
    const boundary = type.split('boundary=')[1];
    t.ok(res.body.startsWith(`--${boundary}\r\nContent-Type: application/json\r\n\r\n{`));
    t.ok(res.body.endsWith(`--${boundary}--\r\n`));
  });

  const badQueries: Array<[string, string]> = [
    ['unknown parameter', 'colour=blue'],
    ['parameter given twice', 'verb=http://a.example/v&verb=http://b.example/v'],
    ['agent not JSON', 'agent=alice'],
    ['agent without identifier', `agent=${agentParam({ name: 'alice' })}`],
    ['verb not an IRI', 'verb=completed'],
    ['registration not a UUID', 'registration=42'],
    ['limit negative', 'limit=-1'],
    ['format unknown', 'format=full'],
    ['statementId with a filter', `statementId=${randomUUID()}&verb=${encodeURIComponent(verbs.passed)}`],
    ['more token forged', 'more=not-a-token'],
  ];
  for (const [name, qs] of badQueries) {
    t.test(`400 for ${name}`, async (t) => {
      const { res } = await query(lrs, qs);
      t.equal(res.statusCode, 400, res.body);
      t.ok(res.json().message, 'the error says what is wrong');
      t.ok(res.headers['x-experience-api-consistent-through'], 'errors carry Consistent-Through too');
      t.equal(res.headers['x-experience-api-version'], '1.0.3');
    });
  }
});

t.test('protocol: version header, authentication, scopes, CORS, alternate syntax', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const payload = JSON.stringify(statement());
  const headers = { 'content-type': 'application/json' };

  t.test('version header required and checked', async (t) => {
    const none = await lrs.app.inject({ method: 'GET', url: '/xapi/statements', headers: { authorization: basic(lrs.admin) } });
    t.equal(none.statusCode, 400);
    t.equal(none.json().header, 'X-Experience-API-Version');
    const old = await lrs.xapi({ method: 'GET', url: '/xapi/statements', headers: { 'x-experience-api-version': '0.95' } });
    t.equal(old.statusCode, 400);
    for (const v of ['1.0', '1.0.0', '1.0.1', '1.0.3']) {
      const ok = await lrs.xapi({ method: 'GET', url: '/xapi/statements', headers: { 'x-experience-api-version': v } });
      t.equal(ok.statusCode, 200, v);
      t.equal(ok.headers['x-experience-api-version'], '1.0.3');
    }
  });

  t.test('credentials', async (t) => {
    const none = await lrs.xapi({ method: 'GET', url: '/xapi/statements', as: null });
    t.equal(none.statusCode, 401);
    t.match(String(none.headers['www-authenticate']), /^Basic realm=/);
    const wrong = await lrs.xapi({ method: 'GET', url: '/xapi/statements', headers: { authorization: basic({ key: lrs.admin.key, secret: 'nope' }) } });
    t.equal(wrong.statusCode, 401);
    const about = await lrs.app.inject({ method: 'GET', url: '/xapi/about' });
    t.equal(about.statusCode, 200, '/about needs neither credentials nor version');
    t.ok(about.json().version.includes('1.0.3'));
  });

  t.test('scopes', async (t) => {
    const writer = await lrs.issue('writer', ['statements/write']);
    const mine = await lrs.issue('mine', ['statements/write', 'statements/read/mine']);
    const reader = await lrs.issue('reader', ['all/read']);
    const byWriter = await lrs.xapi({ method: 'POST', url: '/xapi/statements', payload, headers, as: writer });
    t.equal(byWriter.statusCode, 200);
    t.equal((await lrs.xapi({ method: 'GET', url: '/xapi/statements', as: writer })).statusCode, 403, 'write-only cannot read');
    t.equal((await lrs.xapi({ method: 'POST', url: '/xapi/statements', payload, headers, as: reader })).statusCode, 403, 'read-only cannot write');
    const own = (await lrs.xapi({ method: 'POST', url: '/xapi/statements', payload, headers, as: mine })).json()[0];
    const seen = (await lrs.xapi({ method: 'GET', url: '/xapi/statements', as: mine })).json().statements.map((s: { id: string }) => s.id);
    t.same(seen, [own], 'statements/read/mine sees only its own');
    const other = byWriter.json()[0];
    t.equal((await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${other}`, as: mine })).statusCode, 404);
    t.equal((await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${other}`, as: reader })).statusCode, 200);
  });

  t.test('CORS preflight allows the xAPI headers, never credentials', async (t) => {
    const res = await lrs.app.inject({ method: 'OPTIONS', url: '/xapi/statements', headers: { origin: 'https://content.example', 'access-control-request-method': 'PUT' } });
    t.equal(res.statusCode, 204);
    t.equal(res.headers['access-control-allow-origin'], '*');
    t.match(String(res.headers['access-control-allow-headers']), /X-Experience-API-Version/);
    t.notOk(res.headers['access-control-allow-credentials']);
  });

  t.test('HEAD answers like GET without a body', async (t) => {
    const res = await lrs.xapi({ method: 'HEAD', url: '/xapi/statements' });
    t.equal(res.statusCode, 200);
    t.equal(res.body, '');
    t.ok(res.headers['x-experience-api-consistent-through']);
  });

  t.test('alternate request syntax', async (t) => {
    const id = randomUUID();
    const form = new URLSearchParams({
      'X-Experience-API-Version': '1.0.3',
      Authorization: basic(lrs.admin),
      'Content-Type': 'application/json',
      statementId: id,
      content: payload,
    }).toString();
    const put = await lrs.app.inject({ method: 'POST', url: '/xapi/statements?method=PUT', payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    t.equal(put.statusCode, 204, put.body);
    const getForm = new URLSearchParams({ 'X-Experience-API-Version': '1.0.3', Authorization: basic(lrs.admin), statementId: id }).toString();
    const get = await lrs.app.inject({ method: 'POST', url: '/xapi/statements?method=GET', payload: getForm, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    t.equal(get.statusCode, 200);
    t.equal(get.json().id, id);
    const extra = await lrs.app.inject({ method: 'POST', url: `/xapi/statements?method=GET&statementId=${id}`, payload: getForm, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    t.equal(extra.statusCode, 400, 'other query parameters are refused');
  });

  t.test('bad bodies are 4xx, never 500', async (t) => {
    const cases: Array<[string, string, string, number]> = [
      ['malformed JSON', '{"actor":', 'application/json', 400],
      ['wrong content type', payload, 'text/csv', 400],
      ['multipart/form-data', payload, 'multipart/form-data; boundary=x', 400],
      ['a JSON string', '"hello"', 'application/json', 400],
      ['an empty array', '[]', 'application/json', 400],
    ];
    for (const [name, body, type, status] of cases) {
      const res = await lrs.xapi({ method: 'POST', url: '/xapi/statements', payload: body, headers: { 'content-type': type } });
      t.equal(res.statusCode, status, name);
    }
  });

  t.test('health and docs', async (t) => {
    t.same((await lrs.app.inject({ method: 'GET', url: '/health' })).json(), { status: 'ok' });
    const doc = (await lrs.app.inject({ method: 'GET', url: '/docs/json' })).json();
    t.ok(doc.paths['/xapi/statements'].get, 'OpenAPI describes GET /xapi/statements');
  });
});
