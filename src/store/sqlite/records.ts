/**
 * The records projections on SQLite: registration and unit progress, kept in the transaction of every statement
 * write through `afterInsert` (called by the statement store's `insertBatch`, which SCORM commits use too).
 *
 * The projection itself is the pure fold of `records/progress-projection.ts`, shared by every adapter: this file
 * decides only when it runs and where its rows go.
 *
 * Strategy (measured in the final report of issue 7): statements are folded incrementally into the stored
 * accumulator of their registration, so a commit costs one small read and write per registration whatever its
 * history; a registration is refolded from its remaining statements only when one of its statements is voided
 * (a fold cannot take a maximum, a minimum or a distinct count back) or when its stored accumulator no longer
 * fits its plan. Both paths fold in stored order, so they give the same bytes as `rebuild`.
 */
import {
  emptyAccumulator,
  fitsPlan,
  foldStatements,
  projectionPlan,
  summarizeProgress,
  type PlanInput,
  type ProgressAccumulator,
  type ProjectionPlan,
} from '../../records/progress-projection.js';
import type {
  CourseRecord,
  RecordsStore,
  RegistrationProgressRecord,
  RegistrationRecord,
  StatementRecord,
  UnitProgressRecord,
} from '../ports.js';
import type { Sqlite, WriteQueue } from './database.js';

interface ProgressRow {
  registration_id: string;
  user_id: string;
  course_id: string;
  version_id: string;
  format: CourseRecord['format'];
  status: RegistrationProgressRecord['status'];
  success: RegistrationProgressRecord['success'];
  score: number | null;
  time_spent_ms: number;
  first_access_ms: number | null;
  last_access_ms: number | null;
  completed_ms: number | null;
  statements: number;
  state: string;
}

interface UnitRow {
  registration_id: string;
  unit_id: string;
  position: number;
  activity_id: string;
  status: UnitProgressRecord['status'];
  success: UnitProgressRecord['success'];
  best_score: number | null;
  last_score: number | null;
  attempts: number;
  time_spent_ms: number;
  first_access_ms: number | null;
  last_access_ms: number | null;
  completed_ms: number | null;
}

interface RegistrationRow {
  id: string;
  user_id: string;
  course_id: string;
  version_id: string;
  created_ms: number;
  completed_ms: number | null;
}

const toUnit = (row: UnitRow): UnitProgressRecord => ({
  unitId: row.unit_id,
  position: row.position,
  activityId: row.activity_id,
  status: row.status,
  success: row.success,
  bestScore: row.best_score,
  lastScore: row.last_score,
  attempts: row.attempts,
  timeSpentMs: row.time_spent_ms,
  firstAccessMs: row.first_access_ms,
  lastAccessMs: row.last_access_ms,
  completedMs: row.completed_ms,
});

const toProgress = (row: ProgressRow, units: readonly UnitProgressRecord[]): RegistrationProgressRecord => ({
  registrationId: row.registration_id,
  userId: row.user_id,
  courseId: row.course_id,
  versionId: row.version_id,
  format: row.format,
  status: row.status,
  success: row.success,
  score: row.score,
  timeSpentMs: row.time_spent_ms,
  firstAccessMs: row.first_access_ms,
  lastAccessMs: row.last_access_ms,
  completedMs: row.completed_ms,
  statements: row.statements,
  units,
});

const toRegistration = (row: RegistrationRow): RegistrationRecord => ({
  id: row.id,
  userId: row.user_id,
  courseId: row.course_id,
  versionId: row.version_id,
  createdMs: row.created_ms,
  completedMs: row.completed_ms,
});

/** Plans are immutable (a registration keeps its version; a version never changes): cache, bounded. */
const PLAN_CACHE_LIMIT = 10_000;

export type SqliteRecordsStore = RecordsStore & {
  /** Folds freshly inserted statements into their registrations' projections, inside the caller's transaction. */
  readonly afterInsert: (records: readonly StatementRecord[]) => void;
};

