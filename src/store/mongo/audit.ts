import type { ClientSession } from 'mongodb';
import type { AuditRecord, AuditStore } from '../ports.js';
import { auditDocumentOf, auditListPlan, toAuditRecord } from './access-queries.js';
import { inSession, type MongoContext } from './database.js';
import { collectionNames, counterNames, type AuditDocument } from './documents-model.js';

/** Appends one audit record numbered by the `audit` counter (inside the caller's transaction when given). */
export function mongoAuditAppend(context: MongoContext) {
  return async (record: AuditRecord, session?: ClientSession): Promise<void> => {
    const seq = await context.reserve(counterNames.audit, 1, session);
    await context.collection<AuditDocument>(collectionNames.auditEvents).insertOne(auditDocumentOf(seq, record), inSession(session));
  };
}

export function createMongoAuditStore(context: MongoContext): AuditStore {
  const append = mongoAuditAppend(context);
  return {
    async append(record) {
      await context.transaction((session) => append(record, session));
    },
    async list(query) {
      const plan = auditListPlan(query);
      const found = await context.collection<AuditDocument>(collectionNames.auditEvents).find(plan.filter, { sort: plan.sort, limit: plan.limit }).toArray();
      return found.map(toAuditRecord);
    },
  };
}
