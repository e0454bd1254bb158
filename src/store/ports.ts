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
  readonly kind: 'sqlite';
  readonly statements: StatementStore;
  readonly credentials: CredentialStore;
  /** Waits for pending writes, then releases the database. */
  close(): Promise<void>;
}
