/**
 * `cadet migrate --to mongodb`: copies the embedded store into MongoDB, table by table, in batches keyed by the
 * last copied key and recorded in `migration_checkpoints`, so an interrupted run resumes where it stopped.
 * Every write is an upsert by `_id`, so a batch copied twice (a crash between the batch and its checkpoint)
 * changes nothing. Statements keep their id, `stored`, body and sequence; the statement counter is raised to
 * the highest copied sequence, so new statements sort after them. Package files are copied into GridFS.
 * At the end every collection's count is compared with its table's.
 *
 * Run it while nothing writes to the SQLite store (stop the server, or accept that writes made during the copy
 * are copied only if they land after the checkpoint of their table).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { SIGNING_KEY_FILE } from '../../records/certificates/certificate-signing.js';
import type { PackageFileStore } from '../ports.js';
import type { MongoContext } from './database.js';
import {
  collectionNames,
  counterNames,
  type CollectionName,
  type CounterDocument,
  type KeyDocument,
  type MigrationCheckpointDocument,
  type PackageKeyDocument,
} from './documents-model.js';
import * as map from './migration-mapping.js';
import { raiseSequenceTo } from './statement-queries.js';

type Row = Record<string, any>;

/** One table's copy: its key columns (the keyset order), how a row becomes a document, and where it goes. */
export interface TableCopy {
  readonly table: string;
  readonly collection: CollectionName;
  /** Columns of the keyset, in the primary key's order (a row value comparison resumes after the last). */
  readonly keyColumns: readonly string[];
  /** Extra selected columns (e.g. `rowid`). */
  readonly extraColumns?: string;
  /** Documents for a batch of rows (may read more rows from the source). */
  readonly toDocuments: (rows: Row[], source: Database.Database) => Document[];
  /** The counter to raise to the highest value of this column after the copy. */
  readonly counter?: { readonly name: string; readonly column: string };
}

