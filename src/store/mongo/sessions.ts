import type { SessionStore } from '../ports.js';
import { expiredSessionsFilter, liveSessionFilter, sessionDocumentOf, toSessionRecord } from './access-queries.js';
import { isDuplicateKey, type MongoContext } from './database.js';
import { collectionNames, type SecretDocument, type SessionDocument } from './documents-model.js';

/**
 * Sessions live in the database, so any app process behind the load balancer serves any request. A TTL index
 * on `expiresAt` lets the server remove abandoned ones too.
 */
export function createMongoSessionStore(context: MongoContext): SessionStore {
  const sessions = () => context.collection<SessionDocument>(collectionNames.sessions);
  const secrets = () => context.collection<SecretDocument>(collectionNames.secrets);
  return {
    async add(record) {
      await sessions().deleteMany(expiredSessionsFilter(record.createdMs));
      await sessions().insertOne(sessionDocumentOf(record));
    },
    async get(idHash, nowMs) {
      const found = await sessions().findOne(liveSessionFilter(idHash, nowMs));
      return found ? toSessionRecord(found) : null;
    },
    async delete(idHash) {
      await sessions().deleteOne({ _id: idHash });
    },
    async deleteForUser(userId) {
      await sessions().deleteMany({ userId });
    },
    async signingSecret(generate) {
      // Insert if absent, then read: processes starting together all end up with the first one stored.
      try {
        await secrets().updateOne({ _id: 'cookie' }, { $setOnInsert: { value: generate() } }, { upsert: true });
      } catch (error) {
        // Two concurrent upserts of one _id: the loser gets a duplicate key error; the winner's value stands.
        if (!isDuplicateKey(error)) throw error;
      }
      const found = await secrets().findOne({ _id: 'cookie' });
      return (found as SecretDocument).value;
    },
  };
}
