/**
 * Pure query building for the statements collection: filters, sorts and update documents, with no driver
 * import, so `test/store/mongo/` evaluates them with mingo over the same statements the SQLite adapter stores.
 *
 * Sequence. `StoredStatement.sequence` orders results and anchors `more` cursors: the first page fixes
 * `throughSequence = latestSequence()` and later pages resume after the last sequence served. That is only
 * stable if no statement can later appear with a sequence at or below one a reader has already seen. With
 * several app processes writing, a time-ordered key (ObjectId, a clock) breaks this: process A takes key 10,
 * process B takes 11 and commits first, a reader sees 11 as the latest, then A commits 10 *below* the reader's
 * cursor and the reader's next page, or a client polling with `since`, never sees it. So the sequence is a
 * counter document (`counters`, `_id: 'statements'`) incremented with `$inc` *inside* the batch's transaction:
 * two transactions that both increment it conflict (WriteConflict, retried by `withTransaction`), so they
 * commit one after the other and sequences become visible in order, with no gaps below a visible one.
 * One `$inc` reserves a block for the whole batch, so the serialised section is one document update per batch.
 */
import type { StatementFilter, StatementRecord, StoredStatement } from '../ports.js';
import type { StatementDocument } from './documents-model.js';
import { counterNames } from './documents-model.js';

export interface FindPlan<T> {
  readonly filter: Record<string, unknown>;
  readonly sort: Record<string, 1 | -1>;
  readonly limit: number;
  /** Not read by the driver: the document type the plan returns, for the caller's benefit. */
  readonly __type?: T;
}

/** The sequence range a filter allows, or null when it is empty (nothing to ask the server). */
export function sequenceRange(filter: Pick<StatementFilter, 'ascending' | 'throughSequence' | 'afterSequence'>): { low: number; high: number } | null {
  let low = 1;
  let high = filter.throughSequence;
  if (filter.afterSequence !== undefined) {
    if (filter.ascending) low = Math.max(low, filter.afterSequence + 1);
    else high = Math.min(high, filter.afterSequence - 1);
  }
  return low > high ? null : { low, high };
}

/**
 * The find for `StatementStore.query`: every key (own or inherited) must match (`$all` on the multikey
 * `keys`), not voided, `stored` in (since, until], optionally one credential's, in sequence order, `limit + 1`
 * documents so the caller can tell whether more exist. MongoDB's planner races the candidate index scans
 * (`{keys, seq}` for each key, `{storedMs, seq}`, `{credentialId, seq}`) and keeps the one that fills the
 * batch first: the same "most selective key drives the scan" choice SQLite's adapter makes by counting.
 *
 * since/until are matched on `storedMs` itself. (SQLite turns them into a sequence range because its single
 * writer makes `stored` grow with `seq`; with several app processes, clocks differ by a few milliseconds, so
 * here the bound is applied exactly to the value each statement carries.)
 */
export function statementQueryPlan(filter: StatementFilter): FindPlan<StatementDocument> | null {
  const range = sequenceRange(filter);
  if (!range) return null;
  const query: Record<string, unknown> = { seq: { $gte: range.low, $lte: range.high }, voided: false };
  if (filter.keys.length === 1) query.keys = filter.keys[0];
  else if (filter.keys.length > 1) query.keys = { $all: [...filter.keys] };
  if (filter.sinceMs !== undefined || filter.untilMs !== undefined) {
    const stored: Record<string, number> = {};
    if (filter.sinceMs !== undefined) stored.$gt = filter.sinceMs;
    if (filter.untilMs !== undefined) stored.$lte = filter.untilMs;
    query.storedMs = stored;
  }
  if (filter.credentialId !== undefined) query.credentialId = filter.credentialId;
  return { filter: query, sort: { seq: filter.ascending ? 1 : -1 }, limit: filter.limit + 1 };
}

/** The document stored for a record, given its sequence, the keys it inherits from its target, and whether it arrives voided. */
export function statementDocumentOf(record: StatementRecord, seq: number, inheritedKeys: readonly string[], voided: boolean): StatementDocument {
  return {
    _id: record.id,
    seq,
    body: record.body,
    storedMs: record.storedMs,
    verbId: record.verbId,
    registration: record.registration,
    refTarget: record.refTarget,
    isVoiding: record.isVoiding,
    voided,
    credentialId: record.credentialId,
    fingerprint: record.fingerprint,
    keys: unionOfKeys(record.keys, inheritedKeys),
  };
}

/** Own keys first, in their order, then inherited ones not already present. */
export function unionOfKeys(own: readonly string[], inherited: readonly string[]): string[] {
  return [...new Set([...own, ...inherited])];
}

export function toStoredStatement(document: Pick<StatementDocument, 'seq' | '_id' | 'body' | 'storedMs' | 'voided' | 'isVoiding' | 'credentialId'>): StoredStatement {
  return {
    sequence: document.seq,
    id: document._id,
    body: document.body,
    storedMs: document.storedMs,
    voided: document.voided,
    isVoiding: document.isVoiding,
    credentialId: document.credentialId,
  };
}

/** What a query reads: everything but the keys and fingerprint (the keys can be long). */
export const storedStatementProjection = { _id: 1, seq: 1, body: 1, storedMs: 1, voided: 1, isVoiding: 1, credentialId: 1 } as const;

/** Statements that target any of these ids with a StatementRef (one level of the referrer chain). */
export const referrersFilter = (ids: readonly string[]) => ({ refTarget: { $in: [...ids] } });

/** Passes keys on to statements already stored (their referrers): a set union, idempotent. */
export const addKeysUpdate = (keys: readonly string[]) => ({ $addToSet: { keys: { $each: [...keys] } } });

/** xAPI 1.0.3 §2.2.3: a voiding statement voids its target, unless the target is itself a voiding statement. */
export const voidTargetFilter = (targetId: string) => ({ _id: targetId, isVoiding: false });
export const voidUpdate = { $set: { voided: true } } as const;

/** A voiding statement stored before its target (the target is voided on arrival). */
export const pendingVoiderFilter = (id: string) => ({ refTarget: id, isVoiding: true });

/** Reserves `count` sequences in one `$inc` (inside the batch's transaction); the first is `after.seq - count + 1`. */
export const reserveSequences = (count: number) => ({
  filter: { _id: counterNames.statements },
  update: { $inc: { seq: count } },
});

/** Sets the counter to at least `seq` (after a migration copied statements with their original sequences). */
export const raiseSequenceTo = (seq: number) => ({
  filter: { _id: counterNames.statements },
  update: { $max: { seq } },
});
