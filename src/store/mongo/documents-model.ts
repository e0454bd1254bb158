/**
 * The MongoDB documents of every collection, one interface each, and the collection names.
 * Opaque JSON the application hands over (statement bodies, fold state, CMI data, course models, audit detail)
 * is kept as a JSON *string*, as in SQLite: its keys are not ours (xAPI extension IRIs contain dots, CMI keys
 * contain dots), and MongoDB update operators cannot address such field names. Both adapters therefore hold
 * byte-identical values, which is what makes `cadet migrate --to mongodb` a column-for-field mapping.
 */
import type { AccessRequestStatus, CourseRecord, DocumentKind, PasswordTokenPurpose, RoleGrant, Scope, UnitProgressRecord, UserStatus } from '../ports.js';

export const collectionNames = {
  statements: 'statements',
  counters: 'counters',
  attachments: 'attachments',
  activities: 'activities',
  documents: 'documents',
  credentials: 'credentials',
  users: 'users',
  passwordTokens: 'password_tokens',
  sessions: 'sessions',
  secrets: 'secrets',
  accessRequests: 'access_requests',
  auditEvents: 'audit_events',
  mailOutbox: 'mail_outbox',
  courses: 'courses',
  courseVersions: 'course_versions',
  packageKeys: 'package_keys',
  registrations: 'registrations',
  attempts: 'attempts',
  registrationProgress: 'registration_progress',
  recordsMeta: 'records_meta',
  migrationCheckpoints: 'migration_checkpoints',
  reportAnswers: 'report_answers',
  reportQuestions: 'report_questions',
  reportsMeta: 'reports_meta',
  certificates: 'certificates',
  certificateRules: 'certificate_rules',
  keys: 'keys',
} as const;

export type CollectionName = (typeof collectionNames)[keyof typeof collectionNames];

/** GridFS bucket of attachment content too large for one document (attachments.ts). */
export const ATTACHMENTS_BUCKET = 'attachment_files';

/** GridFS bucket of package files (`package_files.files`, `package_files.chunks`). */
export const PACKAGE_FILES_BUCKET = 'package_files';

/** Names of the counter documents in `counters` (`{_id: name, seq}`), each incremented inside the writer's transaction. */
export const counterNames = {
  statements: 'statements',
  audit: 'audit',
  mail: 'mail',
  registrations: 'registrations',
} as const;

export interface CounterDocument {
  _id: string;
  seq: number;
}

export interface StatementDocument {
  /** The statement id: `_id`, so uniqueness holds across shards when sharded on `{_id: 'hashed'}`. */
  _id: string;
  /** Cluster-wide order of commits (see statement-queries.ts "Sequence"). */
  seq: number;
  body: string;
  storedMs: number;
  verbId: string;
  registration: string | null;
  refTarget: string | null;
  isVoiding: boolean;
  voided: boolean;
  credentialId: string | null;
  fingerprint: string;
  /** Own and inherited filter keys (xAPI 1.0.3 §2.1.4 StatementRef filter conditions): a multikey index serves them. */
  keys: string[];
}

export interface AttachmentDocument {
  _id: string;
  contentType: string;
  /** The content itself, or null when it is in GridFS (`gridFsId`): above the inline limit (attachments.ts). */
  content: Buffer | null;
  /** The GridFS file (bucket `attachment_files`) holding the content; absent when inline. */
  gridFsId?: string;
  sizeBytes?: number;
}

export interface ActivityDocument {
  _id: string;
  /** JSON of the canonical definition. */
  definition: string;
}

export interface DocumentDocument {
  /** `documentIdOf(key)`: one string, so an upsert or a conditional update addresses exactly one document. */
  _id: string;
  kind: DocumentKind;
  activityId: string;
  agent: string;
  registration: string;
  documentId: string;
  content: Buffer;
  contentType: string;
  etag: string;
  updatedMs: number;
  /** Incremented by every write: with the etag, the precondition of the next conditional update. */
  revision: number;
}

export interface CredentialDocument {
  _id: string;
  name: string;
  secretHash: string;
  scopes: Scope[];
  createdMs: number;
  revokedMs: number | null;
}

export interface UserDocument {
  _id: string;
  email: string;
  /** Lower-cased address: the unique index makes uniqueness case-insensitive. */
  emailKey: string;
  name: string;
  country: string;
  agency: string;
  language: string;
  roles: RoleGrant[];
  status: UserStatus;
  passwordHash: string | null;
  failedLogins: number;
  lockedUntilMs: number | null;
  createdMs: number;
}

export interface PasswordTokenDocument {
  _id: string;
  userId: string;
  purpose: PasswordTokenPurpose;
  createdMs: number;
  expiresMs: number;
  usedMs: number | null;
}

export interface SessionDocument {
  _id: string;
  userId: string | null;
  csrfToken: string;
  createdMs: number;
  expiresMs: number;
  /** The same instant as a Date, for the TTL index that lets the server remove sessions nobody comes back to. */
  expiresAt: Date;
}

export interface SecretDocument {
  _id: string;
  value: string;
}

export interface AccessRequestDocument {
  _id: string;
  name: string;
  email: string;
  emailKey: string;
  agency: string;
  country: string;
  position: string;
  reason: string;
  language: string;
  status: AccessRequestStatus;
  createdMs: number;
  decidedMs: number | null;
  decidedBy: string | null;
  rejectionReason: string | null;
  userId: string | null;
}

