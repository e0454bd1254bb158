/**
 * `cadet migrate --to mongodb`: the pure row → document mappings, then a whole copy of a populated SQLite store
 * into the MongoDB adapter (on the in-memory stand-in), interrupted and resumed, after which the MongoDB store
 * answers every port's reads exactly as the SQLite store does.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { createMongoContext } from '../../../src/store/mongo/database.js';
import { createMongoStore } from '../../../src/store/mongo/index.js';
import { batchQuery, checkpointKeyOf, migrateSqliteToMongo, tableCopies } from '../../../src/store/mongo/migrate-from-sqlite.js';
import * as map from '../../../src/store/mongo/migration-mapping.js';
import { SIGNING_KEY_FILE } from '../../../src/records/certificates/certificate-signing.js';
import type { PackageFileStore, Store } from '../../../src/store/ports.js';
import { createSqliteStore } from '../../../src/store/sqlite/index.js';
import { newVersion } from '../../contract/catalog-fixtures.js';
import { user } from '../../contract/people.js';
import { batches, namedFilters, recordOf, actors, verbs, T0 } from '../../contract/statement-fixtures.js';
import { InMemoryMongoClient } from './in-memory-mongo.js';

t.test('row mappings', async (t) => {
  t.same(map.statementDocumentFromRow({ seq: 7, id: 'x', stored_ms: 5, verb_id: 'v', registration: null, ref_target: 'y', is_voiding: 1, voided: 0, credential_id: null, fingerprint: 'f', body: '{}' }, ['verb|v', 'agent|a']), {
    _id: 'x', seq: 7, body: '{}', storedMs: 5, verbId: 'v', registration: null, refTarget: 'y', isVoiding: true, voided: false, credentialId: null, fingerprint: 'f', keys: ['agent|a', 'verb|v'],
  }, 'statement: id, sequence and stored kept; flags as booleans; keys own and inherited');
  t.match(map.userDocumentFromRow({ id: 'u', email: 'A@x', email_key: 'a@x', name: 'n', country: 'FR', agency: 'g', language: 'fr', roles: '[{"role":"approver","countries":["FR"]}]', status: 'active', password_hash: null, failed_logins: 1, locked_until_ms: null, created_ms: 3 }),
    { _id: 'u', emailKey: 'a@x', roles: [{ role: 'approver', countries: ['FR'] }], failedLogins: 1 });
  t.same(map.mailDocumentFromRow({ rowid: 4, id: 'm', recipient: 'r', subject: 's', body: 'b', kind: 'k', created_ms: 9 }), {
    _id: 'm', to: 'r', subject: 's', text: 'b', kind: 'k', createdMs: 9, seq: 4, deliveryStatus: 'pending', attempts: 0, lastError: null, lastAttemptMs: null, nextAttemptMs: 9, sentMs: null,
  }, 'rowid becomes the tie-break; a row without delivery columns is due from its creation');
  t.match(map.mailDocumentFromRow({ rowid: 5, id: 'm', recipient: 'r', subject: 's', body: 'b', kind: 'k', created_ms: 9, delivery_status: 'sent', attempts: 2, last_error: null, last_attempt_ms: 20, next_attempt_ms: null, sent_ms: 21 }),
    { deliveryStatus: 'sent', attempts: 2, nextAttemptMs: null, sentMs: 21 }, 'a message sent before the move is never due again');
  const certificateRow: map.CertificateRow = {
    number: 'CAD-2026-7KQ4-M2XD', registration_id: 'r', user_id: 'u', course_id: 'c', learner_name: 'Ann', course_title: 'Course', score: 0.5, completed_ms: 1, issued_ms: 2,
    key_id: 'k', payload: '{"status":"valid"}', signature: 'sig', statement_id: 's1', revoked_ms: null, revoked_by: null, revocation_reason: null,
    revocation_payload: null, revocation_signature: null, revocation_statement_id: null,
  };
  t.same(map.certificateDocumentFromRow(certificateRow), {
    _id: 'CAD-2026-7KQ4-M2XD', registrationId: 'r', userId: 'u', courseId: 'c', learnerName: 'Ann', courseTitle: 'Course', score: 0.5, completedMs: 1, issuedMs: 2,
    keyId: 'k', payload: '{"status":"valid"}', signature: 'sig', statementId: 's1', revocation: null,
  }, 'certificate: the number is the _id; payload and signature as signed');
  t.same(map.certificateDocumentFromRow({ ...certificateRow, revoked_ms: 3, revoked_by: 'admin', revocation_reason: 'why', revocation_payload: '{"status":"revoked"}', revocation_signature: 'sig2', revocation_statement_id: 's2' }).revocation,
    { atMs: 3, byUserId: 'admin', reason: 'why', payload: '{"status":"revoked"}', signature: 'sig2', statementId: 's2' }, 'a revocation as one embedded document');
  t.same(map.certificateRuleDocumentFromRow({ course_id: 'c', rule: 'passed', updated_ms: 4 }), { _id: 'c', rule: 'passed', updatedMs: 4 });
  t.same(map.reportAnswerDocumentFromRow({ seq: 12, course_id: 'c', question_id: 'q', registration_id: 'r', user_id: 'u', at_ms: 5, success: 0, response: 'b', latency_ms: null }),
    { _id: 12, courseId: 'c', questionId: 'q', registrationId: 'r', userId: 'u', atMs: 5, success: false, response: 'b', latencyMs: null }, 'answer: keyed by its statement seq; success as a boolean');
  t.equal(map.reportAnswerDocumentFromRow({ seq: 1, course_id: 'c', question_id: 'q', registration_id: 'r', user_id: 'u', at_ms: 5, success: null, response: null, latency_ms: 3 }).success, null, 'unjudged stays null');
  t.same(map.reportQuestionDocumentFromRow({ course_id: 'c', question_id: 'q', definition: '{"a":1}' }), { _id: '["c","q"]', courseId: 'c', questionId: 'q', definition: '{"a":1}' });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  t.same(map.signingKeyDocumentOf(pem, 7), { _id: 'certificate-signing', pem, createdMs: 7 }, 'the signing key file as the shared key document');
  t.throws(() => map.signingKeyDocumentOf('not a key', 7), /not a PKCS #8 PEM/, 'a file that is no key is refused, not copied');
  t.match(map.sessionDocumentFromRow({ id_hash: 'h', user_id: null, csrf_token: 'c', created_ms: 1, expires_ms: 2000 }), { _id: 'h', expiresAt: new Date(2000) }, 'a Date for the TTL index');
  const progress = map.progressDocumentFromRows(
    { registration_id: 'r', user_id: 'u', course_id: 'c', version_id: 'v', format: 'xapi', status: 'completed', success: 'unknown', score: null, time_spent_ms: 1, first_access_ms: 1, last_access_ms: 2, completed_ms: 2, statements: 3, state: '{"s":1}' },
    [1, 0].map((position) => ({ unit_id: `u${position}`, position, activity_id: 'a', status: 'completed', success: 'unknown', best_score: null, last_score: null, attempts: 1, time_spent_ms: 1, first_access_ms: 1, last_access_ms: 1, completed_ms: 1 })),
  );
  t.same(progress.units.map((u) => u.unitId), ['u0', 'u1'], 'units embedded by position');
  t.equal(progress.state, '{"s":1}', 'fold state as the same JSON text');
  t.equal(map.documentDocumentFromRow({ kind: 'state', activity_id: 'a', agent: 'g', registration: '', document_id: 'd', content: Buffer.from('x'), content_type: 't', etag: 'e', updated_ms: 1 })._id, '["state","a","g","","d"]');
});

t.test('keyset batches', async (t) => {
  const statements = tableCopies.find((c) => c.table === 'statements')!;
  const documents = tableCopies.find((c) => c.table === 'documents')!;
  t.equal(batchQuery(statements, false), 'SELECT * FROM statements ORDER BY seq LIMIT ?');
  t.equal(batchQuery(statements, true), 'SELECT * FROM statements WHERE seq > ? ORDER BY seq LIMIT ?');
  t.equal(batchQuery(documents, true), 'SELECT * FROM documents WHERE (kind, activity_id, agent, registration, document_id) > (?, ?, ?, ?, ?) ORDER BY kind, activity_id, agent, registration, document_id LIMIT ?');
  t.equal(checkpointKeyOf(statements, { seq: 12 }), 12);
  t.equal(checkpointKeyOf(documents, { kind: 'state', activity_id: 'a', agent: 'g', registration: '', document_id: 'd' }), '["state","a","g","","d"]');
});

/** A SQLite store with something in every table. */
async function populated(dataDir: string): Promise<Store> {
  const store = createSqliteStore(dataDir);
  for (const batch of batches) await store.statements.insert(batch, batch === batches[0] ? [{ sha2: 'ab'.repeat(32), contentType: 'text/plain', content: Buffer.from('note') }] : []);
  await store.users.add(user('u1', 'u1@academy.example', { country: 'FR', roles: [{ role: 'analyst', countries: ['FR'] }] }));
  await store.users.add(user('u2', 'u2@academy.example', { country: 'DE' }));
  await store.users.addPasswordToken({ tokenHash: 'tok', userId: 'u1', purpose: 'reset', createdMs: 1, expiresMs: 2, usedMs: null });
  await store.sessions.add({ idHash: 'sess', userId: 'u1', csrfToken: 'c', createdMs: Date.now(), expiresMs: Date.now() + 60_000 });
  await store.sessions.signingSecret(() => 'secret-of-the-sqlite-store-000000');
  await store.credentials.add({ key: 'cred-a', name: 'tool', secretHash: 'cd'.repeat(32), scopes: ['all'], createdMs: 5, revokedMs: null });
  await store.accessRequests.add({ id: 'ar', name: 'n', email: 'x@academy.example', agency: 'a', country: 'FR', position: 'p', reason: 'r', language: 'en', status: 'pending', createdMs: 1, decidedMs: null, decidedBy: null, rejectionReason: null, userId: null });
  for (let i = 0; i < 3; i++) await store.audit.append({ atMs: 10, actorId: 'u1', action: `a${i}`, subject: 'user:u1', ip: null, detail: { i } });
  for (let i = 0; i < 3; i++) await store.outbox.enqueue({ id: `m${i}`, to: 't', subject: 's', text: 'x', kind: 'k', createdMs: 10 });
  const staging = await store.packageFiles.stagingDirectory();
  fs.mkdirSync(path.join(staging, 'media'), { recursive: true });
  fs.writeFileSync(path.join(staging, 'index.html'), '<h1>course</h1>');
  fs.writeFileSync(path.join(staging, 'media', 'a.txt'), 'abc');
  await store.packageFiles.adopt('files_v1', staging);
  await store.catalog.addVersion(newVersion('v1'));
  await store.runtime.addRegistration({ id: 'reg-1', userId: 'u1', courseId: 'c1', versionId: 'v1', createdMs: 100, completedMs: null });
  await store.runtime.addAttempt({ id: 'att-1', registrationId: 'reg-1', unitId: 'https://academy.example/courses/xapi-demo', atMs: 200 });
  // A certificate issued by the commit below (a fixed issuer: no statements of its own), then revoked; a rule; an answer.
  store.certificates!.useIssuer({
    issue: (completion) => ({
      certificate: {
        number: 'CAD-2026-7KQ4-M2XD', registrationId: completion.registrationId, userId: completion.userId, courseId: completion.courseId,
        learnerName: completion.learnerName, courseTitle: 'xAPI demo', score: completion.score, completedMs: completion.completedMs, issuedMs: 400,
        keyId: 'kid', payload: '{"status":"valid"}', signature: 'sig', statementId: 'earned-1', revocation: null,
      },
      statements: [],
    }),
  });
  await store.statements.insert([recordOf({ n: 701, statement: {
    actor: actors.alice, verb: { id: verbs.answered }, context: { registration: 'reg-1' },
    object: { id: 'https://academy.example/courses/xapi-demo/q1', definition: { description: { en: 'Q1' }, interactionType: 'choice' } },
    result: { success: false, response: 'b', duration: 'PT7S' },
  } as never, credential: null }, T0 + 40_000)]);
  await store.certificates!.signingKey(() => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  const content = Buffer.from('{"bookmark":3}');
  const statement = recordOf({ n: 700, statement: { actor: actors.alice, verb: { id: verbs.completed }, object: { id: 'https://academy.example/courses/xapi-demo' }, context: { registration: 'reg-1' } } as never, credential: null }, T0 + 50_000);
  await store.runtime.applyCommit({
    attemptId: 'att-1', sequence: 1, state: { 'cmi.location': '3' }, ended: false, atMs: 300, statements: [statement], registrationState: { blocks: [] },
    documents: [{ key: { kind: 'state', activityId: 'https://academy.example/a', agent: 'Agent|mbox|mailto:alice@academy.example', registration: 'reg-1', documentId: 'bookmark' }, document: { content, contentType: 'application/json', etag: `"${createHash('sha1').update(content).digest('hex')}"`, updatedMs: 300 } }],
  });
  await store.certificates!.revoke({
    number: 'CAD-2026-7KQ4-M2XD', statements: [],
    revocation: { atMs: 500, byUserId: 'u1', reason: 'Exam taken by someone else', payload: '{"status":"revoked"}', signature: 'sig2', statementId: 'retract-1' },
    audit: { atMs: 500, actorId: 'u1', action: 'certificate.revoked', subject: 'certificate:CAD-2026-7KQ4-M2XD', ip: null, detail: {} },
  });
  await store.certificates!.setRule('c1', 'passed', 600);
  return store;
}

/** The target's package files here are recorded as adopted: what is checked is which files the copy hands over. */
function recordingFiles(): PackageFileStore & { adopted: Map<string, string[]> } {
  const adopted = new Map<string, string[]>();
  const list = (dir: string, prefix = ''): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
  return {
    adopted,
    async adopt(key, directory) {
      adopted.set(key, list(directory).sort());
      fs.rmSync(directory, { recursive: true, force: true });
    },
    async stat() { return null; },
    read() { throw new Error('not in this test'); },
    async remove() {},
    async stagingDirectory() { return os.tmpdir(); },
  };
}

t.test('a whole store copied, interrupted, resumed, verified; the copy answers as the original', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-migrate-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const sqlite = await populated(dataDir);
  const client = new InMemoryMongoClient();
  const target = createMongoStore(client.asDriverClient(), 'cadet_migrated');
  await target.prepare();
  const files = recordingFiles();
  const options = {
    sqliteFile: path.join(dataDir, 'cadet.sqlite'), packagesDirectory: path.join(dataDir, 'packages'), target: createMongoContext(client.asDriverClient(), 'cadet_migrated'),
    targetFiles: files, batchSize: 4, signingKeyFile: path.join(dataDir, SIGNING_KEY_FILE),
  };

  let batchesSeen = 0;
  const interrupted = await migrateSqliteToMongo({ ...options, onProgress: () => {
    if (++batchesSeen === 3) throw new Error('connection lost');
  } }).catch((e: Error) => e.message);
  t.equal(interrupted, 'connection lost', 'first run stops after a few batches');
  const lines: string[] = [];
  const report = await migrateSqliteToMongo({ ...options, onProgress: (p) => lines.push(`${p.table}: ${p.copied}/${p.total}`) });
  t.ok(report.ok, 'counts verified');
  t.match(report.tables.find((r) => r.table === 'statements'), { source: batches.flat().length + 2, target: batches.flat().length + 2 });
  t.ok(lines.includes('statements: 27/27'), 'progress lines per table');
  t.notOk(lines.some((line) => line.startsWith('statements: 4/')), 'resumed after the checkpoint, not from the start');
  t.same([...files.adopted.entries()], [['files_v1', ['index.html', 'media/a.txt']]], 'package files copied (the source left in place)');
  t.ok(fs.existsSync(path.join(dataDir, 'packages', 'files_v1', 'index.html')));
  const again = await migrateSqliteToMongo(options);
  t.ok(again.ok, 'running it once more changes nothing');

  const through = await sqlite.statements.latestSequence();
  t.equal(await target.statements.latestSequence(), through, 'the counter continues from the copied sequences');
  for (const { name, filter } of namedFilters(through)) t.same(await target.statements.query(filter), await sqlite.statements.query(filter), `query: ${name}`);
  t.same(await target.statements.attachments(['ab'.repeat(32)]), await sqlite.statements.attachments(['ab'.repeat(32)]));
  t.same(await target.users.list(), await sqlite.users.list());
  t.same(await target.users.findPasswordToken('tok'), await sqlite.users.findPasswordToken('tok'));
  t.same(await target.sessions.get('sess', Date.now()), await sqlite.sessions.get('sess', Date.now()));
  t.equal(await target.sessions.signingSecret(() => 'new'), 'secret-of-the-sqlite-store-000000', 'the cookie secret travels: sessions stay valid');
  t.same(await target.credentials.list(), await sqlite.credentials.list());
  t.same(await target.accessRequests.list({}), await sqlite.accessRequests.list({}));
  t.same(await target.audit.list({ limit: 10 }), await sqlite.audit.list({ limit: 10 }));
  t.same(await target.outbox.list(10), await sqlite.outbox.list(10));
  t.same(await target.catalog.versions('c1'), await sqlite.catalog.versions('c1'));
  t.same(await target.runtime.registration('reg-1'), await sqlite.runtime.registration('reg-1'));
  t.same(await target.runtime.attempts('reg-1'), await sqlite.runtime.attempts('reg-1'));
  const key = { kind: 'state' as const, activityId: 'https://academy.example/a', agent: 'Agent|mbox|mailto:alice@academy.example', registration: 'reg-1', documentId: 'bookmark' };
  t.same(await target.documents.get(key), await sqlite.documents.get(key));
  t.same(await target.activities.definition('https://academy.example/courses/evidence/q1'), await sqlite.activities.definition('https://academy.example/courses/evidence/q1'));
  t.equal(JSON.stringify(await target.records.snapshot()), JSON.stringify(await sqlite.records.snapshot()), 'projections byte for byte, fold state included');
  t.same(await target.records.courseProgress('c1', { countries: ['FR'] }), await sqlite.records.courseProgress('c1', { countries: ['FR'] }));
  const certificate = await sqlite.certificates!.get('CAD-2026-7KQ4-M2XD');
  t.match(certificate, { registrationId: 'reg-1', revocation: { reason: 'Exam taken by someone else' } }, 'the source had a revoked certificate');
  t.same(await target.certificates!.get('CAD-2026-7KQ4-M2XD'), certificate, 'certificates copied, revocation included');
  t.same(await target.certificates!.ofUser('u1'), await sqlite.certificates!.ofUser('u1'));
  t.equal(await target.certificates!.rule('c1'), 'passed', 'the per-course rule travels');
  t.equal(report.signingKey, 'copied');
  t.equal(await target.certificates!.signingKey(() => 'another key'), fs.readFileSync(path.join(dataDir, SIGNING_KEY_FILE), 'utf8'), 'the signing key travels: printed certificates keep verifying');
  const questions = await sqlite.reports!.questions({});
  t.match(questions, [{ questionId: 'https://academy.example/courses/xapi-demo/q1', answers: 1, wrongResponses: [{ response: 'b', count: 1 }] }], 'the source had an answer');
  t.same(await target.reports!.questions({}), questions, 'the answers projection travels');

  const next = recordOf({ n: 800, statement: { actor: actors.bob, verb: { id: verbs.completed }, object: { id: 'https://academy.example/after' } } as never, credential: null }, T0 + 99_000);
  await target.statements.insert([next]);
  t.equal((await target.statements.get(next.id))?.sequence, through + 1, 'a statement stored after the migration sorts after every copied one');
  await target.audit.append({ atMs: 11, actorId: null, action: 'after', subject: null, ip: null, detail: {} });
  t.equal((await target.audit.list({ limit: 1 }))[0].action, 'after', 'the audit counter continues too');
  await sqlite.close();
});

t.test('the command refuses a data directory without a store, and an unreachable server by its hosts', async (t) => {
  const { migrateDataDirToMongo } = await import('../../../src/store/index.js');
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-migrate-empty-'));
  t.teardown(() => fs.rmSync(empty, { recursive: true, force: true }));
  await t.rejects(migrateDataDirToMongo({ dataDir: empty, uri: 'mongodb://127.0.0.1:9' }), /there is no embedded store at .*cadet\.sqlite/);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-migrate-src-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  await createSqliteStore(dataDir).close();
  await t.rejects(migrateDataDirToMongo({ dataDir, uri: 'mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300' }), { name: 'MongoConnectionError', message: /cannot reach MongoDB at 127\.0\.0\.1:9/ });
});
