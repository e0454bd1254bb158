/** The SMTP client (src/access/mail/smtp-client.ts) against a tiny SMTP server written in the test. */
import net from 'node:net';
import os from 'node:os';
import t, { type Test } from 'tap';
import { sendMail, SmtpError, type OutgoingMail, type SmtpOptions } from '../../src/access/mail/index.js';
import { selfSignedCertificate, startFakeSmtp, type FakeSmtp } from '../fixtures/fake-smtp-server.js';

const user = { name: 'cadet-mailer', password: 'p4ss wörd:with:colons' };

const mail: OutgoingMail = {
  id: 'msg-1',
  from: 'Cadet Academy <no-reply@academy.example>',
  to: 'camille.martin@police.example',
  subject: 'Your Cadet account is ready',
  text: 'Hello Camille,\n\nYour link:\nhttps://cadet.example/set-password?token=abc\n\nCadet',
  date: new Date(Date.UTC(2025, 2, 1, 8, 0, 0)),
};

const optionsFor = (server: FakeSmtp, extra: Partial<SmtpOptions> = {}): SmtpOptions => ({
  host: server.host,
  port: server.port,
  secure: false,
  startTls: true,
  user: user.name,
  password: user.password,
  clientName: 'cadet.test',
  timeouts: { connectMs: 2_000, replyMs: 2_000, dataMs: 2_000 },
  ...extra,
});

async function fake(t: Test, options: Parameters<typeof startFakeSmtp>[0] = {}) {
  const server = await startFakeSmtp(options);
  t.teardown(() => server.close());
  return server;
}

const headerOf = (data: string, name: string) => new RegExp(`^${name}: (.*(?:\\r\\n .*)*)$`, 'mi').exec(data)?.[1] ?? null;

/** The SmtpError a promise rejects with. */
async function smtpErrorOf(promise: Promise<unknown>): Promise<SmtpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SmtpError) return error;
    throw error;
  }
  throw new Error('expected an SmtpError');
}

t.test('plain connection, AUTH PLAIN: the message arrives with its envelope, headers and body', async (t) => {
  const server = await fake(t, { user });
  await sendMail(optionsFor(server), mail);
  const [received] = await server.waitForMessages(1);
  t.equal(received.authenticatedAs, user.name, 'the credentials were checked (a non-ASCII, colon-holding password too)');
  t.equal(received.helo, 'cadet.test');
  t.equal(received.from, 'no-reply@academy.example', 'envelope sender');
  t.same(received.to, ['camille.martin@police.example'], 'envelope recipient');
  t.equal(received.bareLineFeeds, 0, 'every line ends in CRLF');
  t.equal(headerOf(received.data, 'From'), 'Cadet Academy <no-reply@academy.example>');
  t.equal(headerOf(received.data, 'To'), 'camille.martin@police.example');
  t.equal(headerOf(received.data, 'Subject'), 'Your Cadet account is ready');
  t.equal(headerOf(received.data, 'Date'), 'Sat, 01 Mar 2025 08:00:00 +0000');
  t.equal(headerOf(received.data, 'Message-ID'), '<msg-1@academy.example>');
  t.equal(headerOf(received.data, 'MIME-Version'), '1.0');
  t.equal(headerOf(received.data, 'Content-Type'), 'text/plain; charset=utf-8');
  t.match(received.data, /\r\n\r\nHello Camille,\r\n\r\nYour link:\r\nhttps:\/\/cadet\.example\/set-password\?token=abc\r\n\r\nCadet$/);
  t.same(server.commands.map((c) => c.split(' ')[0]), ['EHLO', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'QUIT'], 'the dialogue, in order');
});

t.test('AUTH LOGIN when the server offers only LOGIN', async (t) => {
  const server = await fake(t, { user, mechanisms: ['LOGIN'] });
  await sendMail(optionsFor(server), mail);
  const [received] = await server.waitForMessages(1);
  t.equal(received.authenticatedAs, user.name);
  t.same(server.commands.slice(1, 4).map((c) => c.split(' ').slice(0, 2).join(' ')), ['AUTH LOGIN', Buffer.from(user.name).toString('base64'), Buffer.from(user.password).toString('base64')]);
});

