import t from 'tap';
import { safeNext } from '../../src/web/index.js';
import { createTestApp, sessionCookieOf, type TestApp } from '../fixtures/test-app.js';

function manualClock(start = Date.parse('2025-03-01T08:00:00Z')) {
  let current = start;
  return { now: () => current, advance: (ms: number) => (current += ms) };
}

const signIn = (lrs: TestApp, email: string, password: string, remoteAddress = '10.0.0.1') =>
  lrs.app.inject({ method: 'POST', url: '/api/session', remoteAddress, payload: { email, password } });

/** A visitor's first page: its anonymous session cookie and the form's CSRF token. */
async function openForm(lrs: TestApp, url: string) {
  const res = await lrs.app.inject({ method: 'GET', url });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
  return { res, cookie: sessionCookieOf(res)!, csrf: csrf! };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = (cookie: string) => ({ cookie, 'content-type': 'application/x-www-form-urlencoded' });

t.test('per-account lock-out: N failures lock the account, even for the right password, until the window passes', async (t) => {
  const clock = manualClock();
  const lrs = await createTestApp({ 'login-max-failures': '3', 'login-lock-minutes': '15' }, { now: clock.now });
  t.teardown(() => lrs.close());
  const learner = await lrs.addUser([{ role: 'learner' }]);
  const admin = await lrs.signIn(await lrs.addUser([{ role: 'admin' }]));

  for (let i = 1; i <= 3; i++) {
    const res = await signIn(lrs, learner.email, `wrong guess ${i}`);
    t.equal(res.statusCode, 401, `failure ${i}`);
    t.equal(res.json().error, 'sign-in-failed');
    t.equal(res.json().parameter, 'password');
  }
  const locked = await signIn(lrs, learner.email, learner.password);
  t.equal(locked.statusCode, 401, 'the right password is refused while locked');
  t.equal(locked.json().error, 'account-locked');
  t.equal(locked.json().lockedUntil, new Date(clock.now() + 15 * 60_000).toISOString());
  t.equal(sessionCookieOf(locked), null, 'no session');

  clock.advance(14 * 60_000);
  t.equal((await signIn(lrs, learner.email, learner.password)).json().error, 'account-locked', 'still locked after 14 minutes');
  clock.advance(61_000);
  const admitted = await signIn(lrs, learner.email, learner.password);
  t.equal(admitted.statusCode, 200, 'the window has passed');

  const failuresAgain = await signIn(lrs, learner.email, 'wrong again');
  t.equal(failuresAgain.json().error, 'sign-in-failed', 'a success started the count again: one failure does not lock');

  const events = (await lrs.as(admin, { method: 'GET', url: `/api/audit?subject=user:${learner.user.id}` })).json().events as Array<{ action: string; detail: { reason?: string }; ip: string }>;
  const attempts = events.filter((e) => e.action.startsWith('sign-in.'));
  t.equal(attempts.length, 7, 'every attempt is audited');
  t.same(
    attempts.map((e) => `${e.action}${e.detail.reason ? `:${e.detail.reason}` : ''}`).reverse(),
    ['sign-in.failed:wrong-password', 'sign-in.failed:wrong-password', 'sign-in.failed:wrong-password', 'sign-in.failed:locked', 'sign-in.failed:locked', 'sign-in.succeeded', 'sign-in.failed:wrong-password'],
  );
  t.equal(attempts[0].ip, '10.0.0.1');
});

t.test('per-address throttling: past LOGIN_RATE_LIMIT a minute, 429 with Retry-After, for any account', async (t) => {
  const clock = manualClock();
  const lrs = await createTestApp({ 'login-rate-limit': '3', 'login-max-failures': '100' }, { now: clock.now });
  t.teardown(() => lrs.close());
  const learner = await lrs.addUser([{ role: 'learner' }]);
  for (let i = 0; i < 3; i++) t.equal((await signIn(lrs, `guess${i}@academy.example`, 'nope', '10.0.0.9')).statusCode, 401);
  const throttled = await signIn(lrs, learner.email, learner.password, '10.0.0.9');
  t.equal(throttled.statusCode, 429);
  t.equal(throttled.json().error, 'too-many-attempts');
  t.ok(Number(throttled.headers['retry-after']) > 0);
  const page = await openForm(lrs, '/sign-in');
  const throttledPage = await lrs.app.inject({ method: 'POST', url: '/sign-in', remoteAddress: '10.0.0.9', headers: formHeaders(page.cookie), payload: form({ _csrf: page.csrf, email: learner.email, password: learner.password }) });
  t.equal(throttledPage.statusCode, 429, 'the sign-in page counts too');
  t.match(throttledPage.body, 'Too many sign-in attempts');
  t.equal((await signIn(lrs, learner.email, learner.password, '10.0.0.10')).statusCode, 200, 'another address is not affected');
  clock.advance(60_000);
  t.equal((await signIn(lrs, learner.email, learner.password, '10.0.0.9')).statusCode, 200, 'a minute later the address may try again');
});

t.test('session fixation: the id a browser held before signing in is worthless after', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const learner = await lrs.addUser([{ role: 'learner' }]);
  const before = await openForm(lrs, '/sign-in');
  t.ok(before.cookie, 'an anonymous session holds the form token');
  const res = await lrs.app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: formHeaders(before.cookie),
    payload: form({ _csrf: before.csrf, email: learner.email, password: learner.password, next: '/account' }),
  });
  t.equal(res.statusCode, 303, res.body);
  const after = sessionCookieOf(res)!;
  t.ok(after);
  t.not(after, before.cookie, 'a new session id at sign-in');
  t.equal((await lrs.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: before.cookie } })).statusCode, 401, 'the old id was ended');
  t.equal((await lrs.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: after } })).statusCode, 200);

  const planted = await lrs.app.inject({ method: 'POST', url: '/api/session', headers: { cookie: 'cadet_session=attacker-chosen-id' }, payload: { email: learner.email, password: learner.password } });
  t.equal(planted.statusCode, 200);
  t.not(sessionCookieOf(planted), 'cadet_session=attacker-chosen-id');
  t.equal((await lrs.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: 'cadet_session=attacker-chosen-id' } })).statusCode, 401, 'an unsigned id is ignored');
});

