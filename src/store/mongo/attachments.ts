/**
 * Attachment content, addressed by its SHA-2 (`_id`): statements declaring the same hash share one document.
 *
 * A MongoDB document holds at most 16 MB (BSON), so content above `INLINE_ATTACHMENT_LIMIT` goes to GridFS (bucket
 * `attachment_files`) and its document keeps only the GridFS file id. GridFS uploads cannot join a transaction, so
 * such content is uploaded *before* the batch's transaction (`upload`), and the attachment document that points to
 * it is written inside it (`store`): a batch that is refused leaves no attachment document, and its upload is
 * deleted afterwards (`discard`). An upload another writer beat to the hash is deleted the same way.
 */
import { buffer } from 'node:stream/consumers';
import { GridFSBucket, ObjectId, type ClientSession } from 'mongodb';
import type { AttachmentRecord } from '../ports.js';
import { inSession, type MongoContext } from './database.js';
import { ATTACHMENTS_BUCKET, collectionNames, type AttachmentDocument } from './documents-model.js';

/**
 * Content up to this size is kept in the attachment document itself: 15 MiB leaves room under BSON's 16 MiB for the
 * document's other fields and the encoding overhead of binary data.
 */
export const INLINE_ATTACHMENT_LIMIT = 15 * 1024 * 1024;

/** Where an attachment of this size is kept. Pure. */
export const attachmentPlacement = (sizeBytes: number, inlineLimit = INLINE_ATTACHMENT_LIMIT): 'inline' | 'gridfs' =>
  sizeBytes <= inlineLimit ? 'inline' : 'gridfs';

/** The insert-if-absent of one attachment's document: inline content, or the GridFS file that holds it. */
export function attachmentUpsert(attachment: AttachmentRecord, gridFsId: string | null) {
  return {
    filter: { _id: attachment.sha2 },
    update: {
      $setOnInsert:
        gridFsId === null
          ? { contentType: attachment.contentType, content: attachment.content }
          : { contentType: attachment.contentType, content: null, gridFsId, sizeBytes: attachment.content.length },
    },
  };
}

/** Uploads made for one batch, by hash: the GridFS file ids; and those a stored document points to (`kept`). */
export interface AttachmentUploads {
  readonly uploaded: ReadonlyMap<string, string>;
  readonly kept: Set<string>;
}

export const noUploads = (): AttachmentUploads => ({ uploaded: new Map(), kept: new Set() });

export function createMongoAttachments(context: MongoContext, options: { readonly inlineLimit?: number } = {}) {
  const attachments = () => context.collection<AttachmentDocument>(collectionNames.attachments);
  const bucket = () => new GridFSBucket(context.db, { bucketName: ATTACHMENTS_BUCKET, writeConcern: { w: 'majority' } });
  const inlineLimit = options.inlineLimit ?? INLINE_ATTACHMENT_LIMIT;

  return {
    /** Uploads the content that goes to GridFS and is not stored yet; outside any transaction (GridFS cannot join one). */
    async upload(records: readonly AttachmentRecord[]): Promise<AttachmentUploads> {
      const uploads = new Map<string, string>();
      if (records.every((attachment) => attachmentPlacement(attachment.content.length, inlineLimit) === 'inline')) return noUploads();
      for (const attachment of records) {
        if (attachmentPlacement(attachment.content.length, inlineLimit) === 'inline' || uploads.has(attachment.sha2)) continue;
        if (await attachments().findOne({ _id: attachment.sha2 }, { projection: { _id: 1 } })) continue;
        const id = new ObjectId();
        await new Promise<void>((resolve, reject) => {
          const stream = bucket().openUploadStreamWithId(id, attachment.sha2, { metadata: { sha2: attachment.sha2, contentType: attachment.contentType } });
          stream.once('error', reject);
          stream.once('finish', () => resolve());
          stream.end(attachment.content);
        });
        uploads.set(attachment.sha2, id.toHexString());
      }
      return { uploaded: uploads, kept: new Set() };
    },

    /**
     * Stores the documents inside the batch's transaction; storing a hash twice is a no-op (`$setOnInsert`). Records
     * in `uploads.kept` the uploads a written document points to (from scratch: the transaction may run again).
     */
    async store(records: readonly AttachmentRecord[], session: ClientSession, uploads: AttachmentUploads = noUploads()): Promise<void> {
      uploads.kept.clear();
      for (const attachment of records) {
        const placement = attachmentPlacement(attachment.content.length, inlineLimit);
        const gridFsId = placement === 'gridfs' ? uploads.uploaded.get(attachment.sha2) ?? null : null;
        // Content for GridFS that was not uploaded is already stored (upload found its document): nothing to write.
        if (placement === 'gridfs' && gridFsId === null) continue;
        const { filter, update } = attachmentUpsert(attachment, gridFsId);
        const written = await attachments().updateOne(filter, update, { upsert: true, session });
        if (gridFsId !== null && written.upsertedCount === 1) uploads.kept.add(gridFsId);
      }
    },

    /** After the batch's transaction: deletes the uploads no stored document points to (refused batch, lost race). */
    async discard(uploads: AttachmentUploads, committed: boolean): Promise<void> {
      for (const id of uploads.uploaded.values()) {
        if (committed && uploads.kept.has(id)) continue;
        // Best effort: an orphan upload wastes space but is never read (no document points to it).
        await bucket().delete(new ObjectId(id)).catch(() => {});
      }
    },

    /** Stored attachments with these hashes, in the order asked; unknown hashes left out. */
    async read(sha2s: readonly string[], session?: ClientSession): Promise<AttachmentRecord[]> {
      if (sha2s.length === 0) return [];
      const found = await attachments().find({ _id: { $in: [...sha2s] } }, inSession(session)).toArray();
      const byHash = new Map(found.map((doc) => [doc._id, doc]));
      const out: AttachmentRecord[] = [];
      for (const sha2 of sha2s) {
        const doc = byHash.get(sha2);
        if (!doc) continue;
        const content = doc.gridFsId ? await buffer(bucket().openDownloadStream(new ObjectId(doc.gridFsId))) : Buffer.from(doc.content ?? Buffer.alloc(0));
        out.push({ sha2, contentType: doc.contentType, content });
      }
      return out;
    },
  };
}
