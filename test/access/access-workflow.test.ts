import t from 'tap';
import { createTestApp, sessionCookieOf, type TestApp } from '../fixtures/test-app.js';

const day = 86_400_000;

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2025-03-01T08:00:00Z')) {
  let current = start;
  return { now: () => current, advance: (ms: number) => (current += ms) };
}

const requestBody = (email: string, country = 'FR') => ({
  name: 'Camille Martin',
  email,
  agency: 'Police nationale',
  country,
  position: 'Brigadier',
  reason: 'Course on evidence handling',
});

async function submit(lrs: TestApp, body: object) {
  return lrs.app.inject({ method: 'POST', url: '/api/access-requests', payload: body });
}

/** The invitation link's token, read from the newest message to `email` in the outbox (through the admin's API). */
async function invitationToken(lrs: TestApp, admin: Awaited<ReturnType<TestApp['signIn']>>, email: string) {
  const outbox = await lrs.as(admin, { method: 'GET', url: '/api/outbox' });
  const message = (outbox.json().messages as Array<{ to: string; text: string; kind: string }>).find((m) => m.to === email);
  const token = /\/set-password\?token=([A-Za-z0-9_-]+)/.exec(message?.text ?? '')?.[1];
  return { message, token };
}

t.test('request → approval by the right country → invitation → password → sign-in', async (t) => {
  const clock = manualClock();
  const lrs = await createTestApp({}, { now: clock.now });
  t.teardown(() => lrs.close());
  const approverFrUser = await lrs.addUser([{ role: 'approver', countries: ['FR', 'BE'] }]);
  const adminUser = await lrs.addUser([{ role: 'admin' }]);
  let approverFr = await lrs.signIn(approverFrUser);
  const approverDe = await lrs.signIn(await lrs.addUser([{ role: 'approver', countries: ['DE'] }]));
  let admin = await lrs.signIn(adminUser);
  const email = 'Camille.Martin@Interieur.example';

  const submitted = await submit(lrs, requestBody(email));
  t.equal(submitted.statusCode, 201, submitted.body);
  const { request } = submitted.json();
  t.equal(request.status, 'pending');
  t.equal(request.stale, false);

  t.test('the same address again, in any case, is refused naming the field', async (t) => {
    const again = await submit(lrs, requestBody(email.toLowerCase()));
    t.equal(again.statusCode, 409);
    t.equal(again.json().error, 'access-request-pending');
    t.equal(again.json().parameter, 'email');
  });

  t.test('the queue: approvers of the country see it, others do not; learners may not look', async (t) => {
    const fr = await lrs.as(approverFr, { method: 'GET', url: '/api/access-requests' });
    t.same(fr.json().requests.map((r: { id: string }) => r.id), [request.id]);
    const de = await lrs.as(approverDe, { method: 'GET', url: '/api/access-requests' });
    t.same(de.json().requests, []);
    const all = await lrs.as(admin, { method: 'GET', url: '/api/access-requests' });
    t.same(all.json().requests.map((r: { id: string }) => r.id), [request.id]);
  });

  t.test('an approver of another country cannot approve: 403, and nothing changes', async (t) => {
    const res = await lrs.as(approverDe, { method: 'POST', url: `/api/access-requests/${request.id}/approve`, payload: {} });
    t.equal(res.statusCode, 403);
    t.equal(res.json().error, 'access-request-other-country');
    const still = await lrs.as(admin, { method: 'GET', url: '/api/access-requests?status=pending' });
    t.equal(still.json().requests.length, 1);
  });

  t.test('after the stale period the request is flagged in the queue', async (t) => {
    clock.advance(8 * day);
    const expired = await lrs.as(approverFr, { method: 'GET', url: '/api/session' });
    t.equal(expired.statusCode, 401, 'sessions expire (SESSION_TTL_MINUTES)');
    approverFr = await lrs.signIn(approverFrUser);
    admin = await lrs.signIn(adminUser);
    const res = await lrs.as(approverFr, { method: 'GET', url: '/api/access-requests' });
    t.equal(res.json().requests[0].stale, true);
    const page = await lrs.as(approverFr, { method: 'GET', url: '/access-requests' });
    t.match(page.body, 'Waiting more than 7 days');
  });

  let userId = '';
  t.test('the approver of the country approves: a learner account, an invitation in the outbox', async (t) => {
    const res = await lrs.as(approverFr, { method: 'POST', url: `/api/access-requests/${request.id}/approve`, payload: {} });
    t.equal(res.statusCode, 200, res.body);
    const body = res.json();
    t.equal(body.request.status, 'approved');
    t.same(body.user.roles, [{ role: 'learner' }]);
    t.equal(body.user.hasPassword, false);
    t.equal(body.user.country, 'FR');
    userId = body.user.id;
    const twice = await lrs.as(approverFr, { method: 'POST', url: `/api/access-requests/${request.id}/approve`, payload: {} });
    t.equal(twice.statusCode, 409, 'a decided request cannot be decided again');
    const { message } = await invitationToken(lrs, admin, email);
    t.equal(message?.kind, 'invitation');
    const audit = await lrs.as(admin, { method: 'GET', url: `/api/audit?subject=access-request:${request.id}` });
    const approved = audit.json().events.find((e: { action: string }) => e.action === 'access-request.approved');
    t.equal(approved?.actorId, approverFr.userId, 'the audit trail says who approved');
    t.equal(approved?.at, new Date(clock.now()).toISOString(), 'and when');
  });

  t.test('a request from an address that has an account is refused', async (t) => {
    const res = await submit(lrs, requestBody(email));
    t.equal(res.statusCode, 409);
    t.equal(res.json().error, 'account-exists');
    t.equal(res.json().parameter, 'email');
  });

  t.test('the link sets the password once; the learner signs in and GET /api/session shows them', async (t) => {
    const { token } = await invitationToken(lrs, admin, email);
    t.ok(token, 'the mail holds a set-password link');
    const form = await lrs.app.inject({ method: 'GET', url: `/set-password?token=${token}` });
    t.equal(form.statusCode, 200);
    t.match(form.body, 'choose your password');
    const short = await lrs.app.inject({ method: 'POST', url: '/api/password', payload: { token, password: 'short' } });
    t.equal(short.statusCode, 400);
    t.equal(short.json().parameter, 'password');
    const set = await lrs.app.inject({ method: 'POST', url: '/api/password', payload: { token, password: 'a long enough passphrase' } });
    t.equal(set.statusCode, 200, set.body);
    const reuse = await lrs.app.inject({ method: 'POST', url: '/api/password', payload: { token, password: 'another long passphrase' } });
    t.equal(reuse.statusCode, 400, 'the link is single-use');
    t.equal(reuse.json().error, 'token-invalid');

    const signIn = await lrs.app.inject({ method: 'POST', url: '/api/session', payload: { email: email.toUpperCase(), password: 'a long enough passphrase' } });
    t.equal(signIn.statusCode, 200, signIn.body);
    t.equal(signIn.json().user.id, userId);
    const cookie = sessionCookieOf(signIn)!;
    const me = await lrs.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
    t.equal(me.statusCode, 200);
    t.equal(me.json().user.email, email);
    t.same(me.json().user.roles, [{ role: 'learner' }]);
    const queue = await lrs.app.inject({ method: 'GET', url: '/api/access-requests', headers: { cookie } });
    t.equal(queue.statusCode, 403, 'a learner sees no queue');
  });
});