export interface AuditDocument {
  /** The audit sequence (counter `audit`). */
  _id: number;
  atMs: number;
  actorId: string | null;
  action: string;
  subject: string | null;
  ip: string | null;
  /** JSON of the detail. */
  detail: string;
}

export interface MailDocument {
  _id: string;
  to: string;
  subject: string;
  text: string;
  kind: string;
  createdMs: number;
  /** Insertion order (counter `mail`): ties of `createdMs` list newest first, as SQLite's rowid does. */
  seq: number;
  /** SMTP delivery (MailDeliveryLog), as SQLite's `mail_outbox` columns. */
  deliveryStatus: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  lastAttemptMs: number | null;
  /** Set exactly while the message is due (or claimed, as a lease); null once sent or given up. */
  nextAttemptMs: number | null;
  sentMs: number | null;
}

export interface CourseDocument {
  _id: string;
  slug: string;
  activityId: string;
  sourceIdentifier: string;
  format: CourseRecord['format'];
  title: Record<string, string>;
  createdMs: number;
}

export interface CourseVersionDocument {
  _id: string;
  courseId: string;
  number: number;
  format: CourseRecord['format'];
  /** JSON of the course model. */
  model: string;
  /** JSON of scorm-again's sequencing setting, or null. */
  sequencing: string | null;
  filesKey: string;
  fileCount: number;
  sizeBytes: number;
  sha256: string;
  /** JSON array of the import warnings. */
  warnings: string;
  createdMs: number;
  createdBy: string | null;
  retiredMs: number | null;
}

/** A package file key that exists: written after all its GridFS files, so a key appears whole or not at all. */
export interface PackageKeyDocument {
  _id: string;
  /** The upload its files belong to (`metadata.upload` of each GridFS file). */
  upload: string;
  fileCount: number;
  sizeBytes: number;
  adoptedMs: number;
}

/** `metadata` of a GridFS file of a package. */
export interface PackageFileMetadata {
  key: string;
  path: string;
  upload: string;
  modifiedMs: number;
}

export interface RegistrationDocument {
  _id: string;
  userId: string;
  courseId: string;
  versionId: string;
  createdMs: number;
  completedMs: number | null;
  /** JSON of the registration's runtime state, or null. */
  state: string | null;
  /** Insertion order (counter `registrations`), the tie-break SQLite's rowid gives. */
  seq: number;
}

export interface AttemptDocument {
  _id: string;
  registrationId: string;
  unitId: string;
  number: number;
  /** JSON of the attempt state, or null before the first commit. */
  state: string | null;
  commitSequence: number;
  endedMs: number | null;
  createdMs: number;
  updatedMs: number;
}

/** One registration's progress with its units embedded: one document, so it changes atomically. */
export interface RegistrationProgressDocument {
  _id: string;
  userId: string;
  courseId: string;
  versionId: string;
  format: CourseRecord['format'];
  status: UnitProgressRecord['status'];
  success: UnitProgressRecord['success'];
  score: number | null;
  timeSpentMs: number;
  firstAccessMs: number | null;
  lastAccessMs: number | null;
  completedMs: number | null;
  statements: number;
  /** JSON of the fold's accumulator. */
  state: string;
  units: UnitProgressRecord[];
}

export interface RecordsMetaDocument {
  _id: string;
  value: string;
}

/** Where `cadet migrate --to mongodb` got to, per source table: the last key copied. */
export interface MigrationCheckpointDocument {
  _id: string;
  /** The last source key copied (a statement `seq`, a row id…), as stored in the source. */
  lastKey: string | number | null;
  copied: number;
  done: boolean;
  updatedMs: number;
}

/** One answer statement of a runtime registration, not voided (records/reports/answer-projection.ts). */
export interface ReportAnswerDocument {
  /** The statement's `seq`. */
  _id: number;
  courseId: string;
  questionId: string;
  registrationId: string;
  userId: string;
  atMs: number;
  success: boolean | null;
  response: string | null;
  latencyMs: number | null;
}

/** The merged definition the answers declared for one question of one course. */
export interface ReportQuestionDocument {
  /** `questionKeyOf(courseId, questionId)`. */
  _id: string;
  courseId: string;
  questionId: string;
  /** JSON of the definition. */
  definition: string;
}

export interface ReportsMetaDocument {
  _id: string;
  value: string;
}

export interface CertificateRevocationDocument {
  atMs: number;
  byUserId: string;
  reason: string;
  payload: string;
  signature: string;
  statementId: string;
}

export interface CertificateDocument {
  /** The certificate number: unique by `_id`. */
  _id: string;
  /** Unique index: at most one certificate per registration. */
  registrationId: string;
  userId: string;
  courseId: string;
  learnerName: string;
  courseTitle: string;
  score: number | null;
  completedMs: number;
  issuedMs: number;
  keyId: string;
  payload: string;
  signature: string;
  statementId: string;
  revocation: CertificateRevocationDocument | null;
}

export interface CertificateRuleDocument {
  /** The course id. */
  _id: string;
  rule: string;
  updatedMs: number;
}

/** A key every app process shares (`_id: "certificate-signing"`: the Ed25519 key as PKCS #8 PEM). */
export interface KeyDocument {
  _id: string;
  pem: string;
  createdMs: number;
}
