import type { ClientSession } from 'mongodb';
import type { AttachmentRecord } from '../ports.js';
import { inSession, type MongoContext } from './database.js';
import { collectionNames, type AttachmentDocument } from './documents-model.js';

/**
 * Attachment content, addressed by its SHA-2 (`_id`): statements declaring the same hash share one document.
 * One document holds at most 16 MB, so MAX_BODY_BYTES must stay below that with this adapter (the default,
 * 20 MB, covers the whole multipart request, statements included); larger content needs GridFS (not done).
 */
export function createMongoAttachments(context: MongoContext) {
  const attachments = () => context.collection<AttachmentDocument>(collectionNames.attachments);
  return {
    /** Stores content inside the batch's transaction; storing a hash twice is a no-op (`$setOnInsert`). */
    async store(records: readonly AttachmentRecord[], session: ClientSession): Promise<void> {
      for (const attachment of records) {
        await attachments().updateOne(
          { _id: attachment.sha2 },
          { $setOnInsert: { contentType: attachment.contentType, content: attachment.content } },
          { upsert: true, session },
        );
      }
    },
    /** Stored attachments with these hashes, in the order asked; unknown hashes left out. */
    async read(sha2s: readonly string[], session?: ClientSession): Promise<AttachmentRecord[]> {
      if (sha2s.length === 0) return [];
      const found = await attachments().find({ _id: { $in: [...sha2s] } }, inSession(session)).toArray();
      const byHash = new Map(found.map((doc) => [doc._id, doc]));
      return sha2s.flatMap((sha2) => {
        const doc = byHash.get(sha2);
        return doc ? [{ sha2, contentType: doc.contentType, content: Buffer.from(doc.content) }] : [];
      });
    },
  };
}
