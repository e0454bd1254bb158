/** The message format (src/access/mail/mail-message.ts): pure, no server. */
import t from 'tap';
import { dotStuff, encodeQuotedPrintable, encodeUnstructured, encodeWords, formatDate, formatMailbox, formatMessage, parseMailbox } from '../../src/access/mail/index.js';

/** RFC 2047 decoding of a header value made of B encoded words (what a mail reader does). */
const decodeWords = (value: string) =>
  Buffer.concat([...value.matchAll(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/g)].map((m) => Buffer.from(m[1], 'base64'))).toString('utf8');

/** RFC 2045 §6.7 decoding: soft breaks removed, =XX to bytes. */
const decodeQuotedPrintable = (lines: readonly string[]) => {
  const joined = lines.map((line) => (line.endsWith('=') ? line.slice(0, -1) : `${line}\n`)).join('');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i += 1) {
    if (joined[i] === '=') {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(joined.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8').replace(/\n$/, '');
};

const mail = {
  id: '4b8e8a2c-0000-4000-8000-000000000001',
  from: 'Cadet <no-reply@academy.example>',
  to: 'camille.martin@police.example',
  subject: 'Your Cadet account is ready',
  text: 'Hello Camille,\n\nChoose your password:\n\nhttps://cadet.example/set-password?token=abc\n\nCadet',
  date: new Date(Date.UTC(2025, 2, 1, 8, 5, 9)),
};

t.test('mailboxes: parsed with or without a name; a name is quoted or encoded as RFC 5322 and 2047 ask', async (t) => {
  t.same(parseMailbox('Cadet <no-reply@academy.example>'), { name: 'Cadet', address: 'no-reply@academy.example' });
  t.same(parseMailbox('"Cadet, Academy" <a@b.example>'), { name: 'Cadet, Academy', address: 'a@b.example' });
  t.same(parseMailbox(' no-reply@academy.example '), { name: '', address: 'no-reply@academy.example' });
  t.equal(parseMailbox('Cadet'), null, 'no address');
  t.equal(parseMailbox('Cadet <not an address>'), null);
  t.equal(formatMailbox({ name: 'Cadet', address: 'a@b.example' }), 'Cadet <a@b.example>');
  t.equal(formatMailbox({ name: 'Cadet, Academy "EU"', address: 'a@b.example' }), '"Cadet, Academy \\"EU\\"" <a@b.example>');
  t.equal(formatMailbox({ name: '', address: 'a@b.example' }), 'a@b.example');
  const encoded = formatMailbox({ name: 'Académie Cadet', address: 'a@b.example' });
  t.match(encoded, /^=\?UTF-8\?B\?[^?]+\?= <a@b\.example>$/);
  t.equal(decodeWords(encoded), 'Académie Cadet');
});

t.test('an ASCII subject stays as it is; a non-ASCII one becomes UTF-8 encoded words, folded, never splitting a character', async (t) => {
  t.equal(encodeUnstructured('Your Cadet account is ready'), 'Your Cadet account is ready');
  t.equal(encodeUnstructured('a subject\r\nBcc: someone@evil.example'), 'a subject Bcc: someone@evil.example', 'no header injection');
  for (const subject of ['Votre compte Cadet est prêt', 'حسابك في كاديت جاهز — اختر كلمة المرور الخاصة بك الآن من فضلك', '🎓'.repeat(40), 'literal =?UTF-8?B?eA==?= text']) {
    const value = encodeUnstructured(subject);
    const lines = value.split('\r\n');
    t.ok(lines.every((line, i) => i === 0 || line.startsWith(' ')), 'continuation lines start with a space');
    const words = value.split(/\r\n /);
    t.ok(words.every((word) => word.length <= 75 && /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/.test(word)), 'each encoded word is at most 75 characters');
    t.equal(decodeWords(value), subject, `decodes back: ${subject.slice(0, 20)}`);
    for (const word of encodeWords(subject)) {
      t.equal(Buffer.from(/\?B\?(.*)\?=/.exec(word)![1], 'base64').toString('utf8').includes('\ufffd'), false, 'every word holds whole characters');
    }
  }
});

t.test('quoted-printable: lines of at most 76 characters, trailing spaces and = encoded, and it decodes back', async (t) => {
  const text = ['Élève: “citation” = vrai   ', 'x'.repeat(200), 'ـ'.repeat(60), '.leading dot', ''];
  const encoded = encodeQuotedPrintable(text);
  t.ok(encoded.every((line) => line.length <= 76), 'no line longer than 76');
  t.ok(encoded.every((line) => /^[\x21-\x7e \t]*$/.test(line)), 'only printable ASCII');
  t.match(encoded[0], /=20$/, 'a trailing space is encoded');
  t.match(encoded[0], /=3D/, '= is encoded');
  t.equal(decodeQuotedPrintable(encoded), text.join('\n'));
});

t.test('the date is RFC 5322 date-time in UTC', async (t) => {
  t.equal(formatDate(new Date(Date.UTC(2025, 2, 1, 8, 5, 9))), 'Sat, 01 Mar 2025 08:05:09 +0000');
});

t.test('the message: RFC 5322 headers, MIME text/plain in UTF-8, CRLF line endings', async (t) => {
  const { data, encoding } = formatMessage(mail, { eightBit: false });
  t.equal(encoding, '7bit', 'an ASCII body needs no encoding');
  const blank = data.indexOf('\r\n\r\n');
  const [head, body] = [data.slice(0, blank), data.slice(blank + 4)];
  t.same(head.split('\r\n'), [
    'From: Cadet <no-reply@academy.example>',
    'To: camille.martin@police.example',
    'Subject: Your Cadet account is ready',
    'Date: Sat, 01 Mar 2025 08:05:09 +0000',
    'Message-ID: <4b8e8a2c-0000-4000-8000-000000000001@academy.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
  ]);
  t.equal(body, mail.text.replace(/\n/g, '\r\n'));
  t.notMatch(data, /[^\r]\n/, 'no bare LF');

  const french = { ...mail, text: 'Bonjour Élodie,\r\nvotre compte est prêt.' };
  t.equal(formatMessage(french, { eightBit: true }).encoding, '8bit', 'non-ASCII with 8BITMIME: 8bit');
  const qp = formatMessage(french, { eightBit: false });
  t.equal(qp.encoding, 'quoted-printable', 'non-ASCII without 8BITMIME: quoted-printable');
  t.match(qp.data, /Bonjour =C3=89lodie,/);
  t.equal(formatMessage({ ...mail, text: 'y'.repeat(1200) }, { eightBit: true }).encoding, 'quoted-printable', 'a line over 998 octets: quoted-printable');
});

t.test('dot-stuffing: a line starting with a dot gets another; the data ends with CRLF . CRLF', async (t) => {
  t.equal(dotStuff('a\r\n.\r\n..b\r\n.c'), 'a\r\n..\r\n...b\r\n..c\r\n.\r\n');
  t.equal(dotStuff('a\nb\rc\r\n'), 'a\r\nb\r\nc\r\n.\r\n', 'bare LF and CR become CRLF; no empty line added');
  t.equal(dotStuff('.'), '..\r\n.\r\n');
});
