/**
 * CertificateStore contract: issued in the transaction of the statements that meet the course's rule, once per
 * registration, numbers unique, revocation all-or-nothing, per-course rules, and one signing key for the store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { normalizeStatement } from '../../src/lrs/statements/normalize.js';
import type { Statement } from '../../src/lrs/statements/statement-types.js';
import { generateSigningKeyPem, signingKeyFromPem, SIGNING_KEY_FILE } from '../../src/records/certificates/certificate-signing.js';
import { CERTIFICATE_VERBS, earnedStatement } from '../../src/records/certificates/certificate-statements.js';
import type { CertificateCompletion, CertificateIssuer, CertificateRecord, StatementRecord, Store } from '../../src/store/ports.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { courseIri, newVersion } from './catalog-fixtures.js';
import { user } from './people.js';
import { idOf } from './statement-fixtures.js';
import { contract } from './targets.js';

const PUBLIC = 'https://academy.example';
const REG = ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002', 'aaaaaaaa-0000-4000-8000-000000000003'] as const;
const T = Date.UTC(2026, 2, 10, 9, 0, 0);

const normalize = (statement: object, storedMs: number): StatementRecord =>
  normalizeStatement(statement as Statement, { storedMs, authority: { mbox: 'mailto:lrs@academy.example' }, credentialId: null, newId: () => 'x', mayDefine: false, defaultVersion: '1.0.0' });

/** A learner's statement about the course's one unit (the course itself) in a registration. */
const learnerStatement = (n: number, verb: 'experienced' | 'completed' | 'passed', registration: string, atMs: number) =>
  normalize({
    id: idOf(n), actor: { mbox: 'mailto:u1@academy.example' }, verb: { id: `http://adlnet.gov/expapi/verbs/${verb}` }, object: { id: courseIri },
    context: { registration }, timestamp: new Date(atMs).toISOString(),
    ...(verb === 'completed' && { result: { completion: true } }), ...(verb === 'passed' && { result: { success: true, score: { scaled: 0.9 } } }),
  }, atMs + 1000);

/** An issuer like the service's (records/certificates), with numbers drawn from a list, and the `earned` statement. */
function issuerDrawing(numbers: string[], seen: CertificateCompletion[] = []): CertificateIssuer & { drawn: string[] } {
  const drawn: string[] = [];
  let statement = 900;
  return {
    drawn,
    issue(completion) {
      seen.push(completion);
      const number = numbers.shift() ?? `CAD-2026-ZZZZ-${String(drawn.length).padStart(4, '0')}`;
      drawn.push(number);
      const statementId = idOf(statement++);
      const earned = earnedStatement({
        id: statementId, publicUrl: PUBLIC, certificateIri: `${PUBLIC}/certificates/${number}`, number,
        learner: { id: completion.userId, name: completion.learnerName }, registrationId: completion.registrationId,
        courseActivityId: completion.courseActivityId, completedMs: completion.completedMs, score: completion.score,
      });
      const certificate: CertificateRecord = {
        number, registrationId: completion.registrationId, userId: completion.userId, courseId: completion.courseId, learnerName: completion.learnerName,
        courseTitle: completion.courseTitle.en ?? '', score: completion.score, completedMs: completion.completedMs, issuedMs: completion.completedMs + 5,
        keyId: 'kid', payload: `{"number":"${number}"}`, signature: 'sig', statementId, revocation: null,
      };
      return { certificate, statements: [normalize(earned, completion.completedMs + 5)] };
    },
  };
}

async function course(store: Store) {
  await store.users.add(user('u1', 'u1@academy.example', { name: 'Ann Officer', language: 'fr' }));
  await store.users.add(user('u2', 'u2@academy.example', { name: 'Bo Officer', language: 'en' }));
  await store.catalog.addVersion(newVersion('v1'));
  for (const [i, id] of REG.entries()) await store.runtime.addRegistration({ id, userId: i === 1 ? 'u2' : 'u1', courseId: 'c1', versionId: 'v1', createdMs: 100 + i, completedMs: null });
}

const earnedOf = async (store: Store) =>
  (await store.statements.query({ keys: [`verb|${CERTIFICATE_VERBS.earned}`], ascending: true, limit: 10, throughSequence: await store.statements.latestSequence() })).statements;