t.test('rejection records a reason, mails it, and is audited', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const approver = await lrs.signIn(await lrs.addUser([{ role: 'approver', countries: ['BE'] }]));
  const admin = await lrs.signIn(await lrs.addUser([{ role: 'admin' }]));
  const { request } = (await submit(lrs, requestBody('someone@police.example', 'BE'))).json();
  const noReason = await lrs.as(approver, { method: 'POST', url: `/api/access-requests/${request.id}/reject`, payload: {} });
  t.equal(noReason.statusCode, 400);
  t.equal(noReason.json().parameter, 'reason');
  const res = await lrs.as(approver, { method: 'POST', url: `/api/access-requests/${request.id}/reject`, payload: { reason: 'Not a member of a partner agency' } });
  t.equal(res.statusCode, 200, res.body);
  t.equal(res.json().request.status, 'rejected');
  t.equal(res.json().request.rejectionReason, 'Not a member of a partner agency');
  t.equal(res.json().request.decidedBy, approver.userId);
  const { message } = await invitationToken(lrs, admin, 'someone@police.example');
  t.equal(message?.kind, 'access-request-rejected');
  t.match(message?.text, 'Not a member of a partner agency');
  const audit = (await lrs.as(admin, { method: 'GET', url: '/api/audit' })).json().events as Array<{ action: string; detail: { reason?: string } }>;
  t.equal(audit.find((e) => e.action === 'access-request.rejected')?.detail.reason, 'Not a member of a partner agency');
  const again = await submit(lrs, requestBody('someone@police.example', 'BE'));
  t.equal(again.statusCode, 201, 'after a rejection the person may ask again');
});

