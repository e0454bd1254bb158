/**
 * The store's ports: what the contexts need from storage, stated by use rather than by table.
 * Every adapter (`sqlite/`, later `mongo/`) implements these and passes `test/contract/`.
 * Only `src/store/` imports a database driver.
 */

/** A statement ready to be stored: the output of the LRS's pure normalisation step. */
export interface StatementRecord {
  readonly id: string;
  /** The statement exactly as it will be returned with `format=exact` (id, stored, authority, version set). */
  readonly body: string;
  readonly storedMs: number;
  readonly verbId: string;
  readonly registration: string | null;
  /** Id of the statement this one targets with a StatementRef object (voiding included). */
  readonly refTarget: string | null;
  readonly isVoiding: boolean;
  /** The credential whose authority stored it (for the `statements/read/mine` scope). */
  readonly credentialId: string | null;
  /**
   * Filter keys this statement matches by itself (see `lrs/statements/statement-keys.ts`).
   * Statements that target it inherit them (xAPI 1.0.3 §2.1.4, "Filter Conditions for StatementRefs").
   */
  readonly keys: readonly string[];
  /** Hash of the statement as the client sent it, for the "same id, same content" rule. */
  readonly fingerprint: string;
  /**
   * Activity definitions this statement declares that may update the canonical ones (only when the
   * credential has the `define` scope). Merged by `mergeActivityDefinition`.
   */
  readonly definitions: ReadonlyArray<{ readonly id: string; readonly definition: Readonly<Record<string, unknown>> }>;
}

export interface StoredStatement {
  readonly sequence: number;
  readonly id: string;
  readonly body: string;
  readonly storedMs: number;
  readonly voided: boolean;
  readonly isVoiding: boolean;
  readonly credentialId: string | null;
}

export interface StatementFilter {
  /** Every key must match (own or inherited). */
  readonly keys: readonly string[];
  /** Exclusive lower bound on `stored`, epoch milliseconds. */
  readonly sinceMs?: number;
  /** Inclusive upper bound on `stored`, epoch milliseconds. */
  readonly untilMs?: number;
  /** Only statements stored under this credential (`statements/read/mine`). */
  readonly credentialId?: string;
  readonly ascending: boolean;
  /** Number of statements to return; the adapter returns at most `limit + 1` to tell whether more exist. */
  readonly limit: number;
  /** Highest sequence considered, fixed when the first page was served, so `more` pages stay stable. */
  readonly throughSequence: number;
  /** Resume after this sequence (exclusive, in the direction of the ordering). */
  readonly afterSequence?: number;
}

export interface StatementPage {
  readonly statements: readonly StoredStatement[];
  readonly hasMore: boolean;
}