contract('certificates', async (t, open) => {
  const store = await open();
  const certificates = store.certificates!;
  t.ok(certificates, 'the store has certificates');
  await course(store);
  const seen: CertificateCompletion[] = [];
  // The second registration's first draw is the number the first one got: it must draw again.
  const issuer = issuerDrawing(['CAD-2026-AAAA-0001', 'CAD-2026-AAAA-0001', 'CAD-2026-BBBB-0002'], seen);
  certificates.useIssuer(issuer);

  await store.statements.insert([learnerStatement(1, 'experienced', REG[0], T)]);
  t.equal(await certificates.ofRegistration(REG[0]), null, 'not yet earned: nothing issued');
  await store.statements.insert([learnerStatement(2, 'completed', REG[0], T + 60_000)]);
  const first = await certificates.ofRegistration(REG[0]);
  t.match(first, { number: 'CAD-2026-AAAA-0001', registrationId: REG[0], userId: 'u1', courseId: 'c1', learnerName: 'Ann Officer', courseTitle: 'xAPI demo', completedMs: T + 60_000, revocation: null },
    'issued with the statement that met the rule');
  t.match(seen[0], { learnerLanguage: 'fr', courseSlug: 'xapi-demo', courseActivityId: courseIri, courseTitle: { en: 'xAPI demo', fr: 'Démo xAPI' }, format: 'xapi' }, 'the issuer is told what it needs');
  t.same((await earnedOf(store)).map((s) => s.id), [first!.statementId], 'its earned statement stored in the same write');
  t.match(await store.records.progress(REG[0]), { statements: 2 }, 'the earned statement is no evidence of learning: not folded');

  await store.statements.insert([learnerStatement(3, 'passed', REG[0], T + 120_000)]);
  t.equal(issuer.drawn.length, 1, 'never twice for a registration');

  await store.statements.insert([learnerStatement(4, 'completed', REG[1], T + 180_000), learnerStatement(5, 'passed', REG[1], T + 200_000)]);
  const second = await certificates.ofRegistration(REG[1]);
  t.same(issuer.drawn, ['CAD-2026-AAAA-0001', 'CAD-2026-AAAA-0001', 'CAD-2026-BBBB-0002'], 'a number already taken is drawn again');
  t.match(second, { number: 'CAD-2026-BBBB-0002', userId: 'u2', learnerName: 'Bo Officer', score: 0.9 }, 'numbers are unique');
  t.same(await certificates.get('CAD-2026-BBBB-0002'), second);
  t.equal(await certificates.get('CAD-2026-XXXX-0000'), null);
  t.same((await certificates.ofUser('u1')).map((c) => c.number), ['CAD-2026-AAAA-0001']);
  t.same(await certificates.ofUser('nobody'), []);

  // Revocation: all or nothing, once.
  const audit = { atMs: T + 300_000, actorId: 'admin', action: 'certificate.revoked', subject: 'certificate:CAD-2026-AAAA-0001', ip: null, detail: { reason: 'fraud' } };
  const revocation = { atMs: T + 300_000, byUserId: 'admin', reason: 'Exam taken by someone else', payload: '{"status":"revoked"}', signature: 'sig2', statementId: idOf(950) };
  const retract = normalize({ id: idOf(950), actor: { mbox: 'mailto:admin@academy.example' }, verb: { id: CERTIFICATE_VERBS.retracted }, object: { id: `${PUBLIC}/certificates/CAD-2026-AAAA-0001` } }, T + 300_000);
  const revoked = await certificates.revoke({ number: 'CAD-2026-AAAA-0001', revocation, statements: [retract], audit });
  t.same(revoked?.revocation, revocation, 'revoked with its reason');
  t.same(await certificates.get('CAD-2026-AAAA-0001'), revoked);
  t.ok(await store.statements.get(idOf(950)), 'the statement recording it stored');
  t.match(await store.audit.list({ limit: 1, subject: 'certificate:CAD-2026-AAAA-0001' }), [{ action: 'certificate.revoked' }], 'and audited');
  const again = { atMs: T + 400_000, byUserId: 'admin2', reason: 'again', payload: '{}', signature: 's', statementId: idOf(951) };
  const retractAgain = normalize({ id: idOf(951), actor: { mbox: 'mailto:admin@academy.example' }, verb: { id: CERTIFICATE_VERBS.retracted }, object: { id: `${PUBLIC}/certificates/x` } }, T + 400_000);
  await t.rejects(certificates.revoke({ number: 'CAD-2026-AAAA-0001', revocation: again, statements: [retractAgain], audit }), { code: 'certificate-revoked' }, 'never twice');
  t.equal(await store.statements.get(idOf(951)), null, 'a refused revocation stores nothing');
  t.equal((await store.audit.list({ limit: 10, subject: 'certificate:CAD-2026-AAAA-0001' })).length, 1);
  t.same((await certificates.get('CAD-2026-AAAA-0001'))?.revocation, revocation, 'the first revocation stands');
  t.equal(await certificates.revoke({ number: 'CAD-2026-NONE-0000', revocation: again, statements: [], audit }), null, 'unknown number');

  // Rebuilding the projections leaves the register alone.
  await store.records.rebuild();
  t.same((await certificates.get('CAD-2026-AAAA-0001'))?.revocation, revocation);
  t.equal((await earnedOf(store)).length, 2, 'no second earned statement after a rebuild');
});

