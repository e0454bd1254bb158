/**
 * Pure mappings from the embedded store's rows (src/store/sqlite/migrations/*.ts, column for column) to this
 * adapter's documents, for `cadet migrate --to mongodb`. Statements keep their id, `stored`, body bytes and
 * sequence; opaque JSON columns stay the same JSON text (documents-model.ts), so the copy is exact.
 */
import type { AccessRequestStatus, CourseRecord, DocumentKind, PasswordTokenPurpose, RoleGrant, Scope, UnitProgressRecord, UserStatus } from '../ports.js';
import type {
  AccessRequestDocument,
  CertificateDocument,
  CertificateRuleDocument,
  KeyDocument,
  ReportAnswerDocument,
  ReportQuestionDocument,
  ReportsMetaDocument,
  ActivityDocument,
  AttachmentDocument,
  AttemptDocument,
  AuditDocument,
  CourseDocument,
  CourseVersionDocument,
  CredentialDocument,
  DocumentDocument,
  MailDocument,
  PasswordTokenDocument,
  RecordsMetaDocument,
  RegistrationDocument,
  RegistrationProgressDocument,
  SecretDocument,
  SessionDocument,
  StatementDocument,
  UserDocument,
} from './documents-model.js';
import { documentIdOf } from './document-queries.js';
import { CERTIFICATE_KEY_ID } from './certificate-queries.js';
import { unitOf } from './records-queries.js';
import { questionKeyOf } from './reports-queries.js';

type Nullable<T> = T | null;

export interface StatementRow {
  seq: number;
  id: string;
  stored_ms: number;
  verb_id: string;
  registration: Nullable<string>;
  ref_target: Nullable<string>;
  is_voiding: number;
  voided: number;
  credential_id: Nullable<string>;
  fingerprint: string;
  body: string;
}

/**
 * A statement row and its filter keys (own and inherited: the `statement_keys` rows of its seq), without the
 * agent+verb pair keys (`av|…`), which are the SQLite store's own index (MongoDB matches both keys of the array).
 */
export const statementDocumentFromRow = (row: StatementRow, keys: readonly string[]): StatementDocument => ({
  _id: row.id,
  seq: row.seq,
  body: row.body,
  storedMs: row.stored_ms,
  verbId: row.verb_id,
  registration: row.registration,
  refTarget: row.ref_target,
  isVoiding: row.is_voiding === 1,
  voided: row.voided === 1,
  credentialId: row.credential_id,
  fingerprint: row.fingerprint,
  keys: keys.filter((key) => !key.startsWith('av|')).sort(),
});

export const attachmentDocumentFromRow = (row: { sha2: string; content_type: string; content: Buffer }): AttachmentDocument => ({
  _id: row.sha2,
  contentType: row.content_type,
  content: row.content,
});

export const activityDocumentFromRow = (row: { id: string; definition: string }): ActivityDocument => ({ _id: row.id, definition: row.definition });

export interface DocumentRow {
  kind: DocumentKind;
  activity_id: string;
  agent: string;
  registration: string;
  document_id: string;
  content: Buffer;
  content_type: string;
  etag: string;
  updated_ms: number;
}

export function documentDocumentFromRow(row: DocumentRow): DocumentDocument {
  const key = { kind: row.kind, activityId: row.activity_id, agent: row.agent, registration: row.registration, documentId: row.document_id };
  return { _id: documentIdOf(key), ...key, content: row.content, contentType: row.content_type, etag: row.etag, updatedMs: row.updated_ms, revision: 1 };
}

export const credentialDocumentFromRow = (row: { key: string; name: string; secret_hash: string; scopes: string; created_ms: number; revoked_ms: Nullable<number> }): CredentialDocument => ({
  _id: row.key,
  name: row.name,
  secretHash: row.secret_hash,
  scopes: JSON.parse(row.scopes) as Scope[],
  createdMs: row.created_ms,
  revokedMs: row.revoked_ms,
});

export interface UserRow {
  id: string;
  email: string;
  email_key: string;
  name: string;
  country: string;
  agency: string;
  language: string;
  roles: string;
  status: string;
  password_hash: Nullable<string>;
  failed_logins: number;
  locked_until_ms: Nullable<number>;
  created_ms: number;
}

