import os from 'node:os';
import path from 'node:path';
import type { Store } from '../ports.js';
import { createSqliteAccessRequestStore } from './access-requests.js';
import { createSqliteAuditStore, prepareAuditInsert } from './audit.js';
import { createFilesystemPackageFiles } from '../filesystem-package-files.js';
import { createSqliteCatalogStore } from './catalog.js';
import { createSqliteCertificateStore } from './certificates.js';
import { createSqliteCredentialStore } from './credentials.js';
import { openDatabase, WriteQueue, type SqliteOptions } from './database.js';
import { createSqliteActivityStore, createSqliteDocumentStore } from './documents.js';
import { createSqliteMailOutbox } from './mail.js';
import { createSqliteRecordsStore } from './records.js';
import { createSqliteReportsStore } from './reports.js';
import { createSqliteSessionStore } from './sessions.js';
import { createSqliteRuntimeStore } from './runtime.js';
import { createSqliteStatementStore } from './statements.js';
import { createSqliteUserStore } from './users.js';

/** The embedded store: one SQLite file, `cadet.sqlite`, under the data directory (or `:memory:`). */
export function createSqliteStore(dataDir: string | ':memory:', options: SqliteOptions = {}): Store {
  const file = dataDir === ':memory:' ? ':memory:' : path.join(dataDir, 'cadet.sqlite');
  const db = openDatabase(file, options);
  const writes = new WriteQueue(db);
  const records = createSqliteRecordsStore(db, writes);
  const reports = createSqliteReportsStore(db, writes, { catchUpMs: options.reportsCatchUpMs });
  const statements = createSqliteStatementStore(db, writes, {
    afterInsert: (inserted) => {
      records.afterInsert(inserted);
      reports.afterInsert(inserted);
      // Last: it reads the progress just folded, and may write an `earned` statement through `insertBatch`.
      certificates.afterInsert(inserted);
    },
  });
  const certificates = createSqliteCertificateStore(db, writes, { insertStatements: (batch) => statements.insertBatch(batch), appendAudit: prepareAuditInsert(db), dataDir });
  const documents = createSqliteDocumentStore(db, writes);
  return {
    kind: 'sqlite',
    statements,
    documents,
    activities: createSqliteActivityStore(db),
    credentials: createSqliteCredentialStore(db, writes),
    users: createSqliteUserStore(db, writes),
    sessions: createSqliteSessionStore(db, writes),
    accessRequests: createSqliteAccessRequestStore(db, writes),
    audit: createSqliteAuditStore(db, writes),
    outbox: createSqliteMailOutbox(db, writes),
    catalog: createSqliteCatalogStore(db, writes),
    runtime: createSqliteRuntimeStore(db, writes, { insertStatements: statements.insertBatch, putDocument: documents.putSync }),
    records: {
      ...records,
      // `rebuild-projections` recomputes every projection; queued in one turn, both run in one transaction.
      async rebuild() {
        const [progress] = await Promise.all([records.rebuild(), reports.rebuild()]);
        return progress;
      },
    },
    reports,
    certificates,
    packageFiles: createFilesystemPackageFiles(dataDir === ':memory:' ? path.join(os.tmpdir(), `cadet-memory-${process.pid}`) : dataDir),
    async close() {
      reports.stop();
      await writes.drained();
      if (db.open) {
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
      }
    },
  };
}
