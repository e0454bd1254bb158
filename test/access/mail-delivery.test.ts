/**
 * SMTP delivery from the outbox: through the real access workflow (app.inject) to a tiny SMTP server written in the
 * test, the sender's retries, the delivery log's contract, and the configuration.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { createMailDelivery, senderOf, smtpOptionsOf } from '../../src/access/mail/index.js';
import { buildApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { MailOutbox } from '../../src/store/ports.js';
import { createStore } from '../../src/store/index.js';
import { translate } from '../../src/web/index.js';
import { contract } from '../contract/targets.js';
import { createTestApp } from '../fixtures/test-app.js';
import { startFakeSmtp } from '../fixtures/fake-smtp-server.js';

const smtpUser = { name: 'cadet', password: 'mail-secret' };
const silentLog = { info() {}, warn() {}, error() {} };
const hour = 3_600_000;

const smtpFlags = (port: number, extra: Record<string, string> = {}) => ({
  'smtp-host': '127.0.0.1',
  'smtp-port': String(port),
  'smtp-user': smtpUser.name,
  'smtp-password': smtpUser.password,
  'smtp-from': 'Cadet Academy <no-reply@academy.example>',
  ...extra,
});

/** Polls `check` until it returns a value other than undefined. */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const headerOf = (data: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(data)?.[1] ?? null;
const bodyOf = (data: string) => data.slice(data.indexOf('\r\n\r\n') + 4);

function manualClock(start = Date.parse('2025-03-01T08:00:00Z')) {
  let current = start;
  return { now: () => current, advance: (ms: number) => (current += ms) };
}

function temporaryStore(t: Test, flags: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-mail-'));
  const config = loadConfig({ 'data-dir': dataDir, 'log-level': 'silent', ...flags }, {});
  const store = createStore(config);
  t.teardown(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { config, store, delivery: store.outbox.delivery! };
}

t.test('an approval through the API: the invitation reaches the SMTP server, after the request has answered', async (t) => {
  // The server greets late: the approval must answer before any mail is sent.
  const server = await startFakeSmtp({ user: smtpUser, greetingDelayMs: 400 });
  t.teardown(() => server.close());
  const lrs = await createTestApp(smtpFlags(server.port));
  t.teardown(() => lrs.close());
  const approver = await lrs.signIn(await lrs.addUser([{ role: 'approver', countries: ['FR'] }]));
  const admin = await lrs.signIn(await lrs.addUser([{ role: 'admin' }]));
  const email = 'Camille.Martin@Interieur.example';
  const submitted = await lrs.app.inject({
    method: 'POST',
    url: '/api/access-requests',
    payload: { name: 'Camille Martin', email, agency: 'Police nationale', country: 'FR', position: 'Brigadier', reason: 'Evidence handling' },
  });
  t.equal(submitted.statusCode, 201, submitted.body);

  const approved = await lrs.as(approver, { method: 'POST', url: `/api/access-requests/${submitted.json().request.id}/approve`, payload: {} });
  t.equal(approved.statusCode, 200, approved.body);
  t.equal(server.messages.length, 0, 'the approval answered without waiting for the mail server');

  const [received] = await server.waitForMessages(1);
  t.equal(received.authenticatedAs, smtpUser.name, 'AUTH with SMTP_USER and SMTP_PASSWORD');
  t.same(received.to, [email], 'envelope recipient: the learner');
  t.equal(received.from, 'no-reply@academy.example', 'envelope sender from SMTP_FROM');
  t.equal(headerOf(received.data, 'To'), email);
  t.equal(headerOf(received.data, 'From'), 'Cadet Academy <no-reply@academy.example>');
  t.equal(headerOf(received.data, 'Subject'), translate('en', 'mail.invitation.subject'));
  const link = new RegExp(`${lrs.config.publicUrl}/set-password\\?token=([A-Za-z0-9_-]+)`).exec(bodyOf(received.data));
  t.ok(link, 'the body holds the set-password link');

  // The outbox stays the record: admins still read the message there, now marked sent.
  const outbox = await lrs.as(admin, { method: 'GET', url: '/api/outbox' });
  const kept = (outbox.json().messages as Array<{ to: string; text: string; kind: string }>).find((m) => m.to === email);
  t.equal(kept?.kind, 'invitation');
  t.ok(kept?.text.includes(link![0]), 'the outbox holds the same link');
  const entry = await eventually(async () => (await lrs.store.outbox.delivery!.list(10)).find((m) => m.to === email && m.delivery.status === 'sent'));
  t.equal(entry.delivery.attempts, 1);
  t.equal(entry.delivery.lastError, null);
  const page = await lrs.as(admin, { method: 'GET', url: '/outbox' });
  t.equal(page.statusCode, 200);
  t.match(page.body, /Sent \d{4}-\d\d-\d\dT/, 'the admin page shows the delivery');

  t.test('a rejection with a reason is delivered too', async (t) => {
    const other = await lrs.app.inject({
      method: 'POST',
      url: '/api/access-requests',
      payload: { name: 'Lou Petit', email: 'lou.petit@interieur.example', agency: 'Gendarmerie', country: 'FR', position: 'Adjudant', reason: 'Course' },
    });
    const rejected = await lrs.as(approver, { method: 'POST', url: `/api/access-requests/${other.json().request.id}/reject`, payload: { reason: 'Ask your training office first.' } });
    t.equal(rejected.statusCode, 200, rejected.body);
    const [, second] = await server.waitForMessages(2);
    t.same(second.to, ['lou.petit@interieur.example']);
    t.match(bodyOf(second.data), /Ask your training office first\./);
  });
});

t.test('mail left unsent is delivered when the app starts', async (t) => {
  const server = await startFakeSmtp({ user: smtpUser });
  t.teardown(() => server.close());
  const { config, store } = temporaryStore(t, smtpFlags(server.port));
  await store.outbox.enqueue({ id: 'left-over', to: 'ana@academy.example', subject: 'Choose a new Cadet password', text: 'link', kind: 'password-reset', createdMs: Date.now() - 60_000 });
  const app = await buildApp({ config, store });
  t.teardown(() => app.close());
  await app.ready();
  const [received] = await server.waitForMessages(1);
  t.same(received.to, ['ana@academy.example']);
});

t.test('a server answering 550: the message is failed with the reply text, then tried again after the backoff', async (t) => {
  let refusals = 1;
  const server = await startFakeSmtp({ user: smtpUser, rcptReply: () => (refusals-- > 0 ? '550 5.1.1 mailbox unavailable' : null) });
  t.teardown(() => server.close());
  const clock = manualClock();
  const { config, store, delivery } = temporaryStore(t, smtpFlags(server.port));
  const sender = createMailDelivery({ settings: config, outbox: store.outbox, log: silentLog, now: clock.now })!;
  await store.outbox.enqueue({ id: 'm1', to: 'ana@academy.example', subject: 'Hello', text: 'Hi', kind: 'invitation', createdMs: clock.now() });

  t.same(await sender.deliverDue(), { sent: 0, failed: 1 });
  const [failed] = await delivery.list(1);
  t.same(failed.delivery, {
    status: 'failed',
    attempts: 1,
    lastError: 'RCPT TO: 550 5.1.1 mailbox unavailable',
    lastAttemptMs: clock.now(),
    nextAttemptMs: clock.now() + 60_000,
    sentMs: null,
  }, 'failed, with the server reply and the next attempt a minute later');
  t.equal(await delivery.nextAttemptMs(), clock.now() + 60_000);
  t.same((await store.outbox.list(1)).map((m) => m.id), ['m1'], 'still in the outbox admins read');

  t.same(await sender.deliverDue(), { sent: 0, failed: 0 }, 'not before its time');
  clock.advance(60_000);
  t.same(await sender.deliverDue(), { sent: 1, failed: 0 }, 'retried once due');
  const [sent] = await delivery.list(1);
  t.match(sent.delivery, { status: 'sent', attempts: 2, lastError: null, nextAttemptMs: null, sentMs: clock.now() });
  t.equal(server.messages.length, 1);
  t.equal(await delivery.nextAttemptMs(), null, 'nothing left to do');
});

t.test('backoff doubles; after the last attempt the message stays failed; mail older than its links is not sent', async (t) => {
  const server = await startFakeSmtp({ user: smtpUser, rcptReply: () => '451 4.3.0 try later' });
  t.teardown(() => server.close());
  const clock = manualClock();
  const { config, store, delivery } = temporaryStore(t, smtpFlags(server.port));
  const retry = { firstDelayMs: 1_000, maxDelayMs: 3_000, maxAttempts: 4 };
  const sender = createMailDelivery({ settings: config, outbox: store.outbox, log: silentLog, now: clock.now, retry })!;
  await store.outbox.enqueue({ id: 'm1', to: 'ana@academy.example', subject: 'Hello', text: 'Hi', kind: 'invitation', createdMs: clock.now() });
  const delays: number[] = [];
  for (let attempt = 1; attempt <= 4; attempt += 1) {
    await sender.deliverDue();
    const [entry] = await delivery.list(1);
    t.equal(entry.delivery.attempts, attempt);
    if (entry.delivery.nextAttemptMs === null) break;
    delays.push(entry.delivery.nextAttemptMs - clock.now());
    clock.advance(entry.delivery.nextAttemptMs - clock.now());
  }
  t.same(delays, [1_000, 2_000, 3_000], 'doubling, capped');
  const [given] = await delivery.list(1);
  t.match(given.delivery, { status: 'failed', attempts: 4, lastError: 'RCPT TO: 451 4.3.0 try later', nextAttemptMs: null });
  clock.advance(24 * hour);
  t.same(await sender.deliverDue(), { sent: 0, failed: 0 }, 'never again');

  const commandsBefore = server.commands.length;
  await store.outbox.enqueue({ id: 'old', to: 'old@academy.example', subject: 'Hello', text: 'Hi', kind: 'invitation', createdMs: clock.now() - (config.invitationTtlHours + 1) * hour });
  t.same(await sender.deliverDue(), { sent: 0, failed: 1 });
  const old = (await delivery.list(10)).find((m) => m.id === 'old')!;
  t.match(old.delivery, { status: 'failed', attempts: 1, lastError: /^not sent: written 73 h ago/, nextAttemptMs: null });
  t.equal(server.commands.length, commandsBefore, 'the server was not contacted');
});

contract('mail delivery log', async (t, open) => {
  const store = await open();
  const delivery = store.outbox.delivery;
  if (!delivery) {
    t.plan(0, 'this adapter records no delivery yet: SMTP_HOST refuses to start with it');
    return;
  }
  let calls = 0;
  let seenAtCall: string[] = [];
  const stop = delivery.watch(() => {
    calls += 1;
    void delivery.list(10).then((all) => (seenAtCall = all.map((m) => m.id)));
  });
  for (const [id, createdMs] of [['m1', 30], ['m2', 10], ['m3', 20]] as const) {
    await store.outbox.enqueue({ id, to: `${id}@academy.example`, subject: `s ${id}`, text: 'body', kind: 'invitation', createdMs });
  }
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  t.ok(calls >= 1, 'watchers are told after the write');
  t.same(seenAtCall.sort(), ['m1', 'm2', 'm3'], 'and then the mail is readable (committed)');
  stop();

  t.same((await delivery.list(10)).map((m) => [m.id, m.delivery.status, m.delivery.nextAttemptMs]), [['m1', 'pending', 30], ['m3', 'pending', 20], ['m2', 'pending', 10]], 'new mail is pending, due from its creation');
  t.equal(await delivery.nextAttemptMs(), 10);
  t.same(await delivery.claimDue(5, 1_000, 10), [], 'nothing due before its time');
  const claimed = await delivery.claimDue(25, 1_000, 10);
  t.same(claimed.map((m) => [m.id, m.attempts]), [['m2', 1], ['m3', 1]], 'due ones, earliest first, attempt counted');
  t.same(await delivery.claimDue(25, 1_000, 10), [], 'a claimed message is leased: not claimed twice');
  t.same((await delivery.claimDue(1_030, 1_000, 10)).map((m) => [m.id, m.attempts]), [['m1', 1], ['m2', 2], ['m3', 2]], 'a lease that ran out (a crash mid-attempt) makes it due again');
  await delivery.markSent('m2', 1_040);
  await delivery.markSent('m2', 1_050);
  await delivery.markFailed('m3', { error: 'RCPT TO: 550 no', nextAttemptMs: 5_000 });
  await delivery.markFailed('m1', { error: 'DATA: 554 rejected', nextAttemptMs: null });
  await delivery.markFailed('m2', { error: 'late failure', nextAttemptMs: 9_000 });
  const byId = Object.fromEntries((await delivery.list(10)).map((m) => [m.id, m.delivery]));
  t.same(byId.m2, { status: 'sent', attempts: 2, lastError: null, lastAttemptMs: 1_030, nextAttemptMs: null, sentMs: 1_040 }, 'sent once, idempotent; a late failure does not undo it');
  t.match(byId.m3, { status: 'failed', attempts: 2, lastError: 'RCPT TO: 550 no', nextAttemptMs: 5_000 });
  t.match(byId.m1, { status: 'failed', lastError: 'DATA: 554 rejected', nextAttemptMs: null });
  t.equal(await delivery.nextAttemptMs(), 5_000, 'only m3 is still due');
  t.same((await delivery.claimDue(1_000_000, 1_000, 10)).map((m) => m.id), ['m3']);
  t.same((await store.outbox.list(10)).map((m) => m.id), ['m1', 'm3', 'm2'], 'the outbox list is unchanged by delivery');
});

t.test('configuration', async (t) => {
  const defaults = loadConfig({}, {});
  t.match(defaults, { smtpHost: '', smtpPort: 587, smtpUser: '', smtpPassword: '', smtpFrom: '', smtpStarttls: 'true' });
  t.equal(createMailDelivery({ settings: defaults, outbox: {} as MailOutbox, log: silentLog }), null, 'no SMTP_HOST: outbox only');
  t.equal(senderOf({ smtpFrom: '', publicUrl: 'https://learn.academy.example/cadet' }), 'Cadet <no-reply@learn.academy.example>');

  const env = { SMTP_HOST: 'smtp.academy.example', SMTP_PORT: '465', SMTP_USER: 'u', SMTP_PASSWORD: 'p', SMTP_FROM: 'Cadet <no-reply@academy.example>', SMTP_STARTTLS: 'false' };
  const configured = loadConfig({}, env);
  t.match(smtpOptionsOf(configured), { host: 'smtp.academy.example', port: 465, secure: true, startTls: false, user: 'u', password: 'p', clientName: 'localhost' });
  t.match(smtpOptionsOf(loadConfig({}, { ...env, SMTP_PORT: '', SMTP_STARTTLS: '', SMTP_USER: '' })), { port: 587, secure: false, startTls: true, user: undefined });
  t.match(smtpOptionsOf(loadConfig({ 'public-url': 'http://10.0.0.7:8080' }, env)), { clientName: '[10.0.0.7]' }, 'EHLO with an address literal');

  t.throws(() => loadConfig({}, { SMTP_STARTTLS: 'yes' }), { name: 'ConfigError', message: /SMTP_STARTTLS \(--smtp-starttls\).*one of true, false/ });
  t.throws(() => loadConfig({}, { SMTP_PORT: '70000' }), { name: 'ConfigError', message: /SMTP_PORT/ });
  t.throws(() => loadConfig({}, { SMTP_FROM: 'Cadet' }), { name: 'ConfigError', message: /SMTP_FROM/ });
  t.throws(() => loadConfig({}, { SMTP_HOST: 'smtp.example; rm' }), { name: 'ConfigError', message: /SMTP_HOST/ });
  t.throws(
    () => createMailDelivery({ settings: configured, outbox: { enqueue: async () => {}, list: async () => [] }, log: silentLog }),
    new ConfigError('SMTP_HOST is set, but this store does not record mail delivery yet (MongoDB): leave SMTP_HOST empty and read mail in the outbox'),
    'a store without a delivery log: refused at start-up, not silently undelivered',
  );
});