t.test('the session cookie: signed, HttpOnly, SameSite=Lax; Secure under https; sign-out ends it', async (t) => {
  for (const [publicUrl, secure] of [['http://localhost:8080', false], ['https://academy.example', true]] as const) {
    const lrs = await createTestApp({ 'public-url': publicUrl });
    t.teardown(() => lrs.close());
    const learner = await lrs.addUser([{ role: 'learner' }]);
    const res = await signIn(lrs, learner.email, learner.password);
    const cookie = (res.cookies as Array<Record<string, unknown>>).find((c) => c.name === 'cadet_session')!;
    t.equal(cookie.httpOnly, true);
    t.equal(cookie.sameSite, 'Lax');
    t.equal(cookie.path, '/');
    t.equal(Boolean(cookie.secure), secure, `Secure ${secure} for ${publicUrl}`);
    t.match(String(cookie.value), /^[\w-]+\.[\w\-+/=]+$/, 'id.signature');
    t.match((await lrs.store.users.get(learner.user.id))!.passwordHash, /^\$argon2id\$/, 'the password is hashed with argon2id');
    const session = { cookie: sessionCookieOf(res)!, csrfToken: res.json().csrfToken as string, userId: learner.user.id };
    t.equal((await lrs.as(session, { method: 'DELETE', url: '/api/session', csrf: true })).statusCode, 204);
    t.equal((await lrs.as(session, { method: 'GET', url: '/api/session' })).statusCode, 401, 'signed out');
  }
});

t.test('CSRF: forms need the session token; JSON API routes refuse simple requests', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const learner = await lrs.addUser([{ role: 'learner' }]);
  const adminUser = await lrs.addUser([{ role: 'admin' }]);
  const admin = await lrs.signIn(adminUser);

  const page = await openForm(lrs, '/request-access');
  const fields = { name: 'A B', email: 'ab@police.example', agency: 'Police', country: 'FR', position: 'Officer', reason: 'Training' };
  const noToken = await lrs.app.inject({ method: 'POST', url: '/request-access', headers: formHeaders(page.cookie), payload: form(fields) });
  t.equal(noToken.statusCode, 403, 'a form POST without the token');
  t.match(noToken.body, 'data-error="csrf-check-failed"');
  const wrongToken = await lrs.app.inject({ method: 'POST', url: '/request-access', headers: formHeaders(page.cookie), payload: form({ ...fields, _csrf: 'x'.repeat(43) }) });
  t.equal(wrongToken.statusCode, 403, 'a form POST with another token');
  const noSession = await lrs.app.inject({ method: 'POST', url: '/request-access', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ ...fields, _csrf: page.csrf }) });
  t.equal(noSession.statusCode, 403, "a token without its session (another visitor's)");
  const good = await lrs.app.inject({ method: 'POST', url: '/request-access', headers: formHeaders(page.cookie), payload: form({ ...fields, _csrf: page.csrf }) });
  t.equal(good.statusCode, 303);
  t.equal(good.headers.location, '/request-access/sent');

  const suspend = await lrs.app.inject({ method: 'POST', url: `/users/${learner.user.id}/suspend`, headers: formHeaders(admin.cookie), payload: form({}) });
  t.equal(suspend.statusCode, 403, 'a signed-in form POST without the token');
  t.equal((await lrs.store.users.get(learner.user.id))!.status, 'active', 'nothing changed');

  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const res = await lrs.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': type },
      payload: type === 'text/plain' ? JSON.stringify({ email: learner.email, password: learner.password }) : form({ email: learner.email, password: learner.password }),
    });
    t.equal(res.statusCode, 403, `POST /api/session as ${type}`);
    t.equal(res.json().error, 'csrf-check-failed');
    t.equal(res.json().header, 'Content-Type');
    const apiAsAdmin = await lrs.app.inject({ method: 'POST', url: '/api/credentials', headers: { cookie: admin.cookie, 'content-type': type }, payload: 'name=stolen' });
    t.equal(apiAsAdmin.statusCode, 403, `POST /api/credentials as ${type}, even with the cookie`);
  }
  const revokeless = await lrs.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: admin.cookie } });
  t.equal(revokeless.statusCode, 403, 'DELETE without JSON or X-CSRF-Token');
  const header = await lrs.app.inject({ method: 'PUT', url: `/api/users/${learner.user.id}/status`, headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken, 'content-type': 'text/plain' }, payload: '{"status":"suspended"}' });
  t.not(header.statusCode, 403, 'the X-CSRF-Token header passes the check (the body is then refused for its type)');
});

