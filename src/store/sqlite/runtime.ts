import type { AttemptRecord, DocumentKey, InsertOutcome, RegistrationRecord, RuntimeStore, StatementRecord, StoredDocument } from '../ports.js';
import type { Sqlite, WriteQueue } from './database.js';

interface RegistrationRow {
  id: string;
  user_id: string;
  course_id: string;
  version_id: string;
  created_ms: number;
  completed_ms: number | null;
  state: string | null;
}

interface AttemptRow {
  id: string;
  registration_id: string;
  unit_id: string;
  number: number;
  state: string | null;
  commit_sequence: number;
  ended_ms: number | null;
  created_ms: number;
  updated_ms: number;
}

const toRegistration = (row: RegistrationRow): RegistrationRecord => ({
  id: row.id,
  userId: row.user_id,
  courseId: row.course_id,
  versionId: row.version_id,
  createdMs: row.created_ms,
  completedMs: row.completed_ms,
  state: row.state === null ? null : JSON.parse(row.state),
});

const toAttempt = (row: AttemptRow): AttemptRecord => ({
  id: row.id,
  registrationId: row.registration_id,
  unitId: row.unit_id,
  number: row.number,
  state: row.state === null ? null : JSON.parse(row.state),
  commitSequence: row.commit_sequence,
  endedMs: row.ended_ms,
  createdMs: row.created_ms,
  updatedMs: row.updated_ms,
});

export interface RuntimeStoreDeps {
  /** The statement store's rules, run inside the commit's transaction. */
  readonly insertStatements: (records: readonly StatementRecord[]) => InsertOutcome;
  readonly putDocument: (key: DocumentKey, document: StoredDocument) => void;
}

export function createSqliteRuntimeStore(db: Sqlite, writes: WriteQueue, deps: RuntimeStoreDeps): RuntimeStore {
  const sql = {
    latestRegistration: db.prepare('SELECT * FROM registrations WHERE user_id = ? AND course_id = ? ORDER BY created_ms DESC, rowid DESC LIMIT 1'),
    registration: db.prepare('SELECT * FROM registrations WHERE id = ?'),
    addRegistration: db.prepare('INSERT INTO registrations (id, user_id, course_id, version_id, created_ms, completed_ms, state) VALUES (@id, @userId, @courseId, @versionId, @createdMs, @completedMs, NULL)'),
    registrationState: db.prepare('UPDATE registrations SET state = ? WHERE id = ?'),
    complete: db.prepare('UPDATE registrations SET completed_ms = ? WHERE id = ? AND completed_ms IS NULL'),
    latestAttempt: db.prepare('SELECT * FROM attempts WHERE registration_id = ? AND unit_id = ? ORDER BY number DESC LIMIT 1'),
    attempt: db.prepare('SELECT * FROM attempts WHERE id = ?'),
    attempts: db.prepare('SELECT * FROM attempts WHERE registration_id = ? ORDER BY unit_id, number'),
    lastNumber: db.prepare('SELECT COALESCE(MAX(number), 0) AS n FROM attempts WHERE registration_id = ? AND unit_id = ?'),
    addAttempt: db.prepare(
      'INSERT INTO attempts (id, registration_id, unit_id, number, state, commit_sequence, ended_ms, created_ms, updated_ms) VALUES (?, ?, ?, ?, NULL, 0, NULL, ?, ?)',
    ),
    commit: db.prepare('UPDATE attempts SET state = ?, commit_sequence = ?, ended_ms = ?, updated_ms = ? WHERE id = ? AND commit_sequence < ?'),
  };
  return {
    async latestRegistration(userId, courseId) {
      const row = sql.latestRegistration.get(userId, courseId) as RegistrationRow | undefined;
      return row ? toRegistration(row) : null;
    },
    async registration(id) {
      const row = sql.registration.get(id) as RegistrationRow | undefined;
      return row ? toRegistration(row) : null;
    },
    addRegistration(record) {
      return writes.run(() => {
        const { id, userId, courseId, versionId, createdMs, completedMs } = record;
        sql.addRegistration.run({ id, userId, courseId, versionId, createdMs, completedMs });
      });
    },
    markRegistrationCompleted(id, atMs) {
      return writes.run(() => {
        sql.complete.run(atMs, id);
      });
    },
    async latestAttempt(registrationId, unitId) {
      const row = sql.latestAttempt.get(registrationId, unitId) as AttemptRow | undefined;
      return row ? toAttempt(row) : null;
    },
    async attempt(id) {
      const row = sql.attempt.get(id) as AttemptRow | undefined;
      return row ? toAttempt(row) : null;
    },
    async attempts(registrationId) {
      return (sql.attempts.all(registrationId) as AttemptRow[]).map(toAttempt);
    },
    addAttempt({ id, registrationId, unitId, atMs }) {
      return writes.run(() => {
        const number = (sql.lastNumber.get(registrationId, unitId) as { n: number }).n + 1;
        sql.addAttempt.run(id, registrationId, unitId, number, atMs, atMs);
        return toAttempt(sql.attempt.get(id) as AttemptRow);
      });
    },
    applyCommit(commit) {
      return writes.run(() => {
        const previous = sql.attempt.get(commit.attemptId) as AttemptRow | undefined;
        if (!previous) throw new Error(`attempt ${commit.attemptId} does not exist`);
        if (commit.sequence <= previous.commit_sequence) return { applied: false, previous: toAttempt(previous) };
        deps.insertStatements(commit.statements);
        for (const { key, document } of commit.documents) deps.putDocument(key, document);
        if (commit.registrationState !== undefined) sql.registrationState.run(JSON.stringify(commit.registrationState), previous.registration_id);
        sql.commit.run(JSON.stringify(commit.state), commit.sequence, commit.ended ? commit.atMs : previous.ended_ms, commit.atMs, commit.attemptId, commit.sequence);
        return { applied: true, previous: toAttempt(previous) };
      });
    },
  };
}