/** Attachment content, shared by every statement that declares its hash. */
export interface AttachmentRecord {
  readonly sha2: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export interface InsertOutcome {
  /** Ids actually written; ids already stored with identical content are left out (xAPI: no-op). */
  readonly inserted: readonly string[];
}

export interface StatementStore {
  /**
   * Stores a batch all-or-nothing, in order, in one transaction.
   * Rules applied atomically with the write:
   * - an id already stored with the same fingerprint is skipped (no change at all);
   * - an id already stored with another fingerprint rejects the whole batch (`AppError` conflict, `path` = `/index`);
   * - a voiding statement marks its target voided unless the target is itself a voiding statement
   *   (then the batch is rejected, `AppError` validation); a target stored later is voided on arrival;
   * - a statement targeting another inherits the target's filter keys, and passes its own on to statements
   *   that already target it.
   * Attachments are stored in the same transaction (content addressed by sha2; storing one twice is a no-op).
   * Resolves only once the transaction is durable.
   */
  insert(records: readonly StatementRecord[], attachments?: readonly AttachmentRecord[]): Promise<InsertOutcome>;
  /** Stored attachments with these hashes; unknown hashes are left out. */
  attachments(sha2s: readonly string[]): Promise<readonly AttachmentRecord[]>;
  /** One statement by id, voided or not; null when unknown. */
  get(id: string): Promise<StoredStatement | null>;
  /** Statements matching the filter, not voided, in `sequence` order; served by indexes, never by a scan of all rows. */
  query(filter: StatementFilter): Promise<StatementPage>;
  /** The highest sequence stored so far (0 for an empty store). */
  latestSequence(): Promise<number>;
}

export type DocumentKind = 'state' | 'activity-profile' | 'agent-profile';

/** Where a document lives; parts a kind does not use are ''. */
export interface DocumentKey {
  readonly kind: DocumentKind;
  readonly activityId: string;
  /** Identity of the agent (see `actorIdentity`), '' for activity profiles. */
  readonly agent: string;
  /** Lower-case registration UUID, '' when none. */
  readonly registration: string;
  readonly documentId: string;
}

export interface StoredDocument {
  readonly content: Buffer;
  readonly contentType: string;
  /** Quoted SHA-1 of the content. */
  readonly etag: string;
  readonly updatedMs: number;
}

/** What a document write decided, given the current document. */
export type DocumentDecision =
  | { readonly action: 'put'; readonly document: StoredDocument }
  | { readonly action: 'delete' }
  | { readonly action: 'keep' };

export interface DocumentStore {
  /** One document, or null. */
  get(key: DocumentKey): Promise<StoredDocument | null>;
  /** Ids of the documents under a key (its `documentId` ignored), updated after `sinceMs` when given, sorted. */
  list(key: Omit<DocumentKey, 'documentId'>, sinceMs?: number): Promise<string[]>;
  /**
   * Read-decide-write, atomically: `decide` receives the current document (or null) and says what to store;
   * it may throw (precondition failed, merge impossible) to change nothing. An adapter may call `decide` more
   * than once (optimistic retries), so it must be pure.
   */
  write(key: DocumentKey, decide: (current: StoredDocument | null) => DocumentDecision): Promise<void>;
  /** Deletes every document under a key (its `documentId` ignored); a multi-document state DELETE. */
  deleteAll(key: Omit<DocumentKey, 'documentId'>): Promise<void>;
}

export interface ActivityStore {
  /** The canonical definition of an activity, or null when no statement defined it. */
  definition(activityId: string): Promise<Readonly<Record<string, unknown>> | null>;
}

export type Scope =
  | 'statements/write'
  | 'statements/read'
  | 'statements/read/mine'
  | 'state'
  | 'define'
  | 'profile'
  | 'all/read'
  | 'all';

export interface CredentialRecord {
  /** The public key (Basic auth user name). */
  readonly key: string;
  readonly name: string;
  /** Hex SHA-256 of the secret; the secret itself is never stored. */
  readonly secretHash: string;
  readonly scopes: readonly Scope[];
  readonly createdMs: number;
  readonly revokedMs: number | null;
}

export interface CredentialStore {
  /** Adds a credential; rejects with conflict if the key exists. */
  add(record: CredentialRecord): Promise<void>;
  /** The credential for a key, revoked or not; null when unknown. Always reads the current row (revocation is immediate). */
  findByKey(key: string): Promise<CredentialRecord | null>;
  /** All credentials, oldest first. */
  list(): Promise<readonly CredentialRecord[]>;
  /** Marks a credential revoked; false when no active credential has that key. Idempotent. */
  revoke(key: string, atMs: number): Promise<boolean>;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongodb';
  readonly statements: StatementStore;
  readonly documents: DocumentStore;
  readonly activities: ActivityStore;
  readonly credentials: CredentialStore;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly accessRequests: AccessRequestStore;
  readonly audit: AuditStore;
  readonly outbox: MailOutbox;
  readonly catalog: CatalogStore;
  readonly packageFiles: PackageFileStore;
  readonly runtime: RuntimeStore;
  readonly records: RecordsStore;
  /**
   * The analysts' reports (records/reports). Both adapters have it; a store without it makes the reports answer
   * 503 (`reports-unavailable`).
   */
  readonly reports?: ReportsStore;
  /**
   * Certificates (records/certificates). Both adapters have it; a store without it makes the certificate routes
   * answer 501 (`certificates-unavailable`) and issues nothing.
   */
  readonly certificates?: CertificateStore;
  /** Waits for pending writes, then releases the database. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Access: people, sessions, access requests, audit trail, mail outbox.
// ---------------------------------------------------------------------------

export type RoleName = 'learner' | 'author' | 'analyst' | 'approver' | 'admin';

/**
 * One role a user holds. `countries` (ISO 3166-1 alpha-2, upper case) scopes it: an approver acts only on
 * requests from these countries (at least one); an analyst with countries reads only their records.
 */
export interface RoleGrant {
  readonly role: RoleName;
  readonly countries?: readonly string[];
}

export type UserStatus = 'active' | 'suspended';

export interface UserRecord {
  readonly id: string;
  /** As the user typed it; uniqueness is case-insensitive. */
  readonly email: string;
  readonly name: string;
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country: string;
  readonly agency: string;
  /** Preferred language, a BCP 47 tag (`en`, `fr`, `ar`). */
  readonly language: string;
  readonly roles: readonly RoleGrant[];
  readonly status: UserStatus;
  /** argon2id PHC string; null until the user sets a password (invitation pending). */
  readonly passwordHash: string | null;
  /** Consecutive failed sign-ins since the last success or lock. */
  readonly failedLogins: number;
  readonly lockedUntilMs: number | null;
  readonly createdMs: number;
}

export type UserChanges = Partial<Pick<UserRecord, 'name' | 'country' | 'agency' | 'language' | 'roles' | 'status' | 'passwordHash'>>;

export type PasswordTokenPurpose = 'invitation' | 'reset';

export interface PasswordTokenRecord {
  /** Hex SHA-256 of the token; the token itself is only in the link. */
  readonly tokenHash: string;
  readonly userId: string;
  readonly purpose: PasswordTokenPurpose;
  readonly createdMs: number;
  readonly expiresMs: number;
  readonly usedMs: number | null;
}

export interface UserStore {
  /** Adds a user; rejects with conflict `email-taken` (parameter `email`) if the address is taken, in any case. */
  add(user: UserRecord): Promise<void>;
  get(id: string): Promise<UserRecord | null>;
  /** Case-insensitive lookup. */
  findByEmail(email: string): Promise<UserRecord | null>;
  /** Every user, by e-mail address. */
  list(): Promise<readonly UserRecord[]>;
  count(): Promise<number>;
  /** Applies the changes; null when no such user. Suspending a user also ends their sessions, in the same transaction. */
  update(id: string, changes: UserChanges): Promise<UserRecord | null>;
  /**
   * Counts one failed sign-in, atomically: when the count reaches `maxFailures` the account is locked until
   * `lockUntilMs` and the count starts again from zero. Returns the user as stored.
   */
  recordLoginFailure(id: string, maxFailures: number, lockUntilMs: number): Promise<UserRecord | null>;
  /** Resets the failure count and any lock (after a successful sign-in). */
  clearLoginFailures(id: string): Promise<void>;
  addPasswordToken(token: PasswordTokenRecord): Promise<void>;
  /** The token, used or not, expired or not; null when unknown. */
  findPasswordToken(tokenHash: string): Promise<PasswordTokenRecord | null>;
  /**
   * Single use, atomically: if the token exists, is unused and `expiresMs > nowMs`, marks it (and every other
   * unused token of the user) used, sets the password, clears any lock and ends the user's sessions.
   * Returns the user, or null when the token is unknown, used or expired (nothing changes then).
   */
  setPasswordWithToken(tokenHash: string, passwordHash: string, nowMs: number): Promise<UserRecord | null>;
}

export interface SessionRecord {
  /** Hex SHA-256 of the id in the cookie. */
  readonly idHash: string;
  /** null: an anonymous visitor's session, which only carries a CSRF token for the public forms. */
  readonly userId: string | null;
  readonly csrfToken: string;
  readonly createdMs: number;
  readonly expiresMs: number;
}

export interface SessionStore {
  /** Stores a session; also removes sessions expired before `record.createdMs` (housekeeping). */
  add(record: SessionRecord): Promise<void>;
  /** The session if it exists and `expiresMs > nowMs`, else null. */
  get(idHash: string, nowMs: number): Promise<SessionRecord | null>;
  /** Removes one session; idempotent. */
  delete(idHash: string): Promise<void>;
  /** Removes every session of a user (suspension, password change). */
  deleteForUser(userId: string): Promise<void>;
  /** The cookie-signing secret: the stored one, or `generate()` stored now if there is none yet (first start). */
  signingSecret(generate: () => string): Promise<string>;
}

export type AccessRequestStatus = 'pending' | 'approved' | 'rejected';

export interface AccessRequestRecord {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly agency: string;
  readonly country: string;
  /** Rank or function, as the requester wrote it. */
  readonly position: string;
  readonly reason: string;
  /** Language the form was filled in, used for the invitation. */
  readonly language: string;
  readonly status: AccessRequestStatus;
  readonly createdMs: number;
  readonly decidedMs: number | null;
  /** User id of the approver or admin who decided. */
  readonly decidedBy: string | null;
  readonly rejectionReason: string | null;
  /** The account created on approval. */
  readonly userId: string | null;
}

export interface AuditRecord {
  readonly atMs: number;
  /** The user who acted; null for anonymous visitors and the system. */
  readonly actorId: string | null;
  /** What happened, e.g. `sign-in.failed`, `access-request.approved`, `user.suspended`. */
  readonly action: string;
  /** What it happened to, e.g. `user:<id>`, `access-request:<id>`, `credential:<key>`. */
  readonly subject: string | null;
  readonly ip: string | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface StoredAuditRecord extends AuditRecord {
  readonly seq: number;
}

export interface MailRecord {
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** What the message is for (`invitation`, `password-reset`, `access-request-rejected`). */
  readonly kind: string;
  readonly createdMs: number;
}

/** What approving a request writes, all in one transaction. */
export interface AccessApproval {
  readonly requestId: string;
  readonly decidedBy: string;
  readonly decidedMs: number;
  readonly user: UserRecord;
  readonly token: PasswordTokenRecord;
  readonly mail: MailRecord;
  readonly audit: AuditRecord;
}

export interface AccessRejection {
  readonly requestId: string;
  readonly decidedBy: string;
  readonly decidedMs: number;
  readonly reason: string;
  readonly mail: MailRecord | null;
  readonly audit: AuditRecord;
}

export interface AccessRequestStore {
  /** Adds a pending request; conflict `access-request-pending` (parameter `email`) if one is pending for the address. */
  add(record: AccessRequestRecord): Promise<void>;
  get(id: string): Promise<AccessRequestRecord | null>;
  /** The pending request for an address (case-insensitive), or null. */
  findPending(email: string): Promise<AccessRequestRecord | null>;
  /** Requests with this status (all when omitted), limited to these countries when given; oldest first. */
  list(filter: { readonly status?: AccessRequestStatus; readonly countries?: readonly string[] }): Promise<readonly AccessRequestRecord[]>;
  /**
   * All-or-nothing: marks the request approved, creates the user, stores the invitation token, queues the mail and
   * appends the audit record. Conflict `access-request-decided` if it is no longer pending, `email-taken` if an
   * account has the address; not-found if there is no such request.
   */
  approve(approval: AccessApproval): Promise<AccessRequestRecord>;
  /** All-or-nothing: marks the request rejected with the reason, queues the mail if any, appends the audit record. */
  reject(rejection: AccessRejection): Promise<AccessRequestRecord>;
}

export interface AuditStore {
  /** Appends one record; the trail is never changed or deleted. */
  append(record: AuditRecord): Promise<void>;
  /** Newest first, at most `limit`, before sequence `beforeSeq` when given; only about `subject` when given. */
  list(query: { readonly limit: number; readonly beforeSeq?: number; readonly subject?: string }): Promise<readonly StoredAuditRecord[]>;
}

/**
 * Every message the platform writes, kept for admins to read. It is also the queue of SMTP delivery (when
 * SMTP_HOST is set): `delivery` records each message's attempts, so the outbox stays the record of what was sent.
 */
export interface MailOutbox {
  /** Adds a message, due for delivery at once. */
  enqueue(message: MailRecord): Promise<void>;
  /** Newest first, at most `limit`. */
  list(limit: number): Promise<readonly MailRecord[]>;
  /**
   * Delivery bookkeeping. Both adapters have it; without it SMTP delivery refuses to start (the outbox alone
   * still works).
   */
  readonly delivery?: MailDeliveryLog;
}

/**
 * `pending`: not yet sent (never tried, or an attempt in progress); `sent`: the server accepted it (250 after DATA);
 * `failed`: the last attempt failed — tried again at `nextAttemptMs`, or never again when that is null.
 */
export type MailDeliveryStatus = 'pending' | 'sent' | 'failed';

export interface MailDeliveryState {
  readonly status: MailDeliveryStatus;
  /** Attempts started (claimed), including one in progress. */
  readonly attempts: number;
  /** The last failure, e.g. `RCPT TO: 550 5.1.1 no such user`; null once sent. */
  readonly lastError: string | null;
  readonly lastAttemptMs: number | null;
  /** When the message is next due; null once sent or given up. */
  readonly nextAttemptMs: number | null;
  readonly sentMs: number | null;
}

export interface MailDeliveryEntry extends MailRecord {
  readonly delivery: MailDeliveryState;
}

/** A message claimed for one delivery attempt. */
export interface ClaimedMail extends MailRecord {
  /** Including this one. */
  readonly attempts: number;
}

export interface MailDeliveryLog {
  /**
   * Atomically claims up to `limit` messages due at `nowMs` (never sent, `nextAttemptMs <= nowMs`), earliest due first:
   * counts the attempt and moves `nextAttemptMs` to `nowMs + leaseMs`, so no other sender takes it meanwhile. A claim that
   * ends in neither `markSent` nor `markFailed` (the process died mid-attempt) is due again when the lease runs out.
   */
  claimDue(nowMs: number, leaseMs: number, limit: number): Promise<readonly ClaimedMail[]>;
  /** The server accepted the message: `sent`, never due again. Idempotent. */
  markSent(id: string, atMs: number): Promise<void>;
  /** The attempt failed: `failed` with the error; due again at `nextAttemptMs`, or never when null. */
  markFailed(id: string, failure: { readonly error: string; readonly nextAttemptMs: number | null }): Promise<void>;
  /** The earliest `nextAttemptMs` of a message not sent; null when none is due ever. For the sender's timer. */
  nextAttemptMs(): Promise<number | null>;
  /** Like `MailOutbox.list`, with each message's delivery state. */
  list(limit: number): Promise<readonly MailDeliveryEntry[]>;
  /**
   * Calls `listener` after a write that added mail commits (through `enqueue` or a transaction of another port,
   * such as an access-request approval). May also call it after a rollback: the listener must tolerate finding
   * nothing due. Returns the function that stops the calls.
   */
  watch(listener: () => void): () => void;
}

// ---------------------------------------------------------------------------
// Catalog: courses, their versions, and the files of each version.
// ---------------------------------------------------------------------------

export interface CourseRecord {
  readonly id: string;
  /** Stable, unique, used in URLs. */
  readonly slug: string;
  /** The course activity IRI, stable across versions (DESIGN.md "Identity and IRIs"). */
  readonly activityId: string;
  /** The package's own identifier (manifest identifier, course IRI): how a re-upload finds its course. */
  readonly sourceIdentifier: string;
  readonly format: 'scorm12' | 'scorm2004' | 'xapi' | 'cmi5';
  readonly title: Readonly<Record<string, string>>;
  readonly createdMs: number;
}

export interface CourseVersionRecord {
  readonly id: string;
  readonly courseId: string;
  /** 1, 2, 3… in upload order. */
  readonly number: number;
  readonly format: CourseRecord['format'];
  /** The course model (packages/course-model.ts) as JSON. */
  readonly model: unknown;
  /** scorm-again's `sequencing` setting for SCORM 2004, else null. */
  readonly sequencing: unknown;
  /** Where its files are (PackageFileStore key). */
  readonly filesKey: string;
  readonly fileCount: number;
  readonly sizeBytes: number;
  /** SHA-256 of the uploaded package (zip or descriptor), hex. */
  readonly sha256: string;
  readonly warnings: readonly unknown[];
  readonly createdMs: number;
  readonly createdBy: string | null;
  readonly retiredMs: number | null;
}

export interface NewCourseVersion {
  /** The course to add to; created with this record when it does not exist (matched by id). */
  readonly course: CourseRecord;
  readonly version: Omit<CourseVersionRecord, 'number' | 'courseId'>;
}

export interface CatalogStore {
  /**
   * Adds a version, numbering it after the course's last one, creating the course first when needed,
   * in one transaction. Rejects with conflict when a new course's slug is taken.
   */
  addVersion(input: NewCourseVersion): Promise<{ course: CourseRecord; version: CourseVersionRecord }>;
  courseBySlug(slug: string): Promise<CourseRecord | null>;
  courseById(id: string): Promise<CourseRecord | null>;
  courseBySourceIdentifier(identifier: string): Promise<CourseRecord | null>;
  /** Every course, by slug. */
  listCourses(): Promise<readonly CourseRecord[]>;
  /** Versions of a course, oldest first. */
  versions(courseId: string): Promise<readonly CourseVersionRecord[]>;
  version(versionId: string): Promise<CourseVersionRecord | null>;
  /** Marks a version retired (new registrations no longer get it); false when unknown or already retired. */
  retireVersion(versionId: string, atMs: number): Promise<boolean>;
}

/** The files of course versions (filesystem under DATA_DIR; GridFS with MongoDB). Keys are opaque. */
export interface PackageFileStore {
  /** Takes over a directory of files (it is moved or copied, then removed) under a new key; all or nothing. */
  adopt(key: string, directory: string): Promise<void>;
  /** A file of a version, or null when absent. `relativePath` is `/`-separated and never escapes the key. */
  stat(key: string, relativePath: string): Promise<{ readonly sizeBytes: number; readonly modifiedMs: number } | null>;
  /** Streams a file (optionally a byte range, inclusive). */
  read(key: string, relativePath: string, range?: { start: number; end: number }): NodeJS.ReadableStream;
  /** Removes every file of a key; idempotent. */
  remove(key: string): Promise<void>;
  /** A directory for work in progress (extraction) on the same volume, so `adopt` can be a rename. */
  stagingDirectory(): Promise<string>;
}

// ---------------------------------------------------------------------------
// Runtime: registrations (a learner's enrolment in a course) and attempts of its units.
// ---------------------------------------------------------------------------

export interface RegistrationRecord {
  /** The xAPI registration UUID every statement of this enrolment carries. */
  readonly id: string;
  readonly userId: string;
  readonly courseId: string;
  /** The course version this registration runs; it stays on it until it is finished. */
  readonly versionId: string;
  readonly createdMs: number;
  /**
   * When set (`markRegistrationCompleted`), a later launch starts a new registration on the current version. The
   * runtime does not set it yet: a learner who relaunches a completed course reviews the same registration, and a
   * retake (a new registration) is not offered.
   */
  readonly completedMs: number | null;
  /** Runtime state of the whole registration (cmi5: satisfied blocks and course), null when none. */
  readonly state?: unknown;
}

export interface AttemptRecord {
  readonly id: string;
  readonly registrationId: string;
  /** The unit (SCO, AU, activity) identifier in the version's course model. */
  readonly unitId: string;
  /** 1, 2, … per registration and unit. */
  readonly number: number;
  /** The runtime's state for the attempt (SCORM: the normalised CMI data), null before the first commit. */
  readonly state: unknown;
  /** Highest commit sequence applied; commits at or below it are stale or replayed and change nothing. */
  readonly commitSequence: number;
  /** Set when the attempt ended (terminated without suspending); a new launch then starts the next attempt. */
  readonly endedMs: number | null;
  readonly createdMs: number;
  readonly updatedMs: number;
}

/** A commit to apply: the new state, and the statements it produces, written together or not at all. */
export interface AttemptCommit {
  readonly attemptId: string;
  readonly sequence: number;
  readonly state: unknown;
  readonly ended: boolean;
  readonly atMs: number;
  readonly statements: readonly StatementRecord[];
  /** State documents kept beside the statements (the SCORM profile's attempt state), written in the same transaction. */
  readonly documents: ReadonlyArray<{ readonly key: DocumentKey; readonly document: StoredDocument }>;
  /** When given, replaces the registration's state in the same transaction. */
  readonly registrationState?: unknown;
}

export interface RuntimeStore {
  /** The learner's newest registration in a course, finished or not; null when none. */
  latestRegistration(userId: string, courseId: string): Promise<RegistrationRecord | null>;
  registration(id: string): Promise<RegistrationRecord | null>;
  addRegistration(record: RegistrationRecord): Promise<void>;
  markRegistrationCompleted(id: string, atMs: number): Promise<void>;
  /** The newest attempt of a unit in a registration, or null. */
  latestAttempt(registrationId: string, unitId: string): Promise<AttemptRecord | null>;
  attempt(id: string): Promise<AttemptRecord | null>;
  /** Attempts of a registration, by unit then number. */
  attempts(registrationId: string): Promise<readonly AttemptRecord[]>;
  /** Adds the next attempt of a unit (numbered after the last), atomically. */
  addAttempt(input: { id: string; registrationId: string; unitId: string; atMs: number }): Promise<AttemptRecord>;
  /**
   * Applies a commit in one transaction: when `sequence` is above the attempt's, stores the state, the
   * statements (with the statement store's rules) and the documents; otherwise changes nothing.
   * Returns whether it was applied and the state it replaced.
   */
  applyCommit(commit: AttemptCommit): Promise<{ readonly applied: boolean; readonly previous: AttemptRecord }>;
}

// ---------------------------------------------------------------------------
// Records: projections of the statements (registration progress), for transcripts, certificates and reports.
// ---------------------------------------------------------------------------

export type ProgressStatus = 'not-attempted' | 'in-progress' | 'completed';
export type ProgressSuccess = 'passed' | 'failed' | 'unknown';

/** One unit (SCO, AU, activity) of a registration, as its statements say (records/progress-projection.ts). */
export interface UnitProgressRecord {
  readonly unitId: string;
  /** Position in the course version's units (0-based). */
  readonly position: number;
  readonly activityId: string;
  readonly status: ProgressStatus;
  readonly success: ProgressSuccess;
  /** Scaled scores (-1..1). */
  readonly bestScore: number | null;
  readonly lastScore: number | null;
  readonly attempts: number;
  readonly timeSpentMs: number;
  /** Epoch ms of the earliest and latest statement timestamps about the unit. */
  readonly firstAccessMs: number | null;
  readonly lastAccessMs: number | null;
  readonly completedMs: number | null;
}

/** One registration's progress: a pure function of its non-voided statements. */
export interface RegistrationProgressRecord {
  readonly registrationId: string;
  readonly userId: string;
  readonly courseId: string;
  readonly versionId: string;
  readonly format: CourseRecord['format'];
  readonly status: ProgressStatus;
  readonly success: ProgressSuccess;
  readonly score: number | null;
  readonly timeSpentMs: number;
  readonly firstAccessMs: number | null;
  readonly lastAccessMs: number | null;
  /** When the course's completion rule was met (records/progress-projection.ts `courseCompletion`). */
  readonly completedMs: number | null;
  /** Statements of the registration folded in (voided ones never). */
  readonly statements: number;
  readonly units: readonly UnitProgressRecord[];
}

export interface RecordsStore {
  /**
   * The progress of a registration, or null when no statement of it was stored yet (or it is not a registration
   * of the runtime). Kept up to date in the transaction of every statement write (`StatementStore.insert`, commits).
   */
  progress(registrationId: string): Promise<RegistrationProgressRecord | null>;
  /** A user's registrations, oldest first, each with its progress (null when no statement of it was stored). */
  registrationsOf(userId: string): Promise<ReadonlyArray<{ readonly registration: RegistrationRecord; readonly progress: RegistrationProgressRecord | null }>>;
  /** Progress of a course's registrations, oldest first; only of users in these countries when given (reports). */
  courseProgress(courseId: string, filter?: { readonly countries?: readonly string[] }): Promise<readonly RegistrationProgressRecord[]>;
  /**
   * Recomputes every projection from the stored statements, in one transaction (`cadet rebuild-projections`).
   * Afterwards the projection is exactly what the incremental updates would have produced.
   */
  rebuild(): Promise<{ readonly registrations: number; readonly statements: number }>;
  /** Every stored projection row with the fold state behind it, by registration: for the rebuild check. */
  snapshot(): Promise<ReadonlyArray<{ readonly progress: RegistrationProgressRecord; readonly state: string }>>;
}

// ---------------------------------------------------------------------------
// Reports: aggregates over the progress projection and the answers projection (records/reports).
// ---------------------------------------------------------------------------

/**
 * What every report is narrowed by. Country and agency are the learner's (`UserRecord`) as they are now;
 * the date range applies to the instant each report names (completion, enrolment, answer).
 */
export interface ReportFilter {
  readonly courseId?: string;
  /** ISO 3166-1 alpha-2; undefined: every country; empty: nothing at all. */
  readonly countries?: readonly string[];
  readonly agency?: string;
  /** Inclusive lower bound, epoch milliseconds. */
  readonly fromMs?: number;
  /** Exclusive upper bound, epoch milliseconds. */
  readonly toMs?: number;
}

/**
 * Completions of one course in one calendar month (UTC) by learners of one country and agency: the finest grain
 * of the completions report (what an adapter may aggregate from; `CompletionCounts` is what it answers).
 */
export interface CompletionCountRecord {
  readonly courseId: string;
  /** `YYYY-MM` of `completedMs`, UTC. */
  readonly month: string;
  readonly country: string;
  readonly agency: string;
  /** Registrations whose completion rule was met in the month (the date range applies to `completedMs`). */
  readonly completed: number;
  /** Of those, the ones whose success is `passed` (a passed registration is always complete). */
  readonly passed: number;
}

/** Completed and passed registrations of one group (see `CompletionCountRecord` for what counts). */
export interface CompletionCount {
  readonly courseId: string;
  readonly completed: number;
  readonly passed: number;
}

/**
 * The completions report's three groupings, each summed over the others: by course and month, by course and
 * country, by course, country and agency; each ordered by its keys in that order (code-unit order). Not the
 * finest grain: at an academy's scale (1.4 M registrations) that has nearly as many groups as completions.
 */
export interface CompletionCounts {
  readonly byMonth: ReadonlyArray<CompletionCount & { readonly month: string }>;
  readonly byCountry: ReadonlyArray<CompletionCount & { readonly country: string }>;
  readonly byAgency: ReadonlyArray<CompletionCount & { readonly country: string; readonly agency: string }>;
}

/** How many learners' best score in a course falls in one tenth of the scale. */
export interface ScoreBinRecord {
  readonly courseId: string;
  /**
   * -1: below 0; 0..9: [bin/10, (bin+1)/10), 9 including 1. A learner's best score is the highest `score` of
   * their registrations in the course enrolled in the date range (registrations without a score left out).
   */
  readonly bin: number;
  readonly learners: number;
}

/**
 * Time spent in one course's registrations that recorded any (`timeSpentMs > 0`), enrolled in the date range.
 * Percentiles by nearest rank over the sorted times: the median is the ceil(n/2)-th, p90 the ceil(0.9 n)-th.
 */
export interface TimeSpentRecord {
  readonly courseId: string;
  readonly registrations: number;
  readonly totalMs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
}

/** One course's registrations enrolled in the date range, by how far they went. */
export interface FunnelRecord {
  readonly courseId: string;
  /** Registrations (the runtime's enrolments), with or without statements. */
  readonly enrolled: number;
  /** With at least one statement that is not voided (`firstAccessMs` set). */
  readonly started: number;
  /** Whose completion rule was met. */
  readonly completed: number;
  /** Whose success is `passed`. */
  readonly passed: number;
}

/**
 * One question (interaction activity) of a course, from the answers (`responded` from SCORM, `answered` from
 * xAPI and cmi5) that are not voided, of the runtime's registrations, timestamped in the date range.
 */
export interface QuestionStatsRecord {
  readonly courseId: string;
  /** The interaction activity IRI. */
  readonly questionId: string;
  /** The activity definition the latest stored answer carried (description, interactionType, choices…), or null. */
  readonly definition: Readonly<Record<string, unknown>> | null;
  /** Answer statements. */
  readonly answers: number;
  /** Distinct learners who answered. */
  readonly learners: number;
  /** Answers with `result.success` set. */
  readonly judged: number;
  /** Answers with `result.success` true. */
  readonly correct: number;
  /** Answers with a `result.duration` (the latency), and their sum in milliseconds. */
  readonly timed: number;
  readonly latencyTotalMs: number;
  /**
   * The three responses most often given among incorrect answers (`result.success` false and a `result.response`),
   * most frequent first, ties by response text.
   */
  readonly wrongResponses: ReadonlyArray<{ readonly response: string; readonly count: number }>;
}

export interface ReportsStore {
  /** Completed and passed registrations by course and month of completion, by course and country, by course, country and agency. */
  completions(filter: ReportFilter): Promise<CompletionCounts>;
  /** Learners by course and score bin (only bins with learners), ordered by course and bin. */
  scoreBins(filter: ReportFilter): Promise<readonly ScoreBinRecord[]>;
  /** One row per course with timed registrations, ordered by course id. */
  timeSpent(filter: ReportFilter): Promise<readonly TimeSpentRecord[]>;
  /** One row per course with registrations, ordered by course id. */
  funnel(filter: ReportFilter): Promise<readonly FunnelRecord[]>;
  /** One row per question answered, ordered by course id then question id. */
  questions(filter: ReportFilter): Promise<readonly QuestionStatsRecord[]>;
  /** Recomputes the answers projection from the stored statements, in one transaction (with `records.rebuild`). */
  rebuild(): Promise<{ readonly answers: number }>;
  /** Prepares, in the background, what makes the first report fast (the server calls it once listening). */
  warm?(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Certificates: issued when a registration meets its course's rule, signed, revocable (records/certificates).
// ---------------------------------------------------------------------------

/**
 * When a course's certificate is earned (a per-course setting; records/certificates/completion-rule.ts):
 * `completed-or-passed` every unit completed or passed (SCORM and xAPI default), `completed` every unit completed,
 * `passed` every unit passed, `satisfied` the LMS's cmi5 "satisfied" for the course (cmi5 default), `none` never.
 * For SCORM 2004 the first three read the course's sequencing rollup (the LMS's course statements), not the units.
 */
export type CertificateRule = 'completed-or-passed' | 'completed' | 'passed' | 'satisfied' | 'none';

export interface CertificateRevocation {
  readonly atMs: number;
  /** The admin who revoked it. */
  readonly byUserId: string;
  readonly reason: string;
  /** The canonical payload with `status: "revoked"`, and its Ed25519 signature (base64url). */
  readonly payload: string;
  readonly signature: string;
  /** The statement that recorded the revocation. */
  readonly statementId: string;
}

/** A certificate as issued: the signed texts are kept as signed (a later change of name or title does not alter it). */
export interface CertificateRecord {
  /** `CAD-2026-7KQ4-M2XD` (records/certificates/certificate-number.ts). */
  readonly number: string;
  /** At most one certificate per registration. */
  readonly registrationId: string;
  readonly userId: string;
  readonly courseId: string;
  readonly learnerName: string;
  /** The course title in the learner's language when it was issued. */
  readonly courseTitle: string;
  /** Scaled (-1..1), the registration's score when it was issued; null when none. */
  readonly score: number | null;
  /** When the course's rule was met (statement time). */
  readonly completedMs: number;
  readonly issuedMs: number;
  /** RFC 7638 thumbprint of the public key that signed it. */
  readonly keyId: string;
  /** The canonical payload with `status: "valid"`, and its Ed25519 signature (base64url): what the PDF prints. */
  readonly payload: string;
  readonly signature: string;
  /** The statement that recorded the issue. */
  readonly statementId: string;
  readonly revocation: CertificateRevocation | null;
}

/** What the store knows when a registration meets its course's rule: everything the issuer needs, read in the transaction. */
export interface CertificateCompletion {
  readonly registrationId: string;
  readonly userId: string;
  readonly learnerName: string;
  readonly learnerLanguage: string;
  readonly courseId: string;
  readonly courseSlug: string;
  readonly courseActivityId: string;
  readonly courseTitle: Readonly<Record<string, string>>;
  readonly format: CourseRecord['format'];
  readonly completedMs: number;
  /** Scaled, as the progress projection has it now. */
  readonly score: number | null;
}

/**
 * Makes a certificate and the statement recording its issue. Synchronous and side-effect free (the store calls it
 * inside the write transaction); called again with the same completion when the number it drew is taken.
 */
export interface CertificateIssuer {
  issue(completion: CertificateCompletion): { readonly certificate: CertificateRecord; readonly statements: readonly StatementRecord[] };
  /** Told when issuing failed: the statements that met the rule are stored anyway, and the next statement of the registration tries again. */
  failed?(error: unknown, registrationId: string): void;
}

export interface CertificateStore {
  /**
   * Installs the issuer. From then on, every statement write (`StatementStore.insert`, commits) checks, in its own
   * transaction, each registration it touched: when the registration now meets its course's rule and has no
   * certificate, the issuer's certificate row and statements are written in that same transaction (the statements
   * through the statement store's rules and projections). Never issues twice for a registration; never during
   * `RecordsStore.rebuild`, which leaves certificates alone.
   */
  useIssuer(issuer: CertificateIssuer): void;
  get(number: string): Promise<CertificateRecord | null>;
  ofRegistration(registrationId: string): Promise<CertificateRecord | null>;
  /** A user's certificates, oldest first. */
  ofUser(userId: string): Promise<readonly CertificateRecord[]>;
  /**
   * All-or-nothing: marks the certificate revoked, stores the statements recording it and appends the audit record.
   * Null when no such certificate; conflict `certificate-revoked` when it already is. Nothing is ever deleted.
   */
  revoke(input: { readonly number: string; readonly revocation: CertificateRevocation; readonly statements: readonly StatementRecord[]; readonly audit: AuditRecord }): Promise<CertificateRecord | null>;
  /** The course's rule as set; null: the default of its format. */
  rule(courseId: string): Promise<CertificateRule | null>;
  /** Sets (null: back to the default) the course's rule; applies to statements stored from now on. */
  setRule(courseId: string, rule: CertificateRule | null, atMs: number): Promise<void>;
  /**
   * The academy's certificate signing key (Ed25519, PKCS #8 PEM): the stored one, or `generate()` stored now when
   * there is none yet, atomically: every caller, in every app process sharing the store, gets the same key, and
   * it never changes afterwards. SQLite keeps it in `DATA_DIR/certificate-signing-key.pem` (mode 0600; a
   * `:memory:` store keeps one for its lifetime); MongoDB in the `keys` collection, inserted if absent.
   */
  signingKey(generate: () => string): Promise<string>;
}
