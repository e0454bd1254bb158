import { createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import jsQRModule from 'jsqr';
import t from 'tap';
import { createCatalogService } from '../../src/packages/index.js';
import { SIGNING_KEY_FILE } from '../../src/records/certificates/index.js';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { createTestApp, type SignedIn, type TestApp } from '../fixtures/test-app.js';
import { readPdf } from './pdf-reader.js';

// jsqr is CommonJS with an ES-style `export default` in its types: the function is the module or its `default`.
const jsQR: typeof jsQRModule.default = typeof jsQRModule === 'function' ? jsQRModule : jsQRModule.default;

const EARNED = 'http://id.tincanapi.com/verb/earned';
const RETRACT = 'http://activitystrea.ms/schema/1.0/retract';

async function importCourse(lrs: TestApp, slug: string) {
  const catalog = createCatalogService({ catalog: lrs.store.catalog, files: lrs.store.packageFiles, publicUrl: lrs.config.publicUrl });
  const outcome = await catalog.importPackage({ zipPath: sharedFixture('scorm12', 'singlescobasic.zip') }, { slug });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return outcome;
}

const tokenOf = (url: string) => /\/player\/([^/?]+)/.exec(url)![1] as string;

async function commit(lrs: TestApp, token: string, core: Record<string, unknown>, sequence: number, terminate = false) {
  const res = await lrs.app.inject({
    method: 'POST',
    url: `/api/runtime/commit?token=${encodeURIComponent(token)}${terminate ? '&terminate=true' : ''}`,
    headers: { 'content-type': 'application/json', origin: lrs.config.contentUrl },
    payload: { runtimeData: { cmi: { core: { student_id: 'x', entry: 'ab-initio', exit: '', score: { raw: '', min: '', max: '' }, ...core } } }, commitSequence: sequence },
  });
  if (res.statusCode !== 200) throw new Error(`commit answered ${res.statusCode}: ${res.body}`);
}

/** A learner takes the one-SCO course through the real runtime path: incomplete, then passed with 85. */
async function passCourse(lrs: TestApp, learner: SignedIn, slug: string) {
  const res = await lrs.as(learner, { method: 'POST', url: `/api/courses/${slug}/launch`, payload: {} });
  if (res.statusCode !== 200) throw new Error(`launch answered ${res.statusCode}: ${res.body}`);
  const launched = res.json() as { url: string; registration: string };
  const token = tokenOf(launched.url);
  await commit(lrs, token, { lesson_status: 'incomplete', session_time: '00:02:00' }, 1);
  await commit(lrs, token, { lesson_status: 'passed', session_time: '00:05:00', score: { raw: '85', min: '0', max: '100' } }, 2, true);
  return { registration: launched.registration, token };
}

async function statementsWith(lrs: TestApp, verb: string, extra = '') {
  const res = await lrs.xapi({ method: 'GET', url: `/xapi/statements?verb=${encodeURIComponent(verb)}${extra}` });
  return res.json().statements as Array<Record<string, any>>;
}

// ---------------------------------------------------------------------------
// Reading the PDF back: its text, and the QR code drawn as rectangles
// ---------------------------------------------------------------------------

/** The page content (decompressed) and the text of every line, mapped back through the fonts' ToUnicode CMaps. */
function pageTextOf(pdf: Buffer): { content: string; lines: string[] } {
  const read = readPdf(pdf);
  return { content: read.content, lines: read.lines.map((line) => line.text) };
}

/** The QR symbol's modules, from the filled rectangles; then rendered black on white with a quiet zone, as RGBA. */
function qrImageOf(content: string) {
  const rectangles = [...content.matchAll(/(-?[\d.]+) (-?[\d.]+) ([\d.]+) ([\d.]+) re/g)].map((m) => m.slice(1, 5).map(Number) as [number, number, number, number]);
  const module = Math.min(...rectangles.map((r) => r[2]));
  const left = Math.min(...rectangles.map((r) => r[0]));
  const top = Math.max(...rectangles.map((r) => r[1] + r[3]));
  const cells = rectangles.map(([x, y, , h]) => ({ column: Math.round((x - left) / module), row: Math.round((top - (y + h)) / module) }));
  const size = Math.max(...cells.map((c) => Math.max(c.column, c.row))) + 1;
  const scale = 4;
  const quiet = 4;
  const width = (size + 2 * quiet) * scale;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const { column, row } of cells) {
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const offset = (((row + quiet) * scale + dy) * width + (column + quiet) * scale + dx) * 4;
        data[offset] = data[offset + 1] = data[offset + 2] = 0;
      }
    }
  }
  return { data, width, size, rectangles: rectangles.length };
}

