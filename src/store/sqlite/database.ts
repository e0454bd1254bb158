import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrationsByScope } from './migrations/index.js';

export type Sqlite = Database.Database;

export interface SqliteOptions {
  /** SQLITE_SYNCHRONOUS: `full` (default) or `normal`. */
  readonly synchronous?: 'full' | 'normal';
  /** How often a warmed store applies the reports' change log unasked (default 60 s; tests shorten it). */
  readonly reportsCatchUpMs?: number;
}

/**
 * Opens (creating if needed) the database file, sets the pragmas and runs pending migrations.
 * WAL with `synchronous=FULL` (the default): a transaction acknowledged to a client is on disk (kill -9 and power
 * loss safe), and the cost of that fsync is shared by every request in a group commit (see `WriteQueue`); the
 * fsync blocks the event loop, which bounds single-statement writes. `normal`: commits are written to the WAL but
 * synced only at checkpoints — safe when the process dies, the last writes may be lost when the machine does.
 * Other processes (the `cadet` CLI) may open the same file while the server runs.
 */
export function openDatabase(file: string, options: SqliteOptions = {}): Sqlite {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  migrate(db);
  return db;
}

/** Applies every migration not yet recorded, each in its own transaction. Safe to run from several processes. */
function migrate(db: Sqlite): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (scope TEXT NOT NULL, version INTEGER NOT NULL, applied_ms INTEGER NOT NULL, PRIMARY KEY (scope, version))');
  const done = db.prepare('SELECT 1 FROM schema_migrations WHERE scope = ? AND version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (scope, version, applied_ms) VALUES (?, ?, ?)');
  for (const [scope, migrations] of Object.entries(migrationsByScope)) {
    for (const migration of migrations) {
      const apply = db.transaction(() => {
        if (done.get(scope, migration.version)) return;
        db.exec(migration.sql);
        record.run(scope, migration.version, Date.now());
      });
      apply.immediate();
    }
  }
}

interface PendingWrite {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The single writer. Writes queued during one event-loop turn run in one transaction, each inside its own
 * savepoint: a write that throws is rolled back alone and its caller gets the error, the others commit
 * together, so the fsync is paid once per turn instead of once per request.
 */
export class WriteQueue {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};

  constructor(private readonly db: Sqlite) {}

  /** Runs `work` (synchronous, using `db`) in the next group transaction; resolves after COMMIT. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        this.idle = new Promise((done) => (this.markIdle = done));
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves once every queued write has been committed or rejected, including writes queued meanwhile. */
  drained(): Promise<void> {
    return this.scheduled ? this.idle.then(() => this.drained()) : Promise.resolve();
  }

  private flush(): void {
    // A write queued while this batch runs schedules the next batch and its own idle promise: keep ours.
    const markIdle = this.markIdle;
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const item of batch) {
        this.db.exec('SAVEPOINT queued_write');
        try {
          const value = item.work();
          this.db.exec('RELEASE queued_write');
          outcomes.push({ ok: true, value });
        } catch (error) {
          this.db.exec('ROLLBACK TO queued_write');
          this.db.exec('RELEASE queued_write');
          outcomes.push({ ok: false, error });
        }
      }
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const item of batch) item.reject(error);
      markIdle();
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index];
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
    markIdle();
  }
}
