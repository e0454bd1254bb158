/**
 * Pure parts of the MongoDB adapter added for certificates, mail delivery and large attachments, evaluated with mingo
 * (MongoDB's query and update languages): the signing key's insert-if-absent, the revocation's condition, the mail
 * claim's filter, order and update, and where an attachment's content goes.
 */
import { Query, update as applyUpdate } from 'mingo';
import t from 'tap';
import { attachmentPlacement, attachmentUpsert, INLINE_ATTACHMENT_LIMIT } from '../../../src/store/mongo/attachments.js';
import {
  CERTIFICATE_KEY_ID,
  certificateDocumentOf,
  certificatesOfUserPlan,
  keyInsertIfAbsent,
  revokeCertificate,
  toCertificateRecord,
} from '../../../src/store/mongo/certificate-queries.js';
import { mailDocumentOf } from '../../../src/store/mongo/access-queries.js';
import { claimMailUpdate, dueMailFilter, dueMailSort, failedMailUpdate, notSentFilter, sentMailUpdate, toMailDeliveryEntry } from '../../../src/store/mongo/mail-queries.js';
import type { CertificateRecord } from '../../../src/store/ports.js';
import { InMemoryMongoClient } from './in-memory-mongo.js';

type Doc = Record<string, any>;
const matches = (filter: Doc, doc: Doc) => new Query(filter).test(doc);
/** An update document applied as the server would, on a copy. */
const applied = (doc: Doc, update: Doc) => {
  const copy = structuredClone(doc);
  const { $setOnInsert: _ignored, ...modifier } = update;
  applyUpdate(copy, modifier, [], undefined, { cloneMode: 'none' });
  return copy;
};

t.test('the signing key: inserted if absent, never replaced', async (t) => {
  const first = keyInsertIfAbsent(CERTIFICATE_KEY_ID, 'PEM-1', 10);
  t.same(first, { filter: { _id: 'certificate-signing' }, update: { $setOnInsert: { pem: 'PEM-1', createdMs: 10 } }, options: { upsert: true } });
  const stored = { _id: 'certificate-signing', pem: 'PEM-1', createdMs: 10 };
  t.same(applied(stored, keyInsertIfAbsent(CERTIFICATE_KEY_ID, 'PEM-2', 20).update), stored, 'an existing key is left as it is: only $setOnInsert');

  // On the stand-in (mingo): processes racing for the first key all end up with one.
  const keys = new InMemoryMongoClient().db('k').collection('keys');
  await keys.createIndexes([{ key: { _id: 1 }, unique: true }]);
  for (const pem of ['PEM-A', 'PEM-B', 'PEM-C']) {
    const { filter, update, options } = keyInsertIfAbsent(CERTIFICATE_KEY_ID, pem, 1);
    await keys.updateOne(filter, update, options);
  }
  t.same(keys.docs, [{ _id: 'certificate-signing', pem: 'PEM-A', createdMs: 1 }], 'the first stays; later ones change nothing');
});

t.test('certificates: mapping, revocation once, a learner\'s order', async (t) => {
  const certificate: CertificateRecord = {
    number: 'CAD-2026-7KQ4-M2XD', registrationId: 'r', userId: 'u', courseId: 'c', learnerName: 'Ann', courseTitle: 'Course', score: null, completedMs: 1, issuedMs: 2,
    keyId: 'k', payload: 'p', signature: 's', statementId: 'st', revocation: null,
  };
  const doc = certificateDocumentOf(certificate);
  t.equal(doc._id, 'CAD-2026-7KQ4-M2XD', 'the number is the _id: unique by construction');
  t.same(toCertificateRecord(doc), certificate, 'round trip');
  const revocation = { atMs: 3, byUserId: 'admin', reason: 'why', payload: 'p2', signature: 's2', statementId: 'st2' };
  const { filter, update } = revokeCertificate(certificate.number, revocation);
  t.ok(matches(filter, doc), 'a valid certificate can be revoked');
  const revoked = applied(doc, update);
  t.same(toCertificateRecord(revoked as never).revocation, revocation);
  t.notOk(matches(filter, revoked), 'a revoked one matches no more: a second revocation changes nothing');
  const plan = certificatesOfUserPlan('u');
  t.same(plan.sort, { issuedMs: 1, _id: 1 }, 'oldest first, then by number (SQLite: ORDER BY issued_ms, number)');
});

