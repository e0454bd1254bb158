import type { ActivityStore, DocumentKey, DocumentStore, StoredDocument } from '../ports.js';
import type { Sqlite, WriteQueue } from './database.js';

interface DocumentRow {
  content: Buffer;
  content_type: string;
  etag: string;
  updated_ms: number;
}

const toDocument = (row: DocumentRow): StoredDocument => ({
  content: row.content,
  contentType: row.content_type,
  etag: row.etag,
  updatedMs: row.updated_ms,
});

const keyWhere = 'kind = @kind AND activity_id = @activityId AND agent = @agent AND registration = @registration';

/** The document store, and its synchronous upsert for adapters that write documents in their own transaction. */
export function createSqliteDocumentStore(db: Sqlite, writes: WriteQueue): DocumentStore & { readonly putSync: (key: DocumentKey, document: StoredDocument) => void } {
  const sql = {
    get: db.prepare(`SELECT content, content_type, etag, updated_ms FROM documents WHERE ${keyWhere} AND document_id = @documentId`),
    list: db.prepare(`SELECT document_id FROM documents WHERE ${keyWhere} AND updated_ms > @sinceMs ORDER BY document_id`),
    upsert: db.prepare(
      `INSERT INTO documents (kind, activity_id, agent, registration, document_id, content, content_type, etag, updated_ms)
       VALUES (@kind, @activityId, @agent, @registration, @documentId, @content, @contentType, @etag, @updatedMs)
       ON CONFLICT (kind, activity_id, agent, registration, document_id) DO UPDATE SET
         content = excluded.content, content_type = excluded.content_type, etag = excluded.etag, updated_ms = excluded.updated_ms`,
    ),
    delete: db.prepare(`DELETE FROM documents WHERE ${keyWhere} AND document_id = @documentId`),
    deleteAll: db.prepare(`DELETE FROM documents WHERE ${keyWhere}`),
  };
  const get = (key: DocumentKey) => {
    const row = sql.get.get(key) as DocumentRow | undefined;
    return row ? toDocument(row) : null;
  };
  return {
    putSync(key, document) {
      sql.upsert.run({ ...key, ...document });
    },
    async get(key) {
      return get(key);
    },
    async list(key, sinceMs) {
      return (sql.list.all({ ...key, sinceMs: sinceMs ?? -1 }) as Array<{ document_id: string }>).map((row) => row.document_id);
    },
    write(key, decide) {
      // Inside the single writer's transaction: nobody can change the document between the read and the write.
      return writes.run(() => {
        const decision = decide(get(key));
        if (decision.action === 'put') sql.upsert.run({ ...key, ...decision.document });
        else if (decision.action === 'delete') sql.delete.run(key);
      });
    },
    deleteAll(key) {
      return writes.run(() => {
        sql.deleteAll.run(key);
      });
    },
  };
}

export function createSqliteActivityStore(db: Sqlite): ActivityStore {
  const byId = db.prepare('SELECT definition FROM activities WHERE id = ?');
  return {
    async definition(activityId) {
      const row = byId.get(activityId) as { definition: string } | undefined;
      return row ? (JSON.parse(row.definition) as Record<string, unknown>) : null;
    },
  };
}