t.test('wrong credentials: an SmtpError with the reply code and text; nothing is sent', async (t) => {
  const server = await fake(t, { user });
  const error = await smtpErrorOf(sendMail(optionsFor(server, { password: 'wrong' }), mail));
  t.equal(error.stage, 'AUTH');
  t.equal(error.replyCode, 535);
  t.equal(error.message, 'AUTH: 535 5.7.8 Authentication credentials invalid');
  t.notMatch(error.message, /wrong/, 'the password is not in the error');
  t.equal(server.messages.length, 0);
});

t.test('no SMTP_USER: no AUTH; a server that requires it answers 530 at MAIL FROM', async (t) => {
  const open = await fake(t);
  await sendMail(optionsFor(open, { user: undefined, password: undefined }), mail);
  t.equal((await open.waitForMessages(1))[0].authenticatedAs, null);
  t.notOk(open.commands.some((c) => c.startsWith('AUTH')));
  const closed = await fake(t, { user });
  const error = await smtpErrorOf(sendMail(optionsFor(closed, { user: undefined, password: undefined }), mail));
  t.match(error, { stage: 'MAIL FROM', replyCode: 530 });
});

t.test('a recipient refused with 550: the error names the step, the code and the server text', async (t) => {
  const server = await fake(t, { user, rcptReply: () => '550 5.1.1 <camille.martin@police.example>: mailbox unavailable' });
  const error = await smtpErrorOf(sendMail(optionsFor(server), mail));
  t.equal(error.stage, 'RCPT TO');
  t.equal(error.replyCode, 550);
  t.equal(error.permanent, true);
  t.equal(error.message, 'RCPT TO: 550 5.1.1 <camille.martin@police.example>: mailbox unavailable');
  t.equal(server.messages.length, 0);
});

t.test('dot-stuffing: lines that start with a dot are doubled on the wire and arrive intact', async (t) => {
  const server = await fake(t, { user });
  const text = 'first\n.\n..two dots\n.hidden\nlast line\n.';
  await sendMail(optionsFor(server), { ...mail, text });
  const [received] = await server.waitForMessages(1);
  const wireBody = received.wireLines.slice(received.wireLines.indexOf('') + 1);
  t.same(wireBody, ['first', '..', '...two dots', '..hidden', 'last line', '..'], 'stuffed on the wire');
  t.equal(received.data.slice(received.data.indexOf('\r\n\r\n') + 4), text.replace(/\n/g, '\r\n'), 'unstuffed by the server: the original');
  t.equal(received.bareLineFeeds, 0);
});

t.test('non-ASCII: RFC 2047 subject; the body 8bit with 8BITMIME, quoted-printable without', async (t) => {
  const subject = 'Votre compte Cadet est prêt — ✓';
  const text = 'Bonjour Élodie,\nvotre lien : https://cadet.example/set-password?token=xyz';
  const decode = (value: string) => Buffer.concat([...value.matchAll(/=\?UTF-8\?B\?([^?]*)\?=/g)].map((m) => Buffer.from(m[1], 'base64'))).toString('utf8');

  const eightBit = await fake(t, { user, eightBitMime: true });
  await sendMail(optionsFor(eightBit), { ...mail, subject, text });
  const [first] = await eightBit.waitForMessages(1);
  const encodedSubject = headerOf(first.data, 'Subject') as string;
  t.match(encodedSubject, /^=\?UTF-8\?B\?/, 'an encoded word');
  t.equal(decode(encodedSubject), subject, 'decodes to the subject');
  t.equal(first.mailParameters, 'BODY=8BITMIME');
  t.equal(headerOf(first.data, 'Content-Transfer-Encoding'), '8bit');
  t.match(first.data, /Bonjour Élodie,\r\n/);

  const sevenBit = await fake(t, { user });
  await sendMail(optionsFor(sevenBit), { ...mail, subject, text });
  const [second] = await sevenBit.waitForMessages(1);
  t.equal(second.mailParameters, '', 'no BODY parameter the server did not offer');
  t.equal(headerOf(second.data, 'Content-Transfer-Encoding'), 'quoted-printable');
  t.match(second.data, /Bonjour =C3=89lodie,\r\n/);
  t.ok(second.wireLines.every((line) => /^[\x00-\x7f]*$/.test(line)), 'only ASCII on the wire');
});