t.test('the request form names the field that is wrong', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const cases: Array<[string, object, string]> = [
    ['bad e-mail', { ...requestBody('not-an-address') }, 'email'],
    ['unknown country', { ...requestBody('a@b.example', 'XX') }, 'country'],
    ['empty reason', { ...requestBody('a@b.example'), reason: '  ' }, 'reason'],
    ['missing agency', { ...requestBody('a@b.example'), agency: undefined }, 'agency'],
  ];
  for (const [name, body, field] of cases) {
    const res = await submit(lrs, body);
    t.equal(res.statusCode, 400, name);
    t.equal(res.json().parameter, field, name);
  }
});

t.test('password reset: a single-use link that expires; unknown addresses get the same answer', async (t) => {
  const clock = manualClock();
  const lrs = await createTestApp({ 'password-reset-ttl-minutes': '30' }, { now: clock.now });
  t.teardown(() => lrs.close());
  const learner = await lrs.addUser([{ role: 'learner' }]);
  const admin = await lrs.signIn(await lrs.addUser([{ role: 'admin' }]));
  const unknown = await lrs.app.inject({ method: 'POST', url: '/api/password-resets', payload: { email: 'nobody@nowhere.example' } });
  t.equal(unknown.statusCode, 202);
  const known = await lrs.app.inject({ method: 'POST', url: '/api/password-resets', payload: { email: learner.email } });
  t.equal(known.statusCode, 202);
  t.same(known.json(), unknown.json(), 'the answer does not tell whether the account exists');
  const first = (await invitationToken(lrs, admin, learner.email)).token!;
  clock.advance(31 * 60_000);
  const late = await lrs.app.inject({ method: 'POST', url: '/api/password', payload: { token: first, password: 'a brand new passphrase' } });
  t.equal(late.statusCode, 400, 'expired');
  const page = await lrs.app.inject({ method: 'GET', url: `/set-password?token=${first}` });
  t.match(page.body, 'This link no longer works');
  await lrs.app.inject({ method: 'POST', url: '/api/password-resets', payload: { email: learner.email } });
  const second = (await invitationToken(lrs, admin, learner.email)).token!;
  t.not(second, first);
  const ok = await lrs.app.inject({ method: 'POST', url: '/api/password', payload: { token: second, password: 'a brand new passphrase' } });
  t.equal(ok.statusCode, 200);
  await t.rejects(lrs.signIn(learner), 'the old password no longer works');
  t.ok(await lrs.signIn({ email: learner.email, password: 'a brand new passphrase' }));
});