export const tableCopies: readonly TableCopy[] = [
  {
    table: 'statements',
    collection: collectionNames.statements,
    keyColumns: ['seq'],
    counter: { name: counterNames.statements, column: 'seq' },
    toDocuments(rows, source) {
      const low = rows[0].seq as number;
      const high = rows[rows.length - 1].seq as number;
      const keys = new Map<number, string[]>();
      for (const row of source.prepare('SELECT key, seq FROM statement_keys WHERE seq BETWEEN ? AND ?').all(low, high) as Array<{ key: string; seq: number }>) {
        const list = keys.get(row.seq);
        if (list) list.push(row.key);
        else keys.set(row.seq, [row.key]);
      }
      return rows.map((row) => map.statementDocumentFromRow(row as map.StatementRow, keys.get(row.seq) ?? []));
    },
  },
  { table: 'attachments', collection: collectionNames.attachments, keyColumns: ['sha2'], toDocuments: (rows) => rows.map((r) => map.attachmentDocumentFromRow(r as never)) },
  { table: 'activities', collection: collectionNames.activities, keyColumns: ['id'], toDocuments: (rows) => rows.map((r) => map.activityDocumentFromRow(r as never)) },
  {
    table: 'documents',
    collection: collectionNames.documents,
    keyColumns: ['kind', 'activity_id', 'agent', 'registration', 'document_id'],
    toDocuments: (rows) => rows.map((r) => map.documentDocumentFromRow(r as map.DocumentRow)),
  },
  { table: 'credentials', collection: collectionNames.credentials, keyColumns: ['key'], toDocuments: (rows) => rows.map((r) => map.credentialDocumentFromRow(r as never)) },
  { table: 'users', collection: collectionNames.users, keyColumns: ['id'], toDocuments: (rows) => rows.map((r) => map.userDocumentFromRow(r as map.UserRow)) },
  { table: 'password_tokens', collection: collectionNames.passwordTokens, keyColumns: ['token_hash'], toDocuments: (rows) => rows.map((r) => map.passwordTokenDocumentFromRow(r as never)) },
  { table: 'sessions', collection: collectionNames.sessions, keyColumns: ['id_hash'], toDocuments: (rows) => rows.map((r) => map.sessionDocumentFromRow(r as never)) },
  { table: 'access_secrets', collection: collectionNames.secrets, keyColumns: ['name'], toDocuments: (rows) => rows.map((r) => map.secretDocumentFromRow(r as never)) },
  { table: 'access_requests', collection: collectionNames.accessRequests, keyColumns: ['id'], toDocuments: (rows) => rows.map((r) => map.accessRequestDocumentFromRow(r as map.AccessRequestRow)) },
  {
    table: 'audit_events',
    collection: collectionNames.auditEvents,
    keyColumns: ['seq'],
    counter: { name: counterNames.audit, column: 'seq' },
    toDocuments: (rows) => rows.map((r) => map.auditDocumentFromRow(r as never)),
  },
  {
    table: 'mail_outbox',
    collection: collectionNames.mailOutbox,
    keyColumns: ['rowid'],
    extraColumns: 'rowid AS rowid',
    counter: { name: counterNames.mail, column: 'rowid' },
    toDocuments: (rows) => rows.map((r) => map.mailDocumentFromRow(r as never)),
  },
  { table: 'courses', collection: collectionNames.courses, keyColumns: ['id'], toDocuments: (rows) => rows.map((r) => map.courseDocumentFromRow(r as never)) },
  { table: 'course_versions', collection: collectionNames.courseVersions, keyColumns: ['id'], toDocuments: (rows) => rows.map((r) => map.courseVersionDocumentFromRow(r as map.CourseVersionRow)) },
  {
    table: 'registrations',
    collection: collectionNames.registrations,
    keyColumns: ['rowid'],
    extraColumns: 'rowid AS rowid',
    counter: { name: counterNames.registrations, column: 'rowid' },
    toDocuments: (rows) => rows.map((r) => map.registrationDocumentFromRow(r as never)),
  },
  { table: 'attempts', collection: collectionNames.attempts, keyColumns: ['id'], toDocuments: (rows) => rows.map((r) => map.attemptDocumentFromRow(r as never)) },
  {
    table: 'registration_progress',
    collection: collectionNames.registrationProgress,
    keyColumns: ['registration_id'],
    toDocuments(rows, source) {
      const units = source.prepare('SELECT * FROM unit_progress WHERE registration_id = ?');
      return rows.map((row) => map.progressDocumentFromRows(row as map.ProgressRow, units.all(row.registration_id) as map.UnitRow[]));
    },
  },
  { table: 'records_meta', collection: collectionNames.recordsMeta, keyColumns: ['key'], toDocuments: (rows) => rows.map((r) => map.recordsMetaDocumentFromRow(r as never)) },
  { table: 'report_answers', collection: collectionNames.reportAnswers, keyColumns: ['seq'], toDocuments: (rows) => rows.map((r) => map.reportAnswerDocumentFromRow(r as map.ReportAnswerRow)) },
  {
    table: 'report_questions',
    collection: collectionNames.reportQuestions,
    keyColumns: ['course_id', 'question_id'],
    toDocuments: (rows) => rows.map((r) => map.reportQuestionDocumentFromRow(r as never)),
  },
  { table: 'reports_meta', collection: collectionNames.reportsMeta, keyColumns: ['key'], toDocuments: (rows) => rows.map((r) => map.reportsMetaDocumentFromRow(r as never)) },
  { table: 'certificates', collection: collectionNames.certificates, keyColumns: ['number'], toDocuments: (rows) => rows.map((r) => map.certificateDocumentFromRow(r as map.CertificateRow)) },
  { table: 'certificate_rules', collection: collectionNames.certificateRules, keyColumns: ['course_id'], toDocuments: (rows) => rows.map((r) => map.certificateRuleDocumentFromRow(r as never)) },
];

/** The keyset query of a table: rows after the last key (all when none), in key order, one batch. */
export function batchQuery(copy: TableCopy, resuming: boolean): string {
  const columns = copy.keyColumns.join(', ');
  const after = copy.keyColumns.length === 1 ? `${columns} > ?` : `(${columns}) > (${copy.keyColumns.map(() => '?').join(', ')})`;
  return `SELECT ${copy.extraColumns ? `${copy.extraColumns}, ` : ''}* FROM ${copy.table} ${resuming ? `WHERE ${after} ` : ''}ORDER BY ${columns} LIMIT ?`;
}