contract('certificate rules and a failing issuer', async (t, open) => {
  const store = await open();
  const certificates = store.certificates!;
  await course(store);
  t.equal(await certificates.rule('c1'), null, 'no setting: the default of the format');
  await certificates.setRule('c1', 'none', 1);
  t.equal(await certificates.rule('c1'), 'none');
  const failures: string[] = [];
  const working = issuerDrawing([]);
  certificates.useIssuer(working);
  await store.statements.insert([learnerStatement(1, 'completed', REG[0], T)]);
  t.equal(await certificates.ofRegistration(REG[0]), null, 'rule none: never issued');
  await certificates.setRule('c1', 'passed', 2);
  t.equal(await certificates.rule('c1'), 'passed');
  await store.statements.insert([learnerStatement(2, 'experienced', REG[0], T + 1000)]);
  t.equal(await certificates.ofRegistration(REG[0]), null, 'completed is not passed');

  certificates.useIssuer({ issue: () => { throw new Error('the signing key is unreadable'); }, failed: (_error, registration) => failures.push(registration) });
  await store.statements.insert([learnerStatement(3, 'passed', REG[0], T + 2000)]);
  t.same(failures, [REG[0]], 'the issuer\'s failure is reported');
  t.ok(await store.statements.get(idOf(3)), 'the learner\'s statement is stored anyway');
  t.equal(await certificates.ofRegistration(REG[0]), null, 'nothing half-written');
  t.match(await store.records.progress(REG[0]), { success: 'passed' });

  certificates.useIssuer(working);
  await store.statements.insert([learnerStatement(4, 'experienced', REG[0], T + 3000)]);
  t.match(await certificates.ofRegistration(REG[0]), { completedMs: T + 2000 }, 'the next statement tries again; completed when the rule was met');
  await certificates.setRule('c1', null, 3);
  t.equal(await certificates.rule('c1'), null, 'back to the default');
});

contract('certificate signing key', async (t, open) => {
  const store = await open();
  const certificates = store.certificates!;
  let generated = 0;
  const generate = (label: string) => () => {
    generated += 1;
    return `-----BEGIN PRIVATE KEY-----\n${label}\n-----END PRIVATE KEY-----\n`;
  };
  const [a, b] = await Promise.all([certificates.signingKey(generate('first')), certificates.signingKey(generate('second'))]);
  t.equal(a, b, 'callers at once get the same key');
  t.match(a, /^-----BEGIN PRIVATE KEY-----\n(first|second)\n/);
  t.equal(await certificates.signingKey(generate('third')), a, 'and it never changes');
  t.ok(generated >= 1 && generated <= 2, 'generated only when there was none');
});

t.test('SQLite keeps the signing key where earlier versions put it: DATA_DIR/certificate-signing-key.pem, owner only', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-signing-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const existing = generateSigningKeyPem();
  fs.writeFileSync(path.join(dir, SIGNING_KEY_FILE), existing, { mode: 0o644 });
  const store = createSqliteStore(dir);
  t.teardown(() => store.close());
  t.equal(await store.certificates!.signingKey(() => 'never used'), existing, 'the file of an earlier version is the key');
  t.equal(fs.statSync(path.join(dir, SIGNING_KEY_FILE)).mode & 0o777, 0o600, 'its permissions taken back to the owner');

  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-signing-'));
  t.teardown(() => fs.rmSync(fresh, { recursive: true, force: true }));
  const other = createSqliteStore(fresh);
  t.teardown(() => other.close());
  const made = await other.certificates!.signingKey(generateSigningKeyPem);
  t.equal(fs.readFileSync(path.join(fresh, SIGNING_KEY_FILE), 'utf8'), made, 'a new store writes its key there');
  t.equal(signingKeyFromPem(made).jwk.crv, 'Ed25519');

  const memory = createSqliteStore(':memory:');
  t.teardown(() => memory.close());
  const kept = await memory.certificates!.signingKey(generateSigningKeyPem);
  t.equal(await memory.certificates!.signingKey(generateSigningKeyPem), kept, 'an in-memory store keeps one key for its lifetime');
});

contract('certificates issued at once', async (t, open) => {
  const store = await open();
  await course(store);
  // Every registration's first draw is the same number: concurrent writers must still end with distinct ones.
  let calls = 0;
  const base = issuerDrawing([]);
  store.certificates!.useIssuer({
    issue(completion) {
      calls += 1;
      const issued = base.issue(completion);
      if (calls > 3) return issued;
      const number = 'CAD-2026-SAME-0000';
      return { certificate: { ...issued.certificate, number }, statements: issued.statements };
    },
  });
  await Promise.all(REG.map((registration, i) => store.statements.insert([learnerStatement(10 + i, 'completed', registration, T + i)])));
  const issued = await Promise.all(REG.map((registration) => store.certificates!.ofRegistration(registration)));
  t.ok(issued.every(Boolean), 'every registration got its certificate');
  t.equal(new Set(issued.map((c) => c!.number)).size, REG.length, 'all numbers distinct');
  t.equal((await earnedOf(store)).length, REG.length, 'one earned statement each');
});