t.test('timeouts and network failures are SmtpErrors without a reply code', async (t) => {
  const silent = await fake(t, { silent: true });
  const started = Date.now();
  const timeout = await smtpErrorOf(sendMail(optionsFor(silent, { timeouts: { connectMs: 1_000, replyMs: 200, dataMs: 200 } }), mail));
  t.equal(timeout.stage, 'greeting');
  t.equal(timeout.replyCode, null);
  t.match(timeout.message, /no reply within 200 ms/);
  t.ok(Date.now() - started < 2_000, 'gave up in time');

  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const refused = await smtpErrorOf(sendMail({ ...optionsFor(silent), port }, mail));
  t.equal(refused.stage, 'connect');
  t.match(refused.message, /ECONNREFUSED/);
});

t.test('a plain connection to another machine: the password is not sent unless SMTP_STARTTLS is false', async (t) => {
  const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  if (!external) {
    t.plan(0, 'no non-loopback IPv4 interface on this machine');
    return;
  }
  const server = await fake(t, { user, host: external });
  const refused = await smtpErrorOf(sendMail(optionsFor(server), mail));
  t.equal(refused.stage, 'AUTH');
  t.match(refused.message, /does not offer STARTTLS/);
  t.notOk(server.commands.some((c) => c.startsWith('AUTH')), 'no AUTH command went out');
  await sendMail(optionsFor(server, { startTls: false }), mail);
  t.equal((await server.waitForMessages(1))[0].authenticatedAs, user.name, 'SMTP_STARTTLS=false: the admin chose plain');
});

t.test('TLS with a self-signed certificate (openssl)', async (t) => {
  const certificate = await selfSignedCertificate();
  if (!certificate) {
    t.plan(0, 'openssl is not installed: STARTTLS and implicit TLS are not tested here');
    return;
  }

  t.test('STARTTLS: upgraded when offered, EHLO again, then AUTH inside TLS', async (t) => {
    const server = await fake(t, { user, startTls: certificate });
    await sendMail(optionsFor(server, { tls: { ca: certificate.cert } }), mail);
    const [received] = await server.waitForMessages(1);
    t.equal(received.encrypted, true, 'the message went over TLS');
    t.equal(received.authenticatedAs, user.name);
    t.same(server.commands.map((c) => c.split(' ')[0]), ['EHLO', 'STARTTLS', 'EHLO', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
  });

  t.test('STARTTLS: a certificate nobody vouches for is refused, before any credential', async (t) => {
    const server = await fake(t, { user, startTls: certificate });
    const error = await smtpErrorOf(sendMail(optionsFor(server), mail));
    t.equal(error.stage, 'STARTTLS');
    t.match(error.message, /self.signed|certificate/i);
    t.notOk(server.commands.some((c) => c.startsWith('AUTH')));
  });

  t.test('SMTP_STARTTLS=false: stays plain although offered (loopback, so AUTH is allowed)', async (t) => {
    const server = await fake(t, { user, startTls: certificate });
    await sendMail(optionsFor(server, { startTls: false }), mail);
    const [received] = await server.waitForMessages(1);
    t.equal(received.encrypted, false);
    t.notOk(server.commands.includes('STARTTLS'));
  });

  t.test('implicit TLS (port 465 style): TLS from the first byte', async (t) => {
    const server = await fake(t, { user, implicitTls: certificate });
    await sendMail(optionsFor(server, { secure: true, tls: { ca: certificate.cert } }), mail);
    const [received] = await server.waitForMessages(1);
    t.equal(received.encrypted, true);
    t.equal(received.authenticatedAs, user.name);
    t.notOk(server.commands.includes('STARTTLS'));
  });
});