export const userDocumentFromRow = (row: UserRow): UserDocument => ({
  _id: row.id,
  email: row.email,
  emailKey: row.email_key,
  name: row.name,
  country: row.country,
  agency: row.agency,
  language: row.language,
  roles: JSON.parse(row.roles) as RoleGrant[],
  status: row.status as UserStatus,
  passwordHash: row.password_hash,
  failedLogins: row.failed_logins,
  lockedUntilMs: row.locked_until_ms,
  createdMs: row.created_ms,
});

export const passwordTokenDocumentFromRow = (row: { token_hash: string; user_id: string; purpose: string; created_ms: number; expires_ms: number; used_ms: Nullable<number> }): PasswordTokenDocument => ({
  _id: row.token_hash,
  userId: row.user_id,
  purpose: row.purpose as PasswordTokenPurpose,
  createdMs: row.created_ms,
  expiresMs: row.expires_ms,
  usedMs: row.used_ms,
});

export const sessionDocumentFromRow = (row: { id_hash: string; user_id: Nullable<string>; csrf_token: string; created_ms: number; expires_ms: number }): SessionDocument => ({
  _id: row.id_hash,
  userId: row.user_id,
  csrfToken: row.csrf_token,
  createdMs: row.created_ms,
  expiresMs: row.expires_ms,
  expiresAt: new Date(row.expires_ms),
});

export const secretDocumentFromRow = (row: { name: string; value: string }): SecretDocument => ({ _id: row.name, value: row.value });

export interface AccessRequestRow {
  id: string;
  name: string;
  email: string;
  email_key: string;
  agency: string;
  country: string;
  position: string;
  reason: string;
  language: string;
  status: string;
  created_ms: number;
  decided_ms: Nullable<number>;
  decided_by: Nullable<string>;
  rejection_reason: Nullable<string>;
  user_id: Nullable<string>;
}

export const accessRequestDocumentFromRow = (row: AccessRequestRow): AccessRequestDocument => ({
  _id: row.id,
  name: row.name,
  email: row.email,
  emailKey: row.email_key,
  agency: row.agency,
  country: row.country,
  position: row.position,
  reason: row.reason,
  language: row.language,
  status: row.status as AccessRequestStatus,
  createdMs: row.created_ms,
  decidedMs: row.decided_ms,
  decidedBy: row.decided_by,
  rejectionReason: row.rejection_reason,
  userId: row.user_id,
});

export const auditDocumentFromRow = (row: { seq: number; at_ms: number; actor_id: Nullable<string>; action: string; subject: Nullable<string>; ip: Nullable<string>; detail: string }): AuditDocument => ({
  _id: row.seq,
  atMs: row.at_ms,
  actorId: row.actor_id,
  action: row.action,
  subject: row.subject,
  ip: row.ip,
  detail: row.detail,
});

export interface MailRow {
  rowid: number;
  id: string;
  recipient: string;
  subject: string;
  body: string;
  kind: string;
  created_ms: number;
  delivery_status?: string;
  attempts?: number;
  last_error?: Nullable<string>;
  last_attempt_ms?: Nullable<number>;
  next_attempt_ms?: Nullable<number>;
  sent_ms?: Nullable<number>;
}

/**
 * `rowid` is the outbox's insertion order in SQLite; it becomes the `seq` tie-break. The delivery columns travel
 * as they are, so a message sent before the move is not sent again (a row without them: due from its creation).
 */
export const mailDocumentFromRow = (row: MailRow): MailDocument => ({
  _id: row.id,
  to: row.recipient,
  subject: row.subject,
  text: row.body,
  kind: row.kind,
  createdMs: row.created_ms,
  seq: row.rowid,
  deliveryStatus: (row.delivery_status ?? 'pending') as MailDocument['deliveryStatus'],
  attempts: row.attempts ?? 0,
  lastError: row.last_error ?? null,
  lastAttemptMs: row.last_attempt_ms ?? null,
  nextAttemptMs: row.next_attempt_ms === undefined ? row.created_ms : row.next_attempt_ms,
  sentMs: row.sent_ms ?? null,
});

