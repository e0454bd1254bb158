import type { ClientSession } from 'mongodb';
import type { DocumentKey, DocumentStore, StoredDocument } from '../ports.js';
import { isDuplicateKey, type MongoContext } from './database.js';
import { collectionNames, type DocumentDocument } from './documents-model.js';
import {
  documentIdOf,
  documentListFilter,
  documentListSort,
  newDocument,
  replaceContentUpdate,
  toStoredDocument,
  unchangedSince,
  upsertDocument,
} from './document-queries.js';

/** How many times a read-decide-write starts again after losing a race before giving up. */
const MAX_ATTEMPTS = 20;

export class DocumentContentionError extends Error {
  override readonly name = 'DocumentContentionError';
}

/**
 * Documents without a transaction: each write is one atomic conditional operation (insert that must not find
 * one, update or delete that must find the etag and revision read), retried from the read when it loses.
 */
export function createMongoDocumentStore(context: MongoContext): DocumentStore & {
  readonly putWithin: (key: DocumentKey, document: StoredDocument, session: ClientSession) => Promise<void>;
} {
  const documents = () => context.collection<DocumentDocument>(collectionNames.documents);
  return {
    async putWithin(key, document, session) {
      const { filter, update } = upsertDocument(key, document);
      await documents().updateOne(filter, update, { upsert: true, session });
    },
    async get(key) {
      const found = await documents().findOne({ _id: documentIdOf(key) });
      return found ? toStoredDocument(found) : null;
    },
    async list(key, sinceMs) {
      const found = await documents().find(documentListFilter(key, sinceMs), { sort: documentListSort, projection: { documentId: 1 } }).toArray();
      return found.map((doc) => doc.documentId);
    },
    async write(key, decide) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = await documents().findOne({ _id: documentIdOf(key) });
        const decision = decide(current ? toStoredDocument(current) : null);
        if (decision.action === 'keep') return;
        if (decision.action === 'delete') {
          if (!current) return;
          const { deletedCount } = await documents().deleteOne(unchangedSince(key, current));
          if (deletedCount === 1) return;
          continue;
        }
        if (!current) {
          try {
            await documents().insertOne(newDocument(key, decision.document));
            return;
          } catch (error) {
            if (isDuplicateKey(error)) continue;
            throw error;
          }
        }
        const { matchedCount } = await documents().updateOne(unchangedSince(key, current), replaceContentUpdate(decision.document));
        if (matchedCount === 1) return;
      }
      throw new DocumentContentionError(`document ${documentIdOf(key)} kept changing during ${MAX_ATTEMPTS} attempts to write it`);
    },
    async deleteAll(key) {
      await documents().deleteMany(documentListFilter(key));
    },
  };
}