t.test('certificates: issued with the commit that completes the course, printed, verified, revoked', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const imported = await importCourse(lrs, 'golf-basics');
  const courseTitle = imported.course.title.en ?? Object.values(imported.course.title)[0]!;
  const alice = await lrs.addUser([{ role: 'learner' }], { name: 'Jeanne Dupré', country: 'FR' });
  const bob = await lrs.addUser([{ role: 'learner' }], { name: 'Bob Becker', country: 'DE' });
  const analystFr = await lrs.signIn(await lrs.addUser([{ role: 'analyst', countries: ['FR'] }]));
  const analystDe = await lrs.signIn(await lrs.addUser([{ role: 'analyst', countries: ['DE'] }]));
  const analyst = await lrs.signIn(await lrs.addUser([{ role: 'analyst' }]));
  const adminUser = await lrs.addUser([{ role: 'admin' }], { name: 'Registrar Admin' });
  const admin = await lrs.signIn(adminUser);
  const aliceIn = await lrs.signIn(alice);
  const bobIn = await lrs.signIn(bob);

  const { registration, token } = await passCourse(lrs, aliceIn, 'golf-basics');
  const certificates = lrs.store.certificates!;

  let number = '';
  t.test('exactly one certificate, and its earned statement, written with the completing commit', async (t) => {
    const issued = await certificates.ofUser(alice.user.id);
    t.equal(issued.length, 1);
    const certificate = issued[0]!;
    number = certificate.number;
    t.match(certificate, { registrationId: registration, learnerName: 'Jeanne Dupré', courseTitle, score: 0.85, revocation: null });
    t.match(number, /^CAD-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const progress = await lrs.store.records.progress(registration);
    t.equal(certificate.completedMs, progress!.completedMs, 'dated when the rule was met');

    const earned = await statementsWith(lrs, EARNED);
    t.equal(earned.length, 1);
    t.match(earned[0], {
      id: certificate.statementId,
      actor: { account: { homePage: lrs.config.publicUrl, name: alice.user.id } },
      object: { id: `${lrs.config.publicUrl}/certificates/${number}`, definition: { type: 'http://id.tincanapi.com/activitytype/certificate', name: { en: `Certificate ${number}` } } },
      result: { score: { scaled: 0.85 } },
      context: { registration, contextActivities: { parent: [{ id: imported.course.activityId }] } },
      authority: { account: { name: 'certificates' } },
    });

    // Later statements of the registration (a replayed and a new commit) issue nothing more.
    await commit(lrs, token, { lesson_status: 'passed', session_time: '00:05:00', score: { raw: '85', min: '0', max: '100' } }, 2, true);
    await commit(lrs, token, { lesson_status: 'passed', session_time: '00:06:00', score: { raw: '90', min: '0', max: '100' } }, 3, true);
    t.equal((await certificates.ofUser(alice.user.id)).length, 1);
    t.equal((await statementsWith(lrs, EARNED)).length, 1);
  });

  t.test('the list', async (t) => {
    const res = await lrs.as(aliceIn, { method: 'GET', url: `/api/users/${alice.user.id}/certificates` });
    t.equal(res.statusCode, 200);
    t.same(res.json(), [
      {
        number,
        course: { id: imported.course.id, title: courseTitle },
        issued: new Date().toISOString().slice(0, 10),
        score: 85,
        status: 'valid',
        verifyUrl: `${lrs.config.publicUrl}/verify/${number}`,
        pdfUrl: `${lrs.config.publicUrl}/api/certificates/${number}.pdf`,
      },
    ]);
    const page = await lrs.as(aliceIn, { method: 'GET', url: '/certificates' });
    t.equal(page.statusCode, 200);
    t.match(page.body, number);
  });

  let payloadFromPaper = '';
  let signatureFromPaper = '';
  t.test('the PDF: name, course, number, and a QR code to the verification page', async (t) => {
    const res = await lrs.as(aliceIn, { method: 'GET', url: `/api/certificates/${number}.pdf` });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['content-type'], 'application/pdf');
    t.match(res.headers['content-disposition'], `certificate-${number}.pdf`);
    const pdf = res.rawPayload;
    t.ok(pdf.toString('latin1').startsWith('%PDF-1.4\n'));
    const { content, lines } = pageTextOf(pdf);
    t.ok(lines.includes('Jeanne Dupré'), 'the name, accent included');
    t.ok(lines.includes(courseTitle), 'the course');
    t.ok(lines.includes(`Certificate number ${number}`), 'the number');
    t.ok(lines.some((line) => line.includes('with a score of 85 %')), 'the score');

    const image = qrImageOf(content);
    t.equal(image.size, 33, 'a version 4 symbol');
    t.ok(image.rectangles > 300, 'one rectangle per dark module');
    const decoded = jsQR(image.data, image.width, image.width);
    t.equal(decoded?.data, `${lrs.config.publicUrl}/verify/${number}`);

    // The payload and signature in small print, their lines joined end to end.
    const payloadStart = lines.findIndex((line) => line.startsWith('Signed payload'));
    const signatureStart = lines.indexOf('Signature (Ed25519, base64url):');
    payloadFromPaper = lines.slice(payloadStart + 1, signatureStart).join('');
    signatureFromPaper = lines.slice(signatureStart + 1).join('');
    t.same(JSON.parse(payloadFromPaper), {
      course: courseTitle,
      issued: new Date().toISOString().slice(0, 10),
      issuer: lrs.config.publicUrl,
      key: (await certificates.get(number))!.keyId,
      learner: 'Jeanne Dupré',
      number,
      score: 85,
      status: 'valid',
      v: 1,
    });
    t.match(payloadFromPaper, /"learner":"Jeanne Dupr\\u00e9"/, 'ASCII only: what is printed is what was signed');
  });

  t.test('the signature verifies with the published key, and fails once a field is altered', async (t) => {
    const pem = await lrs.app.inject({ method: 'GET', url: '/certificates/public-key.pem' });
    t.equal(pem.statusCode, 200);
    t.match(pem.body, /^-----BEGIN PUBLIC KEY-----/);
    const wellKnown = await lrs.app.inject({ method: 'GET', url: '/.well-known/cadet-certificates.json' });
    t.equal(wellKnown.statusCode, 200);
    const jwk = wellKnown.json().keys[0];
    t.match(jwk, { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: (await certificates.get(number))!.keyId });
    const { kid: _kid, alg: _alg, use: _use, ...bare } = jwk;
    const keys = [createPublicKey(pem.body), createPublicKey({ key: bare, format: 'jwk' })];
    const check = (payload: string, signature: string) => keys.map((key) => verify(null, Buffer.from(payload), key, Buffer.from(signature, 'base64url')));
    t.same(check(payloadFromPaper, signatureFromPaper), [true, true], 'the paper verifies offline');
    t.same(check(payloadFromPaper.replace('"score":85', '"score":95'), signatureFromPaper), [false, false], 'not with another score');
    t.same(check(payloadFromPaper.replace('Jeanne', 'Jeanna'), signatureFromPaper), [false, false], 'nor another name');

    const json = await lrs.app.inject({ method: 'GET', url: `/api/certificates/${number}/verification` });
    t.equal(json.statusCode, 200);
    t.equal(json.json().signed.payload, payloadFromPaper, 'the JSON twin holds the same signed payload');
    t.same(check(json.json().signed.payload, json.json().signed.signature), [true, true]);
  });

  t.test('the public verification page and its JSON twin', async (t) => {
    const page = await lrs.app.inject({ method: 'GET', url: `/verify/${number.toLowerCase()}` });
    t.equal(page.statusCode, 200, 'no sign-in; case forgiven');
    t.match(page.body, 'data-status="valid"');
    t.match(page.body, 'Jeanne Dupré');
    t.notMatch(page.body, alice.email, 'no e-mail address');
    t.notMatch(page.body, 'France', 'no country');
    const json = (await lrs.app.inject({ method: 'GET', url: `/api/certificates/${number}/verification` })).json();
    t.match(json, { number, status: 'valid', learner: 'Jeanne Dupré', course: courseTitle, revoked: null, printed: null });
    t.notOk(JSON.stringify(json).includes(alice.email) || JSON.stringify(json).includes('"FR"'));
    const typo = number.slice(0, -1) + (number.endsWith('0') ? '1' : '0');
    t.match((await lrs.app.inject({ method: 'GET', url: `/api/certificates/${typo}/verification` })).json(), { error: 'certificate-number-invalid', parameter: 'number' }, 'the check symbol catches a typo');
    t.equal((await lrs.app.inject({ method: 'GET', url: `/verify/${typo}` })).statusCode, 400);
  });

  t.test('who may see the list and the PDF', async (t) => {
    const list = (who: SignedIn | null, id: string) => lrs.as(who, { method: 'GET', url: `/api/users/${id}/certificates` });
    const pdf = (who: SignedIn | null) => lrs.as(who, { method: 'GET', url: `/api/certificates/${number}.pdf` });
    const cases: Array<[string, SignedIn | null, number, number]> = [
      // who, status of Alice's list, status of Alice's PDF
      ['Alice herself', aliceIn, 200, 200],
      ['another learner', bobIn, 403, 403],
      ['an analyst of FR (Alice is FR)', analystFr, 200, 200],
      ['an analyst of DE', analystDe, 403, 403],
      ['an analyst without countries', analyst, 200, 200],
      ['an admin', admin, 200, 200],
      ['nobody signed in', null, 401, 401],
    ];
    for (const [name, who, listStatus, pdfStatus] of cases) {
      t.equal((await list(who, alice.user.id)).statusCode, listStatus, `${name}: list`);
      t.equal((await pdf(who)).statusCode, pdfStatus, `${name}: PDF`);
    }
    t.same((await list(bobIn, bob.user.id)).json(), [], 'Bob has none');
    t.equal((await list(analystFr, bob.user.id)).statusCode, 403);
    t.equal((await list(admin, 'no-such-user')).statusCode, 404);
  });

  t.test('rebuilding the projections neither duplicates nor revokes', async (t) => {
    const before = await lrs.store.records.snapshot();
    await lrs.store.records.rebuild();
    t.same(await lrs.store.records.snapshot(), before, 'the earned statement is left out of the fold, incrementally as from scratch');
    const after = await certificates.ofUser(alice.user.id);
    t.equal(after.length, 1);
    t.match(after[0], { number, revocation: null });
    t.equal((await statementsWith(lrs, EARNED)).length, 1);
  });

  t.test('revocation', async (t) => {
    const revoke = (who: SignedIn | null, body: object) => lrs.as(who, { method: 'POST', url: `/api/certificates/${number}/revoke`, csrf: true, payload: body });
    t.equal((await revoke(aliceIn, { reason: 'mine' })).statusCode, 403, 'not by its owner');
    t.equal((await revoke(analyst, { reason: 'x' })).statusCode, 403, 'nor by an analyst');
    t.match((await revoke(admin, { reason: '   ' })).json(), { error: 'reason-required', parameter: 'reason' });
    const res = await revoke(admin, { reason: 'Exam  taken by someone else' });
    t.equal(res.statusCode, 200, res.body);
    const body = res.json();
    const today = new Date().toISOString().slice(0, 10);
    t.match(body, { number, status: 'revoked', revoked: { date: today, reason: 'Exam taken by someone else' } });
    t.same(JSON.parse(body.signed.payload), { ...JSON.parse(payloadFromPaper), status: 'revoked', revoked: today, reason: 'Exam taken by someone else' });
    t.same(body.printed, { payload: payloadFromPaper, signature: signatureFromPaper });
    const key = createPublicKey((await lrs.app.inject({ method: 'GET', url: '/certificates/public-key.pem' })).body);
    t.ok(verify(null, Buffer.from(body.signed.payload), key, Buffer.from(body.signed.signature, 'base64url')), 'the revocation is signed too');
    t.equal((await revoke(admin, { reason: 'again' })).statusCode, 409, 'once');

    const page = await lrs.app.inject({ method: 'GET', url: `/verify/${number}` });
    t.match(page.body, 'data-status="revoked"');
    t.match(page.body, 'Exam taken by someone else');
    t.match((await lrs.app.inject({ method: 'GET', url: `/api/certificates/${number}/verification` })).json(), { status: 'revoked' });
    t.match((await lrs.as(aliceIn, { method: 'GET', url: `/api/users/${alice.user.id}/certificates` })).json(), [{ number, status: 'revoked' }]);

    const retracted = await statementsWith(lrs, RETRACT);
    t.equal(retracted.length, 1, 'recorded as a statement of its own');
    t.match(retracted[0], {
      actor: { account: { name: adminUser.user.id } },
      object: { id: `${lrs.config.publicUrl}/certificates/${number}` },
      result: { response: 'Exam taken by someone else' },
      context: { statement: { objectType: 'StatementRef', id: (await certificates.get(number))!.statementId } },
    });
    t.equal((await statementsWith(lrs, EARNED)).length, 1, 'the earned statement stays: nothing voided, nothing deleted');
    const audit = await lrs.store.audit.list({ limit: 10, subject: `certificate:${number}` });
    t.match(audit, [{ action: 'certificate.revoked', actorId: adminUser.user.id, detail: { reason: 'Exam taken by someone else' } }]);
    await lrs.store.records.rebuild();
    t.match(await certificates.get(number), { revocation: { reason: 'Exam taken by someone else' } }, 'a rebuild keeps the revocation');
  });

  t.test('the signing key: one file, owner only, reused', async (t) => {
    const file = path.join(lrs.dataDir, SIGNING_KEY_FILE);
    t.equal(fs.statSync(file).mode & 0o777, 0o600);
    t.match(fs.readFileSync(file, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  });
});

t.test('the rule is a per-course setting', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  await importCourse(lrs, 'golf-basics');
  const author = await lrs.signIn(await lrs.addUser([{ role: 'author' }]));
  const learner = await lrs.signIn(await lrs.addUser([{ role: 'learner' }]));
  const rule = (who: SignedIn, method: 'GET' | 'PUT', body?: object) =>
    lrs.as(who, { method, url: '/api/courses/golf-basics/certificate-rule', csrf: true, ...(body && { payload: body }) });

  t.match((await rule(author, 'GET')).json(), { course: 'golf-basics', format: 'scorm12', rule: null, default: 'completed-or-passed', effective: 'completed-or-passed' });
  t.equal((await rule(learner, 'GET')).statusCode, 403);
  t.match((await rule(author, 'PUT', { rule: 'satisfied' })).json(), { error: 'certificate-rule-format', parameter: 'rule' }, 'only cmi5 courses are satisfied');
  t.equal((await rule(author, 'PUT', { rule: 'sometimes' })).statusCode, 400);
  t.match((await rule(author, 'PUT', { rule: 'none' })).json(), { rule: 'none', effective: 'none' });

  const first = await passCourse(lrs, learner, 'golf-basics');
  t.equal((await lrs.store.records.progress(first.registration))!.status, 'completed', 'the transcript says complete…');
  t.equal(await lrs.store.certificates!.ofRegistration(first.registration), null, '…but this course issues no certificate');

  t.match((await rule(author, 'PUT', { rule: 'passed' })).json(), { rule: 'passed', effective: 'passed' });
  // The rule applies to statements stored from now on: the registration's next commit earns it.
  await commit(lrs, first.token, { lesson_status: 'passed', session_time: '00:01:00', score: { raw: '90', min: '0', max: '100' } }, 3, true);
  t.ok(await lrs.store.certificates!.ofRegistration(first.registration), 'issued under the new rule');
  t.match((await rule(author, 'PUT', { rule: null })).json(), { rule: null, effective: 'completed-or-passed' });
});

