import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { createTestApp, sessionCookieOf, type SignedIn, type TestApp } from '../fixtures/test-app.js';

const webDir = path.resolve(import.meta.dirname, '../../src/web');
const form = (fields: Record<string, string | string[]>) => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) params.append(name, v);
  return params.toString();
};

/** A browser-like visitor: keeps the session cookie, reads the CSRF token from each page. */
function visitor(lrs: TestApp, session: SignedIn | null = null) {
  let cookie = session?.cookie ?? '';
  let csrf = '';
  const remember = (res: { body: string } & Parameters<typeof sessionCookieOf>[0]) => {
    cookie = sessionCookieOf(res) ?? cookie;
    csrf = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1] ?? csrf;
    return res;
  };
  return {
    get: async (url: string) => remember(await lrs.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} })),
    post: async (url: string, fields: Record<string, string | string[]>) =>
      remember(await lrs.app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: csrf, ...fields }) })),
  };
}

/** Every input, select and textarea that is not hidden has a label pointing at it. */
function unlabelled(html: string): string[] {
  const ids = [...html.matchAll(/<(input|select|textarea)\b([^>]*)>/g)]
    .filter(([, , attrs]) => !/type="hidden"/.test(attrs))
    .map(([, tag, attrs]) => /\bid="([^"]+)"/.exec(attrs)?.[1] ?? `${tag} without id`);
  return ids.filter((id) => !html.includes(`for="${id}"`));
}

t.test('every page: lang and dir, labelled controls, navigation by role', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const admin = await lrs.signIn(await lrs.addUser([{ role: 'admin' }]));
  const learner = await lrs.signIn(await lrs.addUser([{ role: 'learner' }]));
  await lrs.app.inject({ method: 'POST', url: '/api/access-requests', payload: { name: 'N', email: 'n@x.example', agency: 'A', country: 'FR', position: 'P', reason: 'R' } });
  const pages: Array<[string, SignedIn | null]> = [
    ['/sign-in', null],
    ['/request-access', null],
    ['/request-access/sent', null],
    ['/forgot-password', null],
    ['/set-password?token=unknown', null],
    ['/account', learner],
    ['/access-requests', admin],
    ['/users', admin],
    ['/credentials', admin],
    ['/outbox', admin],
  ];
  for (const [url, session] of pages) {
    const res = await lrs.as(session, { method: 'GET', url });
    t.ok(res.statusCode === 200 || url.startsWith('/set-password'), `${url}: ${res.statusCode}`);
    t.match(res.headers['content-type'], /^text\/html/);
    t.match(res.body, /<html lang="en" dir="ltr">/, `${url}: lang and dir`);
    t.match(res.body, /<h1>[^<]+<\/h1>/, `${url}: a heading`);
    t.same(unlabelled(res.body), [], `${url}: every control has a label`);
    t.match(res.headers['content-security-policy'], "frame-ancestors 'none'");
    t.equal(res.headers['referrer-policy'], 'no-referrer');
  }
  const adminNav = (await lrs.as(admin, { method: 'GET', url: '/account' })).body;
  const learnerNav = (await lrs.as(learner, { method: 'GET', url: '/account' })).body;
  for (const link of ['/users', '/credentials', '/outbox', '/access-requests']) {
    t.match(adminNav, `href="${link}"`, `admins see ${link}`);
    t.notMatch(learnerNav, `href="${link}"`, `learners do not see ${link}`);
  }
  const css = await lrs.app.inject({ method: 'GET', url: '/static/cadet.css' });
  t.equal(css.statusCode, 200);
  t.match(css.body, ':focus-visible');
});