export const courseDocumentFromRow = (row: { id: string; slug: string; activity_id: string; source_identifier: string; format: string; title: string; created_ms: number }): CourseDocument => ({
  _id: row.id,
  slug: row.slug,
  activityId: row.activity_id,
  sourceIdentifier: row.source_identifier,
  format: row.format as CourseRecord['format'],
  title: JSON.parse(row.title) as Record<string, string>,
  createdMs: row.created_ms,
});

export interface CourseVersionRow {
  id: string;
  course_id: string;
  number: number;
  format: string;
  model: string;
  sequencing: Nullable<string>;
  files_key: string;
  file_count: number;
  size_bytes: number;
  sha256: string;
  warnings: string;
  created_ms: number;
  created_by: Nullable<string>;
  retired_ms: Nullable<number>;
}

export const courseVersionDocumentFromRow = (row: CourseVersionRow): CourseVersionDocument => ({
  _id: row.id,
  courseId: row.course_id,
  number: row.number,
  format: row.format as CourseRecord['format'],
  model: row.model,
  sequencing: row.sequencing,
  filesKey: row.files_key,
  fileCount: row.file_count,
  sizeBytes: row.size_bytes,
  sha256: row.sha256,
  warnings: row.warnings,
  createdMs: row.created_ms,
  createdBy: row.created_by,
  retiredMs: row.retired_ms,
});

export const registrationDocumentFromRow = (row: { rowid: number; id: string; user_id: string; course_id: string; version_id: string; created_ms: number; completed_ms: Nullable<number>; state: Nullable<string> }): RegistrationDocument => ({
  _id: row.id,
  userId: row.user_id,
  courseId: row.course_id,
  versionId: row.version_id,
  createdMs: row.created_ms,
  completedMs: row.completed_ms,
  state: row.state,
  seq: row.rowid,
});

export const attemptDocumentFromRow = (row: { id: string; registration_id: string; unit_id: string; number: number; state: Nullable<string>; commit_sequence: number; ended_ms: Nullable<number>; created_ms: number; updated_ms: number }): AttemptDocument => ({
  _id: row.id,
  registrationId: row.registration_id,
  unitId: row.unit_id,
  number: row.number,
  state: row.state,
  commitSequence: row.commit_sequence,
  endedMs: row.ended_ms,
  createdMs: row.created_ms,
  updatedMs: row.updated_ms,
});

export interface ProgressRow {
  registration_id: string;
  user_id: string;
  course_id: string;
  version_id: string;
  format: string;
  status: string;
  success: string;
  score: Nullable<number>;
  time_spent_ms: number;
  first_access_ms: Nullable<number>;
  last_access_ms: Nullable<number>;
  completed_ms: Nullable<number>;
  statements: number;
  state: string;
}

export interface UnitRow {
  unit_id: string;
  position: number;
  activity_id: string;
  status: string;
  success: string;
  best_score: Nullable<number>;
  last_score: Nullable<number>;
  attempts: number;
  time_spent_ms: number;
  first_access_ms: Nullable<number>;
  last_access_ms: Nullable<number>;
  completed_ms: Nullable<number>;
}

/** A registration's progress row with its unit rows (any order) as one document. */
export const progressDocumentFromRows = (row: ProgressRow, units: readonly UnitRow[]): RegistrationProgressDocument => ({
  _id: row.registration_id,
  userId: row.user_id,
  courseId: row.course_id,
  versionId: row.version_id,
  format: row.format as CourseRecord['format'],
  status: row.status as UnitProgressRecord['status'],
  success: row.success as UnitProgressRecord['success'],
  score: row.score,
  timeSpentMs: row.time_spent_ms,
  firstAccessMs: row.first_access_ms,
  lastAccessMs: row.last_access_ms,
  completedMs: row.completed_ms,
  statements: row.statements,
  state: row.state,
  units: [...units]
    .sort((a, b) => a.position - b.position)
    .map((unit) =>
      unitOf({
        unitId: unit.unit_id,
        position: unit.position,
        activityId: unit.activity_id,
        status: unit.status as UnitProgressRecord['status'],
        success: unit.success as UnitProgressRecord['success'],
        bestScore: unit.best_score,
        lastScore: unit.last_score,
        attempts: unit.attempts,
        timeSpentMs: unit.time_spent_ms,
        firstAccessMs: unit.first_access_ms,
        lastAccessMs: unit.last_access_ms,
        completedMs: unit.completed_ms,
      }),
    ),
});