/** The checkpoint key of a row: the key column's value, or the array of them for a composite key. */
export const checkpointKeyOf = (copy: TableCopy, row: Row): string | number =>
  copy.keyColumns.length === 1 ? (row[copy.keyColumns[0]] as string | number) : JSON.stringify(copy.keyColumns.map((column) => row[column]));

const keyParameters = (copy: TableCopy, lastKey: string | number): unknown[] =>
  copy.keyColumns.length === 1 ? [lastKey] : (JSON.parse(String(lastKey)) as unknown[]);

export interface MigrationProgress {
  readonly table: string;
  readonly copied: number;
  readonly total: number;
}

export interface MigrationReport {
  readonly tables: ReadonlyArray<{ readonly table: string; readonly source: number; readonly target: number }>;
  readonly packages: { readonly source: number; readonly target: number };
  /**
   * The certificate signing key file: `copied` (or already there, the same key), `none` (no file: nothing was
   * signed yet), `differs` (the target holds another key: certificates signed with the file's would not verify).
   */
  readonly signingKey: 'copied' | 'none' | 'differs';
  readonly ok: boolean;
}

export interface MigrationOptions {
  /** The embedded store's file (DATA_DIR/cadet.sqlite). */
  readonly sqliteFile: string;
  /** Where the embedded store keeps package files (DATA_DIR/packages/<key>/…). */
  readonly packagesDirectory: string;
  readonly target: MongoContext;
  /** The target's package file store (GridFS). */
  readonly targetFiles: PackageFileStore;
  readonly batchSize?: number;
  readonly onProgress?: (progress: MigrationProgress) => void;
  /** The embedded store's certificate signing key file (DATA_DIR/certificate-signing-key.pem), when there is one. */
  readonly signingKeyFile?: string;
}