t.test('every message key the pages use is in the English catalogue', async (t) => {
  const catalogue = JSON.parse(fs.readFileSync(path.join(webDir, 'i18n/en.json'), 'utf8')) as Record<string, string>;
  const sources = ['views', 'pages']
    .flatMap((dir) => fs.readdirSync(path.join(webDir, dir)).map((f) => path.join(webDir, dir, f)))
    .concat([path.join(webDir, 'page-kit.ts')]);
  const used = new Set<string>();
  for (const file of sources) for (const m of fs.readFileSync(file, 'utf8').matchAll(/\bt\('([a-z0-9.-]+)'/g)) used.add(m[1]);
  const dynamic = [...used].filter((k) => k.endsWith('.'));
  for (const prefix of dynamic) t.ok(Object.keys(catalogue).some((k) => k.startsWith(prefix)), `keys under ${prefix}`);
  t.same([...used].filter((k) => !k.endsWith('.') && !(k in catalogue)), [], 'no key is missing');
  for (const role of ['learner', 'author', 'analyst', 'approver', 'admin']) t.ok(`role.${role}` in catalogue);
});

t.test('the access workflow through the pages', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const approver = await lrs.signIn(await lrs.addUser([{ role: 'approver', countries: ['ES'] }]));
  const admin = await lrs.signIn(await lrs.addUser([{ role: 'admin' }]));

  const requester = visitor(lrs);
  t.match((await requester.get('/request-access')).body, '<option value="ES">Spain</option>');
  const fields = { name: 'Lucía García', email: 'lucia@policia.example', agency: 'Policía Nacional', country: 'ES', position: 'Inspectora', reason: 'Curso de entrevistas' };
  const bad = await requester.post('/request-access', { ...fields, email: 'lucia at policia' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /<input id="f-email"[^>]*aria-invalid="true"[^>]*aria-describedby="h-email e-email"/, 'the field is marked invalid and described');
  t.match(bad.body, 'Enter an e-mail address like name@agency.example.');
  t.match(bad.body, 'value="Policía Nacional"', 'what was typed is kept');
  const sent = await requester.post('/request-access', fields);
  t.equal(sent.statusCode, 303);
  t.match((await requester.get('/request-access/sent')).body, 'Request received');
  const repeated = await requester.post('/request-access', fields);
  t.equal(repeated.statusCode, 409);
  t.match(repeated.body, 'already waiting for a decision');

  const queue = visitor(lrs, approver);
  const listed = await queue.get('/access-requests');
  t.match(listed.body, 'Lucía García');
  const id = /action="\/access-requests\/([\w-]+)\/approve"/.exec(listed.body)![1];
  const approved = await queue.post(`/access-requests/${id}/approve`, {});
  t.equal(approved.statusCode, 303);
  t.match((await queue.get('/access-requests?status=approved')).body, 'Lucía García');

  const outbox = await visitor(lrs, admin).get('/outbox');
  t.match(outbox.body, 'lucia@policia.example');
  const token = /set-password\?token=([\w-]+)/.exec(outbox.body)![1];

  const newcomer = visitor(lrs);
  t.match((await newcomer.get(`/set-password?token=${token}`)).body, 'For the account lucia@policia.example');
  const mismatch = await newcomer.post('/set-password', { token, password: 'un mot de passe long', confirm: 'something else entirely' });
  t.equal(mismatch.statusCode, 400);
  t.match(mismatch.body, 'The two passwords are not the same.');
  const set = await newcomer.post('/set-password', { token, password: 'un mot de passe long', confirm: 'un mot de passe long' });
  t.equal(set.statusCode, 303);
  t.equal(set.headers.location, '/sign-in?done=password-set');
  t.match((await newcomer.get('/sign-in?done=password-set')).body, 'Your password is set.');
  const signedIn = await newcomer.post('/sign-in', { email: 'lucia@policia.example', password: 'un mot de passe long', next: '/account' });
  t.equal(signedIn.headers.location, '/account');
  const account = await newcomer.get('/account');
  t.match(account.body, 'Lucía García');
  t.match(account.body, 'Spain');
  const wrong = await newcomer.post('/sign-in', { email: 'lucia@policia.example', password: 'not the password' });
  t.equal(wrong.statusCode, 401);
  t.match(wrong.body, /<input id="f-password"[^>]*aria-invalid="true"/);
});

t.test('user administration and LRS credentials through the pages', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const admin = visitor(lrs, await lrs.signIn(await lrs.addUser([{ role: 'admin' }])));
  const learner = await lrs.addUser([{ role: 'learner' }]);
  await admin.get('/users');
  t.equal((await admin.post(`/users/${learner.user.id}/suspend`, {})).statusCode, 303);
  t.equal((await lrs.store.users.get(learner.user.id))!.status, 'suspended');
  t.match((await admin.get('/users')).body, 'Reactivate');
  t.equal((await admin.post(`/users/${learner.user.id}/reactivate`, {})).statusCode, 303);
  t.equal((await admin.post(`/users/${learner.user.id}/roles`, { roles: ['learner', 'approver'], countries_approver: 'fr, be' })).statusCode, 303);
  t.same((await lrs.store.users.get(learner.user.id))!.roles, [{ role: 'learner' }, { role: 'approver', countries: ['FR', 'BE'] }]);
  const noCountry = await admin.post(`/users/${learner.user.id}/roles`, { roles: ['approver'] });
  t.equal(noCountry.statusCode, 400);
  t.match(noCountry.body, 'A bureau approver needs at least one country.');

  await admin.get('/credentials');
  const created = await admin.post('/credentials', { name: 'Moodle bridge', scopes: ['statements/write', 'statements/read'] });
  t.equal(created.statusCode, 201);
  const key = /<dt>Key<\/dt><dd><code>([0-9a-f]+)<\/code>/.exec(created.body)![1];
  const secret = /<dt>Secret<\/dt><dd><code>([\w-]+)<\/code>/.exec(created.body)![1];
  const about = await lrs.app.inject({ method: 'GET', url: '/xapi/statements', headers: { 'x-experience-api-version': '1.0.3', authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}` } });
  t.equal(about.statusCode, 200, 'the new credential works on the LRS');
  t.notMatch((await admin.get('/credentials')).body, secret, 'the secret is never shown again');
  t.equal((await admin.post(`/credentials/${key}/revoke`, {})).statusCode, 303);
  const revoked = await lrs.app.inject({ method: 'GET', url: '/xapi/statements', headers: { 'x-experience-api-version': '1.0.3', authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}` } });
  t.equal(revoked.statusCode, 401, 'revoked at once');
});

t.test('the OpenAPI document describes the API twins, not the pages', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const doc = (await lrs.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
  for (const [p, method] of [['/api/session', 'post'], ['/api/session', 'get'], ['/api/session', 'delete'], ['/api/access-requests', 'post'], ['/api/access-requests/{id}/approve', 'post'], ['/api/access-requests/{id}/reject', 'post'], ['/api/users/{id}/status', 'put'], ['/api/users/{id}/roles', 'put'], ['/api/credentials', 'post'], ['/api/credentials/{key}', 'delete'], ['/api/outbox', 'get'], ['/api/password', 'post']] as const) {
    t.ok(doc.paths[p]?.[method], `${method.toUpperCase()} ${p}`);
  }
  t.notOk(doc.paths['/sign-in'], 'pages are not in the API document');
});