t.test('open redirects: after sign-in, only same-site relative paths are followed', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const learner = await lrs.addUser([{ role: 'learner' }]);
  const cases: Array<[string, string]> = [
    ['https://evil.example', '/account'],
    ['//evil.example/path', '/account'],
    ['/\\evil.example', '/account'],
    ['javascript:alert(1)', '/account'],
    ['/account?tab=roles#top', '/account?tab=roles#top'],
  ];
  for (const [next, expected] of cases) {
    const shown = await lrs.app.inject({ method: 'GET', url: `/sign-in?next=${encodeURIComponent(next)}` });
    t.match(shown.body, `name="next" value="${expected.replace(/&/g, '&amp;')}"`, `the form keeps ${expected} for ${next}`);
    const page = await openForm(lrs, '/sign-in');
    const res = await lrs.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: formHeaders(page.cookie),
      payload: form({ _csrf: page.csrf, email: learner.email, password: learner.password, next }),
    });
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, expected, `next=${next}`);
  }
  const anonymous = await lrs.app.inject({ method: 'GET', url: '/users?x=1' });
  t.equal(anonymous.statusCode, 303, 'a page that needs a user sends to sign-in');
  t.equal(anonymous.headers.location, '/sign-in?next=%2Fusers%3Fx%3D1');
});

t.test('safeNext', async (t) => {
  const cases: Array<[unknown, string]> = [
    ['/users', '/users'],
    ['/a/../b', '/b'],
    ['http://localhost:8080/users', '/home'],
    ['//x', '/home'],
    ['/\\x', '/home'],
    ['/%0d%0aSet-Cookie:x', '/%0d%0aSet-Cookie:x'],
    ['/\u0000', '/home'],
    ['users', '/home'],
    [undefined, '/home'],
    [['/users'], '/home'],
  ];
  for (const [input, expected] of cases) t.equal(safeNext(input, '/home'), expected, JSON.stringify(input));
});

t.test('suspension ends sessions at once and refuses sign-in; reactivation restores it', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const learner = await lrs.addUser([{ role: 'learner' }]);
  const adminUser = await lrs.addUser([{ role: 'admin' }]);
  const admin = await lrs.signIn(adminUser);
  const session = await lrs.signIn(learner);
  const res = await lrs.as(admin, { method: 'PUT', url: `/api/users/${learner.user.id}/status`, payload: { status: 'suspended' } });
  t.equal(res.statusCode, 200, res.body);
  t.equal(res.json().user.status, 'suspended');
  t.equal((await lrs.as(session, { method: 'GET', url: '/api/session' })).statusCode, 401);
  t.equal((await signIn(lrs, learner.email, learner.password)).statusCode, 401);
  const self = await lrs.as(admin, { method: 'PUT', url: `/api/users/${admin.userId}/status`, payload: { status: 'suspended' } });
  t.equal(self.statusCode, 409, 'an admin cannot suspend themself');
  await lrs.as(admin, { method: 'PUT', url: `/api/users/${learner.user.id}/status`, payload: { status: 'active' } });
  t.equal((await signIn(lrs, learner.email, learner.password)).statusCode, 200);
});
