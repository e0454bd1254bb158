/**
 * Pure query building for state, activity profile and agent profile documents (xAPI 1.0.3 §2.2-2.7).
 * Preconditions (If-Match, If-None-Match, and the merge of a POST) are decided by the LRS from the current
 * document; the adapter then writes *conditionally*: the filter carries the `etag` and `revision` it read, so
 * a concurrent writer in between makes the update match nothing and the read-decide-write starts again.
 */
import type { DocumentKey, StoredDocument } from '../ports.js';
import type { DocumentDocument } from './documents-model.js';

/** One string per document key: the `_id`, so a put is one upsert and shards hash it evenly. */
export const documentIdOf = (key: DocumentKey): string =>
  JSON.stringify([key.kind, key.activityId, key.agent, key.registration, key.documentId]);

/** Every document under a key (its `documentId` ignored), updated after `sinceMs` when given. */
export function documentListFilter(key: Omit<DocumentKey, 'documentId'>, sinceMs?: number): Record<string, unknown> {
  return {
    kind: key.kind,
    activityId: key.activityId,
    agent: key.agent,
    registration: key.registration,
    ...(sinceMs !== undefined && { updatedMs: { $gt: sinceMs } }),
  };
}

export const documentListSort = { documentId: 1 } as const;

/** A new document (the key had none when read). A duplicate key error means someone created it meanwhile. */
export function newDocument(key: DocumentKey, document: StoredDocument): DocumentDocument {
  return {
    _id: documentIdOf(key),
    kind: key.kind,
    activityId: key.activityId,
    agent: key.agent,
    registration: key.registration,
    documentId: key.documentId,
    content: document.content,
    contentType: document.contentType,
    etag: document.etag,
    updatedMs: document.updatedMs,
    revision: 1,
  };
}

/** Matches the document only as it was read: same etag, same revision. */
export const unchangedSince = (key: DocumentKey, read: Pick<DocumentDocument, 'etag' | 'revision'>) => ({
  _id: documentIdOf(key),
  etag: read.etag,
  revision: read.revision,
});

export const replaceContentUpdate = (document: StoredDocument) => ({
  $set: { content: document.content, contentType: document.contentType, etag: document.etag, updatedMs: document.updatedMs },
  $inc: { revision: 1 },
});

/** An unconditional upsert (SCORM commit documents, written in the commit's transaction; migration). */
export function upsertDocument(key: DocumentKey, document: StoredDocument) {
  const { content, contentType, etag, updatedMs } = document;
  return {
    filter: { _id: documentIdOf(key) },
    update: {
      $set: { kind: key.kind, activityId: key.activityId, agent: key.agent, registration: key.registration, documentId: key.documentId, content, contentType, etag, updatedMs },
      $inc: { revision: 1 },
    },
  };
}

export const toStoredDocument = (doc: Pick<DocumentDocument, 'content' | 'contentType' | 'etag' | 'updatedMs'>): StoredDocument => ({
  content: Buffer.from(doc.content),
  contentType: doc.contentType,
  etag: doc.etag,
  updatedMs: doc.updatedMs,
});
