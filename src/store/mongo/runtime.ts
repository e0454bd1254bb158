import type { ClientSession } from 'mongodb';
import type { AttemptRecord, DocumentKey, RuntimeStore, StatementRecord, StoredDocument } from '../ports.js';
import { isDuplicateKey, type MongoContext } from './database.js';
import { collectionNames, counterNames, type AttemptDocument, type RegistrationDocument } from './documents-model.js';
import {
  attemptsSort,
  commitAttemptUpdate,
  latestAttemptPlan,
  latestRegistrationPlan,
  newAttemptDocument,
  registrationDocumentOf,
  toAttemptRecord,
  toRegistrationRecord,
} from './runtime-queries.js';

export interface MongoRuntimeDeps {
  /** The statement store's rules inside the commit's transaction (projections included). */
  readonly insertStatements: (records: readonly StatementRecord[], session: ClientSession) => Promise<unknown>;
  readonly putDocument: (key: DocumentKey, document: StoredDocument, session: ClientSession) => Promise<void>;
}

const MAX_NUMBERING_ATTEMPTS = 5;

export function createMongoRuntimeStore(context: MongoContext, deps: MongoRuntimeDeps): RuntimeStore {
  const registrations = () => context.collection<RegistrationDocument>(collectionNames.registrations);
  const attempts = () => context.collection<AttemptDocument>(collectionNames.attempts);
  return {
    async latestRegistration(userId, courseId) {
      const plan = latestRegistrationPlan(userId, courseId);
      const [found] = await registrations().find(plan.filter, { sort: plan.sort, limit: plan.limit }).toArray();
      return found ? toRegistrationRecord(found) : null;
    },
    async registration(id) {
      const found = await registrations().findOne({ _id: id });
      return found ? toRegistrationRecord(found) : null;
    },
    async addRegistration(record) {
      await context.transaction(async (session) => {
        const seq = await context.reserve(counterNames.registrations, 1, session);
        // A new registration has no runtime state yet, whatever the record says (as SQLite stores NULL).
        await registrations().insertOne(registrationDocumentOf({ ...record, state: null }, seq), { session });
      });
    },
    async markRegistrationCompleted(id, atMs) {
      await registrations().updateOne({ _id: id, completedMs: null }, { $set: { completedMs: atMs } });
    },
    async latestAttempt(registrationId, unitId) {
      const plan = latestAttemptPlan(registrationId, unitId);
      const [found] = await attempts().find(plan.filter, { sort: plan.sort, limit: plan.limit }).toArray();
      return found ? toAttemptRecord(found) : null;
    },
    async attempt(id) {
      const found = await attempts().findOne({ _id: id });
      return found ? toAttemptRecord(found) : null;
    },
    async attempts(registrationId) {
      return (await attempts().find({ registrationId }, { sort: attemptsSort }).toArray()).map(toAttemptRecord);
    },
    async addAttempt(input) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await context.transaction(async (session): Promise<AttemptRecord> => {
            const plan = latestAttemptPlan(input.registrationId, input.unitId);
            const [last] = await attempts().find(plan.filter, { session, sort: plan.sort, limit: plan.limit }).toArray();
            const document = newAttemptDocument(input, (last?.number ?? 0) + 1);
            await attempts().insertOne(document, { session });
            return toAttemptRecord(document);
          });
        } catch (error) {
          // Two launches numbering the same unit at once: the unique index refused one; it numbers again.
          if (!isDuplicateKey(error) || attempt >= MAX_NUMBERING_ATTEMPTS) throw error;
        }
      }
    },
    applyCommit(commit) {
      return context.transaction(async (session) => {
        const previous = await attempts().findOne({ _id: commit.attemptId }, { session });
        if (!previous) throw new Error(`attempt ${commit.attemptId} does not exist`);
        if (commit.sequence <= previous.commitSequence) return { applied: false, previous: toAttemptRecord(previous) };
        await deps.insertStatements(commit.statements, session);
        for (const { key, document } of commit.documents) await deps.putDocument(key, document, session);
        if (commit.registrationState !== undefined) {
          await registrations().updateOne({ _id: previous.registrationId }, { $set: { state: JSON.stringify(commit.registrationState) } }, { session });
        }
        const { filter, update } = commitAttemptUpdate(commit, previous.endedMs);
        await attempts().updateOne(filter, update, { session });
        return { applied: true, previous: toAttemptRecord(previous) };
      });
    },
  };
}
