import type { ClientSession } from 'mongodb';
import type { MailOutbox, MailRecord } from '../ports.js';
import { mailDocumentOf, mailListSort, toMailRecord } from './access-queries.js';
import { inSession, type MongoContext } from './database.js';
import { collectionNames, counterNames, type MailDocument } from './documents-model.js';

export function mongoMailEnqueue(context: MongoContext) {
  return async (message: MailRecord, session?: ClientSession): Promise<void> => {
    const seq = await context.reserve(counterNames.mail, 1, session);
    await context.collection<MailDocument>(collectionNames.mailOutbox).insertOne(mailDocumentOf(seq, message), inSession(session));
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
  };
}
