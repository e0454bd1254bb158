/**
 * The outbox on MongoDB, and its SMTP delivery bookkeeping (MailDeliveryLog): the same states and rules as SQLite's
 * (src/store/sqlite/mail.ts); the claim is atomic per message (mail-queries.ts), so several app processes can run a
 * sender each and a message is still attempted by one of them at a time.
 */
import type { ClientSession, Db } from 'mongodb';
import type { ClaimedMail, MailDeliveryLog, MailOutbox, MailRecord } from '../ports.js';
import { mailDocumentOf, mailListSort, toMailRecord } from './access-queries.js';
import { inSession, type MongoContext } from './database.js';
import { collectionNames, counterNames, type MailDocument } from './documents-model.js';
import {
  claimMailUpdate,
  dueMailFilter,
  dueMailSort,
  failedMailUpdate,
  notSentFilter,
  pendingMailFilter,
  sentMailUpdate,
  toClaimedMail,
  toMailDeliveryEntry,
} from './mail-queries.js';

/**
 * Who watches each database for new mail in this process. Mail queued by another process (another app, the CLI)
 * is not seen here: the sender's poll finds it (`mail-sender.ts`, `pollMs`).
 */
const watchers = new WeakMap<Db, Set<() => void>>();

function watchersOf(db: Db): Set<() => void> {
  let found = watchers.get(db);
  if (!found) watchers.set(db, (found = new Set()));
  return found;
}

/** Queues a message (inside the caller's transaction when given); watchers hear of it once that commits. */
export function mongoMailEnqueue(context: MongoContext) {
  const listeners = watchersOf(context.db);
  return async (message: MailRecord, session?: ClientSession): Promise<void> => {
    const seq = await context.reserve(counterNames.mail, 1, session);
    await context.collection<MailDocument>(collectionNames.mailOutbox).insertOne(mailDocumentOf(seq, message), inSession(session));
    if (listeners.size > 0) context.afterCommit(session, () => listeners.forEach((listener) => listener()));
  };
}

function createMongoMailDeliveryLog(context: MongoContext): MailDeliveryLog {
  const outbox = () => context.collection<MailDocument>(collectionNames.mailOutbox);
  const listeners = watchersOf(context.db);
  return {
    async claimDue(nowMs, leaseMs, limit) {
      const claimed: ClaimedMail[] = [];
      // One message at a time, each claimed atomically; a message another process took meanwhile no longer matches.
      while (claimed.length < limit) {
        const found = await outbox().findOneAndUpdate(dueMailFilter(nowMs), claimMailUpdate(nowMs, leaseMs), { sort: dueMailSort, returnDocument: 'after' });
        if (!found) break;
        claimed.push(toClaimedMail(found as MailDocument));
      }
      return claimed;
    },
    async markSent(id, atMs) {
      await outbox().updateOne(notSentFilter(id), sentMailUpdate(atMs));
    },
    async markFailed(id, { error, nextAttemptMs }) {
      await outbox().updateOne(notSentFilter(id), failedMailUpdate(error, nextAttemptMs));
    },
    async nextAttemptMs() {
      const [next] = await outbox().find(pendingMailFilter, { sort: dueMailSort, limit: 1, projection: { nextAttemptMs: 1 } }).toArray();
      return next?.nextAttemptMs ?? null;
    },
    async list(limit) {
      return (await outbox().find({}, { sort: mailListSort, limit }).toArray()).map(toMailDeliveryEntry);
    },
    watch(listener) {
      const own = () => listener();
      listeners.add(own);
      return () => {
        listeners.delete(own);
      };
    },
  };
}

export function createMongoMailOutbox(context: MongoContext): MailOutbox {
  const enqueue = mongoMailEnqueue(context);
  return {
    async enqueue(message) {
      await context.transaction((session) => enqueue(message, session));
    },
    async list(limit) {
      const found = await context.collection<MailDocument>(collectionNames.mailOutbox).find({}, { sort: mailListSort, limit }).toArray();
      return found.map(toMailRecord);
    },
    delivery: createMongoMailDeliveryLog(context),
  };
}
