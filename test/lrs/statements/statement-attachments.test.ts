import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import t from 'tap';
import { parseMultipartMixed } from '../../../src/lrs/statements/multipart.js';
import { statement } from '../../fixtures/statements.js';
import { createTestApp, type TestApp } from '../../fixtures/test-app.js';

const SIGNATURE = 'http://adlnet.gov/expapi/attachments/signature';
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

interface Part {
  headers: Record<string, string>;
  body: Buffer | string;
}

function multipart(parts: Part[], boundary = 'cadet-test-boundary') {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const head = Object.entries(part.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n`), Buffer.from(part.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/mixed; boundary=${boundary}` } };
}

const attachmentPart = (content: Buffer | string, type = 'text/plain', extra: Record<string, string> = {}): Part => ({
  headers: { 'Content-Type': type, 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': sha256(content), ...extra },
  body: content,
});

const declaration = (content: Buffer | string, overrides: Record<string, unknown> = {}) => ({
  usageType: 'https://academy.example/attachments/evidence-photo',
  display: { 'en-US': 'Evidence photo' },
  contentType: 'text/plain',
  length: Buffer.byteLength(content),
  sha2: sha256(content),
  ...overrides,
});

function jws(payload: object, algorithm: string, privateKey: ReturnType<typeof generateKeyPairSync>['privateKey']) {
  const header = Buffer.from(JSON.stringify({ alg: algorithm })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const digest = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', HS256: 'sha256' }[algorithm]!;
  const signature = sign(digest, Buffer.from(`${header}.${body}`), privateKey).toString('base64url');
  return `${header}.${body}.${signature}`;
}

async function postMultipart(lrs: TestApp, parts: Part[]) {
  const { payload, headers } = multipart(parts);
  return lrs.xapi({ method: 'POST', url: '/xapi/statements', payload, headers });
}

t.test('attachments', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const content = Buffer.from([0, 1, 2, 250, 251, 252, 13, 10, 45, 45]); // binary, with CRLF and dashes inside

  t.test('stored with the statement and returned with attachments=true', async (t) => {
    const body = { ...statement(), id: randomUUID(), attachments: [declaration(content, { contentType: 'application/octet-stream' })] };
    const res = await postMultipart(lrs, [{ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }, attachmentPart(content, 'application/octet-stream')]);
    t.equal(res.statusCode, 200, res.body);
    const got = await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${body.id}&attachments=true` });
    t.equal(got.statusCode, 200);
    const parts = parseMultipartMixed(got.rawPayload, String(got.headers['content-type']));
    t.equal(parts.length, 2);
    t.equal(JSON.parse(parts[0].body.toString()).id, body.id);
    t.same(parts[1].body, content, 'the bytes come back unchanged');
    t.equal(parts[1].headers['x-experience-api-hash'], sha256(content));
    t.equal(parts[1].headers['content-transfer-encoding'], 'binary');
    const plain = await lrs.xapi({ method: 'GET', url: `/xapi/statements?statementId=${body.id}` });
    t.match(String(plain.headers['content-type']), /^application\/json/, 'without attachments=true: JSON only');
  });

  t.test('a fileUrl attachment needs no part', async (t) => {
    const body = { ...statement(), attachments: [declaration('remote', { fileUrl: 'https://academy.example/files/remote.txt' })] };
    const res = await lrs.xapi({ method: 'POST', url: '/xapi/statements', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    t.equal(res.statusCode, 200, res.body);
  });

  const json = (body: object): Part => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const rejected: Array<[string, () => Part[]]> = [
    ['a declared attachment without its part', () => [json({ ...statement(), attachments: [declaration(content)] })]],
    ['a part no statement declares', () => [json(statement()), attachmentPart('stray')]],
    ['a part without X-Experience-API-Hash', () => [json({ ...statement(), attachments: [declaration('x')] }), { headers: { 'Content-Type': 'text/plain', 'Content-Transfer-Encoding': 'binary' }, body: 'x' }]],
    ['a part whose bytes do not match its hash', () => [json({ ...statement(), attachments: [declaration('x')] }), { ...attachmentPart('x'), body: 'y' }]],
    ['a part not in binary transfer encoding', () => [json({ ...statement(), attachments: [declaration('x')] }), attachmentPart('x', 'text/plain', { 'Content-Transfer-Encoding': 'base64' })]],
    ['a first part that is not JSON', () => [attachmentPart('x'), json(statement())]],
  ];
  for (const [name, parts] of rejected) {
    t.test(`400 for ${name}; nothing stored`, async (t) => {
      const before = await lrs.store.statements.latestSequence();
      const res = await postMultipart(lrs, parts());
      t.equal(res.statusCode, 400, res.body);
      t.ok(res.json().message);
      t.equal(await lrs.store.statements.latestSequence(), before);
    });
  }

  t.test('a multipart body without its boundary is refused', async (t) => {
    const res = await lrs.xapi({ method: 'POST', url: '/xapi/statements', payload: JSON.stringify(statement()), headers: { 'content-type': 'multipart/mixed' } });
    t.equal(res.statusCode, 400);
    t.equal(res.json().header, 'Content-Type');
  });
});

t.test('signed statements', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  const signed = (algorithm: string, tamper?: (payload: Record<string, unknown>) => void) => {
    const body: Record<string, unknown> = { ...statement(), id: randomUUID() };
    const payload = structuredClone(body);
    tamper?.(payload);
    const signature = jws(payload, algorithm, privateKey);
    body.attachments = [declaration(signature, { usageType: SIGNATURE, contentType: 'application/octet-stream' })];
    return [json(body), attachmentPart(signature, 'application/octet-stream')];
  };
  const json = (body: object): Part => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  for (const algorithm of ['RS256', 'RS384', 'RS512']) {
    t.test(`accepted with ${algorithm}`, async (t) => {
      const res = await postMultipart(lrs, signed(algorithm));
      t.equal(res.statusCode, 200, res.body);
    });
  }
  t.test('refused with HS256', async (t) => {
    const res = await postMultipart(lrs, signed('HS256'));
    t.equal(res.statusCode, 400);
    t.match(res.json().message, /RS256/);
  });
  t.test('refused when the payload is not the statement', async (t) => {
    const res = await postMultipart(lrs, signed('RS256', (payload) => (payload.verb = { id: 'http://adlnet.gov/expapi/verbs/failed' })));
    t.equal(res.statusCode, 400);
    t.match(res.json().message, /differs/);
  });
  t.test('refused when the signature is not a JWS', async (t) => {
    const body: Record<string, unknown> = { ...statement(), attachments: [declaration('not a jws', { usageType: SIGNATURE, contentType: 'application/octet-stream' })] };
    const res = await postMultipart(lrs, [json(body), attachmentPart('not a jws', 'application/octet-stream')]);
    t.equal(res.statusCode, 400);
  });
});