export async function migrateSqliteToMongo(options: MigrationOptions): Promise<MigrationReport> {
  const batchSize = options.batchSize ?? 1000;
  const source = new Database(options.sqliteFile, { readonly: true, fileMustExist: true });
  const checkpoints = options.target.collection<MigrationCheckpointDocument>(collectionNames.migrationCheckpoints);
  try {
    const present = new Set((source.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
    const tables: Array<{ table: string; source: number; target: number }> = [];
    for (const copy of tableCopies) {
      if (!present.has(copy.table)) continue;
      const total = (source.prepare(`SELECT count(*) AS n FROM ${copy.table}`).get() as { n: number }).n;
      const checkpoint = await checkpoints.findOne({ _id: copy.table });
      let lastKey = checkpoint?.lastKey ?? null;
      let copied = checkpoint?.copied ?? 0;
      if (!checkpoint?.done) {
        const first = source.prepare(batchQuery(copy, false));
        const next = source.prepare(batchQuery(copy, true));
        for (;;) {
          const rows = (lastKey === null ? first.all(batchSize) : next.all(...keyParameters(copy, lastKey), batchSize)) as Row[];
          if (rows.length === 0) break;
          const operations: AnyBulkWriteOperation<Document>[] = copy.toDocuments(rows, source).map((document) => ({
            replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true },
          }));
          await options.target.collection(copy.collection).bulkWrite(operations, { ordered: false });
          lastKey = checkpointKeyOf(copy, rows[rows.length - 1]);
          copied += rows.length;
          await checkpoints.updateOne({ _id: copy.table }, { $set: { lastKey, copied, done: false, updatedMs: Date.now() } }, { upsert: true });
          options.onProgress?.({ table: copy.table, copied, total });
        }
        if (copy.counter) {
          const { highest } = source.prepare(`SELECT COALESCE(MAX(${copy.counter.column}), 0) AS highest FROM ${copy.table}`).get() as { highest: number };
          const raise = raiseSequenceTo(highest);
          await options.target.collection<CounterDocument>(collectionNames.counters).updateOne({ _id: copy.counter.name }, raise.update, { upsert: true });
        }
        await checkpoints.updateOne({ _id: copy.table }, { $set: { lastKey, copied, done: true, updatedMs: Date.now() } }, { upsert: true });
      }
      options.onProgress?.({ table: copy.table, copied: total, total });
      tables.push({ table: copy.table, source: total, target: await options.target.collection(copy.collection).countDocuments({}) });
    }
    const packages = await copyPackageFiles(source, options);
    const signingKey = await copySigningKey(options);
    return { tables, packages, signingKey, ok: tables.every((t) => t.source === t.target) && packages.source === packages.target && signingKey !== 'differs' };
  } finally {
    source.close();
  }
}

/** The signing key file into `keys`, inserted if absent (a key already there is never replaced). */
async function copySigningKey(options: MigrationOptions): Promise<MigrationReport['signingKey']> {
  if (!options.signingKeyFile || !fs.existsSync(options.signingKeyFile)) return 'none';
  const document = map.signingKeyDocumentOf(fs.readFileSync(options.signingKeyFile, 'utf8'), Date.now());
  const keys = options.target.collection<KeyDocument>(collectionNames.keys);
  const { _id, ...fields } = document;
  await keys.updateOne({ _id }, { $setOnInsert: fields }, { upsert: true });
  const stored = await keys.findOne({ _id });
  return stored?.pem === document.pem ? 'copied' : 'differs';
}

/** Each course version's files, copied (never moved) into the target; a key already adopted is skipped. */
async function copyPackageFiles(source: Database.Database, options: MigrationOptions): Promise<{ source: number; target: number }> {
  const present = source.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'course_versions'").get();
  if (!present) return { source: 0, target: 0 };
  const keys = (source.prepare('SELECT DISTINCT files_key FROM course_versions ORDER BY files_key').all() as Array<{ files_key: string }>).map((r) => r.files_key);
  const adopted = options.target.collection<PackageKeyDocument>(collectionNames.packageKeys);
  let copied = 0;
  let index = 0;
  for (const key of keys) {
    index += 1;
    const directory = path.join(options.packagesDirectory, key);
    if (await adopted.findOne({ _id: key })) copied += 1;
    else if (fs.existsSync(directory)) {
      const temporary = path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'cadet-migrate-')), key);
      await fsp.cp(directory, temporary, { recursive: true });
      await options.targetFiles.adopt(key, temporary);
      await fsp.rm(path.dirname(temporary), { recursive: true, force: true });
      copied += 1;
    }
    options.onProgress?.({ table: 'package files', copied: index, total: keys.length });
  }
  const withFiles = keys.filter((key) => fs.existsSync(path.join(options.packagesDirectory, key))).length;
  return { source: withFiles, target: copied };
}

/** The whole command: connect, prepare the target (indexes), copy from DATA_DIR, close. */
export async function migrateDataDirToMongo(input: {
  readonly dataDir: string;
  readonly uri: string;
  readonly database?: string;
  readonly batchSize?: number;
  readonly onProgress?: (progress: MigrationProgress) => void;
}): Promise<MigrationReport & { readonly database: string; readonly hosts: string }> {
  const { connectMongo, createMongoContext, databaseNameOf, describeMongoUri } = await import('./database.js');
  const { createMongoStore } = await import('./index.js');
  const sqliteFile = path.join(input.dataDir, 'cadet.sqlite');
  if (!fs.existsSync(sqliteFile)) throw new Error(`there is no embedded store at ${sqliteFile} (set DATA_DIR or --data-dir)`);
  const client = await connectMongo({ uri: input.uri });
  const database = databaseNameOf(input.uri, input.database);
  try {
    const store = createMongoStore(client, database, { stagingDirectory: path.join(input.dataDir, 'staging') });
    await store.prepare();
    const report = await migrateSqliteToMongo({
      sqliteFile,
      packagesDirectory: path.join(input.dataDir, 'packages'),
      target: createMongoContext(client, database),
      targetFiles: store.packageFiles,
      signingKeyFile: path.join(input.dataDir, SIGNING_KEY_FILE),
      ...(input.batchSize !== undefined && { batchSize: input.batchSize }),
      ...(input.onProgress && { onProgress: input.onProgress }),
    });
    return { ...report, database, hosts: describeMongoUri(input.uri) };
  } finally {
    await client.close();
  }
}
