/**
 * The scale-out store: MongoDB (a replica set or a sharded cluster; transactions need one of them), package
 * files in GridFS. Any number of stateless app processes share it (README: src/store/mongo/README.md).
 */
import os from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import type { Store } from '../ports.js';
import { createMongoAccessRequestStore } from './access-requests.js';
import { createMongoActivityStore } from './activities.js';
import { createMongoAttachments } from './attachments.js';
import { createMongoAuditStore, mongoAuditAppend } from './audit.js';
import { createMongoCatalogStore } from './catalog.js';
import { createMongoCertificateStore } from './certificates.js';
import { createMongoCredentialStore } from './credentials.js';
import { connectMongo, createMongoContext, databaseNameOf, ensureIndexes, type MongoConnectOptions } from './database.js';
import { createMongoDocumentStore } from './documents.js';
import { createMongoMailOutbox } from './mail.js';
import { createGridFsPackageFiles } from './package-files.js';
import { createMongoRecordsStore } from './records.js';
import { createMongoReportsStore } from './reports.js';
import { createMongoRuntimeStore } from './runtime.js';
import { createMongoSessionStore } from './sessions.js';
import { createMongoStatementStore } from './statements.js';
import { createMongoUserStore } from './users.js';

export interface MongoStoreOptions {
  /** Where package files are extracted before `adopt` uploads them (local disk; default the OS temp directory). */
  readonly stagingDirectory?: string;
}

/** The store over a connected client; `prepareMongoStore` must have run on the database (indexes). */
export function createMongoStore(client: MongoClient, databaseName: string, options: MongoStoreOptions = {}): Store & { readonly prepare: () => Promise<void> } {
  const context = createMongoContext(client, databaseName);
  const records = createMongoRecordsStore(context);
  const reports = createMongoReportsStore(context);
  const activities = createMongoActivityStore(context);
  const attachments = createMongoAttachments(context);
  const statements = createMongoStatementStore(context, {
    attachments,
    activities,
    async afterInsert(inserted, session) {
      await records.afterInsert(inserted, session);
      await reports.afterInsert(inserted, session);
      // Last: it reads the progress just folded, and may write an `earned` statement through `insertWithin`.
      await certificates.afterInsert(inserted, session);
    },
  });
  const certificates = createMongoCertificateStore(context, {
    insertStatements: (batch, session) => statements.insertWithin(batch, [], session),
    appendAudit: mongoAuditAppend(context),
  });
  const documents = createMongoDocumentStore(context);
  return {
    kind: 'mongodb',
    statements,
    documents,
    activities,
    credentials: createMongoCredentialStore(context),
    users: createMongoUserStore(context),
    sessions: createMongoSessionStore(context),
    accessRequests: createMongoAccessRequestStore(context),
    audit: createMongoAuditStore(context),
    outbox: createMongoMailOutbox(context),
    catalog: createMongoCatalogStore(context),
    packageFiles: createGridFsPackageFiles(context, options.stagingDirectory ?? path.join(os.tmpdir(), `cadet-staging-${process.pid}`)),
    runtime: createMongoRuntimeStore(context, {
      insertStatements: (records, session) => statements.insertWithin(records, [], session),
      putDocument: documents.putWithin,
    }),
    records: {
      ...records,
      // `rebuild-projections` recomputes every projection in one transaction (certificates are left alone).
      rebuild() {
        return context.transaction(async (session) => {
          const progress = await records.rebuildWithin(session);
          await reports.rebuildWithin(session);
          return progress;
        });
      },
    },
    reports,
    certificates,
    /** Collections and indexes, then the projections once if this database never had them. */
    async prepare() {
      await ensureIndexes(context);
      await records.buildIfNeverBuilt();
      await reports.buildIfNeverBuilt();
    },
    async close() {
      await client.close();
    },
  };
}

/**
 * Connects (rejecting with an error that names the hosts when no server answers within
 * `serverSelectionTimeoutMS`), creates collections and indexes, and returns the store.
 */
export async function openMongoStore(options: MongoConnectOptions & MongoStoreOptions): Promise<Store> {
  const client = await connectMongo(options);
  const store = createMongoStore(client, databaseNameOf(options.uri, options.database), options);
  try {
    await store.prepare();
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
  return store;
}