export const recordsMetaDocumentFromRow = (row: { key: string; value: string }): RecordsMetaDocument => ({ _id: row.key, value: row.value });

export interface CertificateRow {
  number: string;
  registration_id: string;
  user_id: string;
  course_id: string;
  learner_name: string;
  course_title: string;
  score: Nullable<number>;
  completed_ms: number;
  issued_ms: number;
  key_id: string;
  payload: string;
  signature: string;
  statement_id: string;
  revoked_ms: Nullable<number>;
  revoked_by: Nullable<string>;
  revocation_reason: Nullable<string>;
  revocation_payload: Nullable<string>;
  revocation_signature: Nullable<string>;
  revocation_statement_id: Nullable<string>;
}

/** A certificate as signed: the payloads and signatures are copied byte for byte, so printed ones keep verifying. */
export const certificateDocumentFromRow = (row: CertificateRow): CertificateDocument => ({
  _id: row.number,
  registrationId: row.registration_id,
  userId: row.user_id,
  courseId: row.course_id,
  learnerName: row.learner_name,
  courseTitle: row.course_title,
  score: row.score,
  completedMs: row.completed_ms,
  issuedMs: row.issued_ms,
  keyId: row.key_id,
  payload: row.payload,
  signature: row.signature,
  statementId: row.statement_id,
  revocation:
    row.revoked_ms === null
      ? null
      : {
          atMs: row.revoked_ms,
          byUserId: row.revoked_by ?? '',
          reason: row.revocation_reason ?? '',
          payload: row.revocation_payload ?? '',
          signature: row.revocation_signature ?? '',
          statementId: row.revocation_statement_id ?? '',
        },
});

export const certificateRuleDocumentFromRow = (row: { course_id: string; rule: string; updated_ms: number }): CertificateRuleDocument => ({
  _id: row.course_id,
  rule: row.rule,
  updatedMs: row.updated_ms,
});

export interface ReportAnswerRow {
  seq: number;
  course_id: string;
  question_id: string;
  registration_id: string;
  user_id: string;
  at_ms: number;
  success: Nullable<number>;
  response: Nullable<string>;
  latency_ms: Nullable<number>;
}

/** An answer keeps its statement's `seq` (copied unchanged with the statements), so voiding it later finds it. */
export const reportAnswerDocumentFromRow = (row: ReportAnswerRow): ReportAnswerDocument => ({
  _id: row.seq,
  courseId: row.course_id,
  questionId: row.question_id,
  registrationId: row.registration_id,
  userId: row.user_id,
  atMs: row.at_ms,
  success: row.success === null ? null : row.success === 1,
  response: row.response,
  latencyMs: row.latency_ms,
});

export const reportQuestionDocumentFromRow = (row: { course_id: string; question_id: string; definition: string }): ReportQuestionDocument => ({
  _id: questionKeyOf(row.course_id, row.question_id),
  courseId: row.course_id,
  questionId: row.question_id,
  definition: row.definition,
});

export const reportsMetaDocumentFromRow = (row: { key: string; value: string }): ReportsMetaDocument => ({ _id: row.key, value: row.value });

/**
 * The embedded store's signing key file (`DATA_DIR/certificate-signing-key.pem`) as the shared key document, so the
 * certificates signed before the move keep verifying with the published key and new ones are signed by it too.
 */
export const signingKeyDocumentOf = (pem: string, createdMs: number): KeyDocument => {
  if (!/^-----BEGIN PRIVATE KEY-----\r?\n[\s\S]+-----END PRIVATE KEY-----\s*$/.test(pem)) {
    throw new Error('the signing key file is not a PKCS #8 PEM private key');
  }
  return { _id: CERTIFICATE_KEY_ID, pem, createdMs };
};