export function createSqliteRecordsStore(db: Sqlite, writes: WriteQueue): SqliteRecordsStore {
  const sql = {
    planInput: db.prepare(`
      SELECT r.id, r.user_id, r.course_id, r.version_id, c.activity_id, v.model
      FROM registrations r JOIN courses c ON c.id = r.course_id JOIN course_versions v ON v.id = r.version_id
      WHERE r.id = ?`),
    statementById: db.prepare('SELECT registration, voided FROM statements WHERE id = ?'),
    // A registration's statements through its filter key (`registration|<uuid>`, lrs/statements/statement-keys.ts),
    // which the key index serves; inherited keys (statements targeting one of them) are left out by the last test.
    registrationStatements: db.prepare(`
      SELECT s.body, s.voided FROM statement_keys k CROSS JOIN statements s
      WHERE k.key = @key AND s.seq = k.seq AND s.registration = @registration ORDER BY k.seq`),
    state: db.prepare('SELECT state FROM registration_progress WHERE registration_id = ?'),
    upsertProgress: db.prepare(`
      INSERT INTO registration_progress (registration_id, user_id, course_id, version_id, format, status, success, score, time_spent_ms,
        first_access_ms, last_access_ms, completed_ms, statements, state)
      VALUES (@registrationId, @userId, @courseId, @versionId, @format, @status, @success, @score, @timeSpentMs,
        @firstAccessMs, @lastAccessMs, @completedMs, @statements, @state)
      ON CONFLICT (registration_id) DO UPDATE SET status = excluded.status, success = excluded.success, score = excluded.score,
        time_spent_ms = excluded.time_spent_ms, first_access_ms = excluded.first_access_ms, last_access_ms = excluded.last_access_ms,
        completed_ms = excluded.completed_ms, statements = excluded.statements, state = excluded.state`),
    upsertUnit: db.prepare(`
      INSERT INTO unit_progress (registration_id, unit_id, position, activity_id, status, success, best_score, last_score, attempts,
        time_spent_ms, first_access_ms, last_access_ms, completed_ms)
      VALUES (@registrationId, @unitId, @position, @activityId, @status, @success, @bestScore, @lastScore, @attempts,
        @timeSpentMs, @firstAccessMs, @lastAccessMs, @completedMs)
      ON CONFLICT (registration_id, unit_id) DO UPDATE SET position = excluded.position, activity_id = excluded.activity_id,
        status = excluded.status, success = excluded.success, best_score = excluded.best_score, last_score = excluded.last_score,
        attempts = excluded.attempts, time_spent_ms = excluded.time_spent_ms, first_access_ms = excluded.first_access_ms,
        last_access_ms = excluded.last_access_ms, completed_ms = excluded.completed_ms`),
    progress: db.prepare('SELECT * FROM registration_progress WHERE registration_id = ?'),
    units: db.prepare('SELECT * FROM unit_progress WHERE registration_id = ? ORDER BY position'),
    registrationsOf: db.prepare('SELECT id, user_id, course_id, version_id, created_ms, completed_ms FROM registrations WHERE user_id = ? ORDER BY created_ms, rowid'),
    allRegistrationIds: db.prepare('SELECT id FROM registrations ORDER BY created_ms, rowid'),
    allProgress: db.prepare('SELECT * FROM registration_progress ORDER BY registration_id'),
    clearProgress: db.prepare('DELETE FROM registration_progress'),
    clearUnits: db.prepare('DELETE FROM unit_progress'),
    meta: db.prepare('SELECT value FROM records_meta WHERE key = ?'),
    setMeta: db.prepare('INSERT INTO records_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
  };
  const plans = new Map<string, ProjectionPlan>();
  const models = new Map<string, PlanInput['model']>();

  /** The plan of a registration the runtime knows; null for any other registration (nobody's transcript). */
  function planOf(registrationId: string): ProjectionPlan | null {
    const cached = plans.get(registrationId);
    if (cached) return cached;
    const row = sql.planInput.get(registrationId) as
      | { id: string; user_id: string; course_id: string; version_id: string; activity_id: string; model: string }
      | undefined;
    if (!row) return null;
    let model = models.get(row.version_id);
    if (!model) {
      const parsed = JSON.parse(row.model) as PlanInput['model'];
      // Only what the plan reads, so the cache does not hold whole course models.
      model = { format: parsed.format, identifier: parsed.identifier, units: parsed.units.map((unit) => ({ identifier: unit.identifier })) };
      if (models.size >= PLAN_CACHE_LIMIT) models.clear();
      models.set(row.version_id, model);
    }
    const plan = projectionPlan({
      registration: { id: row.id, userId: row.user_id, courseId: row.course_id, versionId: row.version_id },
      course: { activityId: row.activity_id },
      model,
    });
    if (plans.size >= PLAN_CACHE_LIMIT) plans.clear();
    plans.set(registrationId, plan);
    return plan;
  }

  /** The registration's statements, in stored order: whether it has any, and the bodies of those not voided. */
  function statementsOf(registrationId: string): { any: boolean; bodies: string[] } {
    const rows = sql.registrationStatements.all({ key: `registration|${registrationId}`, registration: registrationId }) as Array<{ body: string; voided: number }>;
    return { any: rows.length > 0, bodies: rows.filter((row) => row.voided === 0).map((row) => row.body) };
  }

  /** Writes the rows; with the accumulator they replace, only the unit rows that changed (a commit touches one unit). */
  function save(plan: ProjectionPlan, accumulator: ProgressAccumulator, previous?: ProgressAccumulator): void {
    const { units, ...row } = summarizeProgress(plan, accumulator);
    const before = previous ? summarizeProgress(plan, previous).units : undefined;
    sql.upsertProgress.run({ ...row, state: JSON.stringify(accumulator) });
    units.forEach((unit, i) => {
      const old = before?.[i];
      if (old && JSON.stringify(old) === JSON.stringify(unit)) return;
      sql.upsertUnit.run({ registrationId: plan.registrationId, ...unit });
    });
  }

  function refold(plan: ProjectionPlan): number {
    const { any, bodies } = statementsOf(plan.registrationId);
    if (any) save(plan, foldStatements(plan, emptyAccumulator(plan), bodies));
    return bodies.length;
  }

  function afterInsert(records: readonly StatementRecord[]): void {
    // Per registration, in first-seen order: the new statements to fold, or a refold when one of its statements was voided.
    const touched = new Map<string, { refold: boolean; bodies: string[] }>();
    const entry = (registration: string) => {
      let found = touched.get(registration);
      if (!found) touched.set(registration, (found = { refold: false, bodies: [] }));
      return found;
    };
    for (const record of records) {
      if (record.isVoiding && record.refTarget) {
        const target = sql.statementById.get(record.refTarget) as { registration: string | null; voided: number } | undefined;
        if (target?.registration) entry(target.registration).refold = true;
      }
      if (record.registration === null) continue;
      const stored = sql.statementById.get(record.id) as { voided: number } | undefined;
      // A statement whose voiding statement arrived first is stored voided (xAPI 1.0.3 §2.2.3): never folded.
      if (stored?.voided === 1) entry(record.registration);
      else entry(record.registration).bodies.push(record.body);
    }
    for (const [registration, change] of touched) {
      const plan = planOf(registration);
      if (!plan) continue;
      // No stored accumulator yet: fold everything the registration has (its first statements, or statements
      // stored before the runtime knew the registration), so nothing depends on arrival order.
      const state = change.refold ? undefined : (sql.state.get(registration) as { state: string } | undefined);
      const current = state ? (JSON.parse(state.state) as ProgressAccumulator) : null;
      if (current === null || !fitsPlan(plan, current)) refold(plan);
      else save(plan, foldStatements(plan, current, change.bodies), current);
    }
  }

  function readProgress(registrationId: string): RegistrationProgressRecord | null {
    const row = sql.progress.get(registrationId) as ProgressRow | undefined;
    return row ? toProgress(row, (sql.units.all(registrationId) as UnitRow[]).map(toUnit)) : null;
  }

  function rebuildNow(): { registrations: number; statements: number } {
    sql.clearUnits.run();
    sql.clearProgress.run();
    plans.clear();
    let registrations = 0;
    let statements = 0;
    for (const { id } of sql.allRegistrationIds.all() as Array<{ id: string }>) {
      const plan = planOf(id);
      if (!plan) continue;
      const folded = refold(plan);
      if (sql.progress.get(id)) registrations += 1;
      statements += folded;
    }
    sql.setMeta.run('built', String(Date.now()));
    return { registrations, statements };
  }

  // A store opened for the first time with these tables (a new one, or one upgraded with statements already in
  // it) builds the projections once, so they never silently lack earlier statements.
  db.transaction(() => {
    if (!sql.meta.get('built')) rebuildNow();
  }).immediate();

  return {
    afterInsert,

    async progress(registrationId) {
      return readProgress(registrationId);
    },

    async registrationsOf(userId) {
      return (sql.registrationsOf.all(userId) as RegistrationRow[]).map((row) => ({ registration: toRegistration(row), progress: readProgress(row.id) }));
    },

    async courseProgress(courseId, filter = {}) {
      const countries = filter.countries;
      if (countries !== undefined && countries.length === 0) return [];
      const where = countries === undefined ? '' : `AND u.country IN (${countries.map(() => '?').join(', ')})`;
      const rows = db
        .prepare(
          `SELECT p.* FROM registration_progress p JOIN registrations r ON r.id = p.registration_id JOIN users u ON u.id = p.user_id
           WHERE p.course_id = ? ${where} ORDER BY r.created_ms, r.rowid`,
        )
        .all(courseId, ...(countries ?? [])) as ProgressRow[];
      return rows.map((row) => toProgress(row, (sql.units.all(row.registration_id) as UnitRow[]).map(toUnit)));
    },

    rebuild() {
      return writes.run(rebuildNow);
    },

    async snapshot() {
      return (sql.allProgress.all() as ProgressRow[]).map((row) => ({
        progress: toProgress(row, (sql.units.all(row.registration_id) as UnitRow[]).map(toUnit)),
        state: row.state,
      }));
    },
  };
}