t.test('mail delivery: due, claimed once, leased, sent never undone', async (t) => {
  const mail = (id: string, seq: number, createdMs: number) => mailDocumentOf(seq, { id, to: 'x@academy.example', subject: 's', text: 't', kind: 'invitation', createdMs });
  const docs = [mail('late', 1, 300), mail('early', 2, 100), mail('tie', 3, 100)];
  t.match(docs[0], { deliveryStatus: 'pending', attempts: 0, nextAttemptMs: 300 }, 'a new message is due from its creation');
  const due = new Query(dueMailFilter(150)).find(docs).sort(dueMailSort).all() as Doc[];
  t.same(due.map((d) => d._id), ['early', 'tie'], 'due now, earliest first, then in insertion order');
  const claimed = applied(due[0]!, claimMailUpdate(150, 1000));
  t.match(claimed, { attempts: 1, lastAttemptMs: 150, nextAttemptMs: 1150 }, 'the claim counts the attempt and holds the lease');
  t.notOk(matches(dueMailFilter(200), claimed), 'a claimed message is not due to another sender');
  t.ok(matches(dueMailFilter(1150), claimed), 'until its lease runs out');
  const sent = applied(claimed, sentMailUpdate(160));
  t.match(sent, { deliveryStatus: 'sent', sentMs: 160, nextAttemptMs: null, lastError: null });
  t.notOk(matches(notSentFilter('early'), sent), 'a sent message matches neither mark again');
  t.notOk(matches(dueMailFilter(Number.MAX_SAFE_INTEGER), sent), 'and is never due');
  const failed = applied(claimed, failedMailUpdate('450 busy', null));
  t.match(failed, { deliveryStatus: 'failed', lastError: '450 busy', nextAttemptMs: null });
  t.notOk(matches(dueMailFilter(Number.MAX_SAFE_INTEGER), failed), 'given up: never due');
  t.same(toMailDeliveryEntry(failed as never).delivery, { status: 'failed', attempts: 1, lastError: '450 busy', lastAttemptMs: 150, nextAttemptMs: null, sentMs: null });
});

t.test('attachments: inline up to the limit, GridFS above (BSON documents hold 16 MiB)', async (t) => {
  t.equal(INLINE_ATTACHMENT_LIMIT, 15 * 1024 * 1024);
  t.ok(INLINE_ATTACHMENT_LIMIT < 16 * 1024 * 1024, 'below the BSON limit, with room for the other fields');
  t.equal(attachmentPlacement(0), 'inline');
  t.equal(attachmentPlacement(INLINE_ATTACHMENT_LIMIT), 'inline', 'at the limit: inline');
  t.equal(attachmentPlacement(INLINE_ATTACHMENT_LIMIT + 1), 'gridfs', 'one byte more: GridFS');
  t.equal(attachmentPlacement(20 * 1024 * 1024), 'gridfs');
  t.equal(attachmentPlacement(11, 10), 'gridfs', 'the limit is a parameter (tests use a small one)');
  const attachment = { sha2: 'ab'.repeat(32), contentType: 'video/mp4', content: Buffer.from('0123456789') };
  t.same(attachmentUpsert(attachment, null), { filter: { _id: attachment.sha2 }, update: { $setOnInsert: { contentType: 'video/mp4', content: attachment.content } } }, 'inline: the content in the document');
  t.same(attachmentUpsert(attachment, 'f00d'), { filter: { _id: attachment.sha2 }, update: { $setOnInsert: { contentType: 'video/mp4', content: null, gridFsId: 'f00d', sizeBytes: 10 } } },
    'GridFS: the document points to the file; storing the hash twice is still a no-op ($setOnInsert)');
});