t.test('an issue that fails leaves the learner\'s statements stored, and the next statement tries again', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  await importCourse(lrs, 'golf-basics');
  const learner = await lrs.signIn(await lrs.addUser([{ role: 'learner' }]));
  const failures: string[] = [];
  lrs.store.certificates!.useIssuer({
    issue: () => {
      throw new Error('the signing key is unreadable');
    },
    failed: (_error, registrationId) => failures.push(registrationId),
  });
  const { registration, token } = await passCourse(lrs, learner, 'golf-basics');
  t.equal((await lrs.store.records.progress(registration))!.status, 'completed', 'the commits were stored');
  t.same(failures, [registration]);
  t.equal(await lrs.store.certificates!.ofRegistration(registration), null);
  t.equal((await statementsWith(lrs, EARNED)).length, 0, 'nothing half-written');

  // A second app on the same store installs a working issuer again (as a restart would).
  const { buildApp } = await import('../../src/app.js');
  const restarted = await buildApp({ config: lrs.config, store: lrs.store });
  t.teardown(() => restarted.close());
  await commit(lrs, token, { lesson_status: 'passed', session_time: '00:01:00', score: { raw: '85', min: '0', max: '100' } }, 3, true);
  t.ok(await lrs.store.certificates!.ofRegistration(registration), 'issued with the next statement');
  t.equal((await statementsWith(lrs, EARNED)).length, 1);
});
