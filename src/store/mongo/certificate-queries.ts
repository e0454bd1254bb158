/**
 * Pure mappings, filters and updates of the certificate register (`certificates`, `certificate_rules`) and of the
 * shared signing key (`keys`). Field for field the columns of SQLite's `certificates` table.
 */
import type { CertificateRecord, CertificateRevocation, CertificateRule } from '../ports.js';
import type { CertificateDocument, CertificateRuleDocument, KeyDocument } from './documents-model.js';

export const certificateDocumentOf = (certificate: CertificateRecord): CertificateDocument => ({
  _id: certificate.number,
  registrationId: certificate.registrationId,
  userId: certificate.userId,
  courseId: certificate.courseId,
  learnerName: certificate.learnerName,
  courseTitle: certificate.courseTitle,
  score: certificate.score,
  completedMs: certificate.completedMs,
  issuedMs: certificate.issuedMs,
  keyId: certificate.keyId,
  payload: certificate.payload,
  signature: certificate.signature,
  statementId: certificate.statementId,
  revocation: certificate.revocation && revocationOf(certificate.revocation),
});

const revocationOf = (revocation: CertificateRevocation): CertificateRevocation => ({
  atMs: revocation.atMs,
  byUserId: revocation.byUserId,
  reason: revocation.reason,
  payload: revocation.payload,
  signature: revocation.signature,
  statementId: revocation.statementId,
});

export const toCertificateRecord = (doc: CertificateDocument): CertificateRecord => ({
  number: doc._id,
  registrationId: doc.registrationId,
  userId: doc.userId,
  courseId: doc.courseId,
  learnerName: doc.learnerName,
  courseTitle: doc.courseTitle,
  score: doc.score,
  completedMs: doc.completedMs,
  issuedMs: doc.issuedMs,
  keyId: doc.keyId,
  payload: doc.payload,
  signature: doc.signature,
  statementId: doc.statementId,
  revocation: doc.revocation ? revocationOf(doc.revocation) : null,
});

/** A learner's certificates, oldest first (SQLite: `ORDER BY issued_ms, number`); the `user_issued` index serves it. */
export const certificatesOfUserPlan = (userId: string) => ({ filter: { userId }, sort: { issuedMs: 1, _id: 1 } as const });

/** Revocation is conditional on the certificate not being revoked yet: two admins at once, one wins. */
export const revokeCertificate = (number: string, revocation: CertificateRevocation) => ({
  filter: { _id: number, revocation: null },
  update: { $set: { revocation: revocationOf(revocation) } },
});

export const ruleDocumentOf = (courseId: string, rule: CertificateRule, atMs: number): CertificateRuleDocument => ({ _id: courseId, rule, updatedMs: atMs });

/** The `_id` of the certificate signing key in `keys`. */
export const CERTIFICATE_KEY_ID = 'certificate-signing';

/**
 * Insert-if-absent of a key: the upsert creates the document with `pem` only when none exists, and never changes an
 * existing one. Of processes starting together, every one then reads the first key stored (a loser of the race for
 * the insert gets a duplicate key error, which means the key is there).
 */
export const keyInsertIfAbsent = (id: string, pem: string, nowMs: number) => ({
  filter: { _id: id },
  update: { $setOnInsert: { pem, createdMs: nowMs } satisfies Omit<KeyDocument, '_id'> },
  options: { upsert: true } as const,
});
