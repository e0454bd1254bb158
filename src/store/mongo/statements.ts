/**
 * Statements on MongoDB: one document per statement (`_id` = statement id), its own and inherited filter keys
 * in the multikey `keys`, a cluster-wide `seq` from a counter incremented in the batch's transaction
 * (statement-queries.ts "Sequence"). A batch, its attachments, definitions, voiding, key inheritance and the
 * projections (`afterInsert`) are one multi-document transaction: all or nothing, durable at `w: "majority"`.
 */
import type { ClientSession } from 'mongodb';
import { conflict, invalid } from '../../errors.js';
import type { AttachmentRecord, StatementRecord, StatementStore } from '../ports.js';
import type { createMongoActivityStore } from './activities.js';
import { noUploads, type AttachmentUploads, type createMongoAttachments } from './attachments.js';
import type { MongoContext } from './database.js';
import { collectionNames, counterNames, type StatementDocument } from './documents-model.js';
import {
  addKeysUpdate,
  pendingVoiderFilter,
  referrersFilter,
  statementDocumentOf,
  statementQueryPlan,
  storedStatementProjection,
  toStoredStatement,
  voidTargetFilter,
  voidUpdate,
} from './statement-queries.js';

export interface MongoStatementDeps {
  readonly attachments: ReturnType<typeof createMongoAttachments>;
  readonly activities: Pick<ReturnType<typeof createMongoActivityStore>, 'mergeWithin'>;
  /** Runs in the batch's transaction with the records actually inserted: projections change with the write or not at all. */
  readonly afterInsert?: (inserted: readonly StatementRecord[], session: ClientSession) => Promise<void>;
}

export type MongoStatementStore = StatementStore & {
  /** The insert rules inside the caller's transaction (a runtime commit writes statements with its attempt). */
  readonly insertWithin: (
    records: readonly StatementRecord[],
    attachments: readonly AttachmentRecord[],
    session: ClientSession,
    uploads?: AttachmentUploads,
  ) => Promise<readonly StatementRecord[]>;
};

export function createMongoStatementStore(context: MongoContext, deps: MongoStatementDeps): MongoStatementStore {
  const statements = () => context.collection<StatementDocument>(collectionNames.statements);

  /**
   * Checks the whole batch in order before writing anything, so the first offending statement is the one
   * reported (as SQLite's adapter, which stops at it): a known id with other content, or a voiding statement
   * whose target is itself voiding. Returns the records to insert.
   */
  async function checkBatch(records: readonly StatementRecord[], session: ClientSession): Promise<StatementRecord[]> {
    const ids = [...new Set(records.map((record) => record.id))];
    const stored = await statements().find({ _id: { $in: ids } }, { session, projection: { _id: 1, fingerprint: 1, isVoiding: 1 } }).toArray();
    const known = new Map<string, { fingerprint: string; isVoiding: boolean }>(stored.map((doc) => [doc._id, doc]));
    const fresh: StatementRecord[] = [];
    for (const [index, record] of records.entries()) {
      const existing = known.get(record.id);
      if (existing) {
        if (existing.fingerprint === record.fingerprint) continue;
        throw conflict('statement-conflict', `statement ${record.id} is already stored with different content`, { path: `/${index}`, statementId: record.id });
      }
      if (record.isVoiding && record.refTarget) {
        let target = known.get(record.refTarget);
        if (!target) {
          const found = await statements().findOne({ _id: record.refTarget }, { session, projection: { _id: 1, fingerprint: 1, isVoiding: 1 } });
          if (found) known.set(found._id, (target = found));
        }
        if (target?.isVoiding) {
          throw invalid('voiding-a-voiding-statement', `a voiding statement cannot target another voiding statement (${record.refTarget})`, { path: `/${index}/object/id` });
        }
      }
      known.set(record.id, record);
      fresh.push(record);
    }
    return fresh;
  }

  /** Gives `keys` to every statement that targets `id`, directly or through a chain of StatementRefs. */
  async function passKeysToReferrers(id: string, keys: readonly string[], session: ClientSession): Promise<void> {
    const seen = new Set([id]);
    let frontier = [id];
    while (frontier.length > 0) {
      const referrers = (await statements().find(referrersFilter(frontier), { session, projection: { _id: 1 } }).toArray())
        .map((doc) => doc._id)
        .filter((referrer) => !seen.has(referrer));
      if (referrers.length === 0) return;
      referrers.forEach((referrer) => seen.add(referrer));
      await statements().updateMany({ _id: { $in: referrers } }, addKeysUpdate(keys), { session });
      frontier = referrers;
    }
  }

  async function insertWithin(
    records: readonly StatementRecord[],
    attachments: readonly AttachmentRecord[],
    session: ClientSession,
    uploads: AttachmentUploads = noUploads(),
  ): Promise<readonly StatementRecord[]> {
    await deps.attachments.store(attachments, session, uploads);
    const fresh = await checkBatch(records, session);
    if (fresh.length === 0) return [];
    let seq = await context.reserve(counterNames.statements, fresh.length, session);
    for (const record of fresh) {
      const target = record.refTarget
        ? await statements().findOne({ _id: record.refTarget }, { session, projection: { keys: 1 } })
        : null;
      const voidedOnArrival = !record.isVoiding && (await statements().findOne(pendingVoiderFilter(record.id), { session, projection: { _id: 1 } })) !== null;
      const document = statementDocumentOf(record, seq++, target?.keys ?? [], voidedOnArrival);
      await statements().insertOne(document, { session });
      if (record.isVoiding && record.refTarget) await statements().updateOne(voidTargetFilter(record.refTarget), voidUpdate, { session });
      await passKeysToReferrers(record.id, document.keys, session);
      if (record.definitions.length > 0) await deps.activities.mergeWithin(record.definitions, session);
    }
    if (deps.afterInsert) await deps.afterInsert(fresh, session);
    return fresh;
  }

  return {
    insertWithin,

    async insert(records, attachments = []) {
      // Content too large for a document goes to GridFS first, outside the transaction (attachments.ts).
      const uploads = await deps.attachments.upload(attachments);
      let committed = false;
      try {
        const inserted = await context.transaction((session) => insertWithin(records, attachments, session, uploads));
        committed = true;
        return { inserted: inserted.map((record) => record.id) };
      } finally {
        if (uploads.uploaded.size > 0) await deps.attachments.discard(uploads, committed);
      }
    },

    async attachments(sha2s) {
      return deps.attachments.read(sha2s);
    },

    async get(id) {
      const found = await statements().findOne({ _id: id }, { projection: storedStatementProjection });
      return found ? toStoredStatement(found) : null;
    },

    async query(filter) {
      const plan = statementQueryPlan(filter);
      if (!plan) return { statements: [], hasMore: false };
      const found = await statements().find(plan.filter, { sort: plan.sort, limit: plan.limit, projection: storedStatementProjection }).toArray();
      return { statements: found.slice(0, filter.limit).map(toStoredStatement), hasMore: found.length > filter.limit };
    },

    async latestSequence() {
      return context.current(counterNames.statements);
    },
  };
}
