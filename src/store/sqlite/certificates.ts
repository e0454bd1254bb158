/**
 * Certificates on SQLite: the register, the per-course rules, and the issue check that runs in the transaction of
 * every statement write (`afterInsert`, composed after the progress projection's in `index.ts`).
 *
 * One transaction: `insertBatch` writes the statements, the progress projection folds them, then `afterInsert` here
 * reads the fresh progress of each registration the batch touched; when the course's rule is met and the
 * registration has no certificate, it writes the certificate row and then the issuer's `earned` statement through
 * the same `insertBatch`. That nested call runs the hooks again for the new statement: the progress projection
 * leaves it out (as `rebuild` does: it is no evidence of learning), and this check finds the row just written and
 * stops there, which is what ends the recursion. The issue runs in a savepoint: if it fails, the learner's statements are stored anyway
 * and the registration's next statement tries again.
 */
import { conflict } from '../../errors.js';
import { readOrCreateSigningKeyFile } from '../../records/certificates/certificate-signing.js';
import { certificateEarnedMs } from '../../records/certificates/completion-rule.js';
import type { ProgressAccumulator } from '../../records/progress-projection.js';
import type {
  AuditRecord,
  CertificateIssuer,
  CertificateRecord,
  CertificateRule,
  CertificateStore,
  CourseRecord,
  InsertOutcome,
  StatementRecord,
} from '../ports.js';
import type { Sqlite, WriteQueue } from './database.js';

interface CertificateRow {
  number: string;
  registration_id: string;
  user_id: string;
  course_id: string;
  learner_name: string;
  course_title: string;
  score: number | null;
  completed_ms: number;
  issued_ms: number;
  key_id: string;
  payload: string;
  signature: string;
  statement_id: string;
  revoked_ms: number | null;
  revoked_by: string | null;
  revocation_reason: string | null;
  revocation_payload: string | null;
  revocation_signature: string | null;
  revocation_statement_id: string | null;
}

const toCertificate = (row: CertificateRow): CertificateRecord => ({
  number: row.number,
  registrationId: row.registration_id,
  userId: row.user_id,
  courseId: row.course_id,
  learnerName: row.learner_name,
  courseTitle: row.course_title,
  score: row.score,
  completedMs: row.completed_ms,
  issuedMs: row.issued_ms,
  keyId: row.key_id,
  payload: row.payload,
  signature: row.signature,
  statementId: row.statement_id,
  revocation:
    row.revoked_ms === null
      ? null
      : {
          atMs: row.revoked_ms,
          byUserId: row.revoked_by ?? '',
          reason: row.revocation_reason ?? '',
          payload: row.revocation_payload ?? '',
          signature: row.revocation_signature ?? '',
          statementId: row.revocation_statement_id ?? '',
        },
});

export interface CertificateStoreDeps {
  /** The statement store's rules and hooks, inside the open transaction (`insertBatch`). */
  readonly insertStatements: (records: readonly StatementRecord[]) => InsertOutcome;
  readonly appendAudit: (record: AuditRecord) => void;
  /** Where the signing key file lives (`DATA_DIR`); `:memory:` keeps the key in memory for the store's lifetime. */
  readonly dataDir: string;
}

/** How many numbers to draw before giving up (a collision is one in billions). */
const MAX_DRAWS = 5;

export type SqliteCertificateStore = CertificateStore & {
  /** Issues the certificates the inserted statements earned, inside the caller's transaction. */
  readonly afterInsert: (records: readonly StatementRecord[]) => void;
};

export function createSqliteCertificateStore(db: Sqlite, writes: WriteQueue, deps: CertificateStoreDeps): SqliteCertificateStore {
  const sql = {
    byNumber: db.prepare('SELECT * FROM certificates WHERE number = ?'),
    byRegistration: db.prepare('SELECT * FROM certificates WHERE registration_id = ?'),
    hasCertificate: db.prepare('SELECT 1 FROM certificates WHERE registration_id = ?'),
    ofUser: db.prepare('SELECT * FROM certificates WHERE user_id = ? ORDER BY issued_ms, number'),
    progress: db.prepare('SELECT course_id, format, completed_ms, score, state FROM registration_progress WHERE registration_id = ?'),
    completion: db.prepare(`
      SELECT r.user_id, u.name AS learner_name, u.language, c.id AS course_id, c.slug, c.activity_id, c.title
      FROM registrations r JOIN users u ON u.id = r.user_id JOIN courses c ON c.id = r.course_id
      WHERE r.id = ?`),
    rule: db.prepare('SELECT rule FROM certificate_rules WHERE course_id = ?'),
    setRule: db.prepare('INSERT INTO certificate_rules (course_id, rule, updated_ms) VALUES (?, ?, ?) ON CONFLICT (course_id) DO UPDATE SET rule = excluded.rule, updated_ms = excluded.updated_ms'),
    clearRule: db.prepare('DELETE FROM certificate_rules WHERE course_id = ?'),
    insert: db.prepare(`
      INSERT INTO certificates (number, registration_id, user_id, course_id, learner_name, course_title, score, completed_ms, issued_ms,
        key_id, payload, signature, statement_id)
      VALUES (@number, @registrationId, @userId, @courseId, @learnerName, @courseTitle, @score, @completedMs, @issuedMs,
        @keyId, @payload, @signature, @statementId)
      ON CONFLICT DO NOTHING`),
    revoke: db.prepare(`
      UPDATE certificates SET revoked_ms = @atMs, revoked_by = @byUserId, revocation_reason = @reason, revocation_payload = @payload,
        revocation_signature = @signature, revocation_statement_id = @statementId
      WHERE number = @number AND revoked_ms IS NULL`),
  };
  let issuer: CertificateIssuer | null = null;
  let memoryKey: string | null = null;

  /** Whether the registration has met its course's rule, and when; null when not, or not a registration of the runtime. */
  function earnedMs(registrationId: string): { completedMs: number; score: number | null; format: CourseRecord['format'] } | null {
    const progress = sql.progress.get(registrationId) as
      | { course_id: string; format: CourseRecord['format']; completed_ms: number | null; score: number | null; state: string }
      | undefined;
    if (!progress) return null;
    const rule = ((sql.rule.get(progress.course_id) as { rule: CertificateRule } | undefined)?.rule ?? null);
    // Without a setting the rule is the projection's own, already summarised in `completed_ms`.
    const completedMs = rule === null ? progress.completed_ms : certificateEarnedMs(rule, progress.format, JSON.parse(progress.state) as ProgressAccumulator);
    return completedMs === null ? null : { completedMs, score: progress.score, format: progress.format };
  }

  function issue(active: CertificateIssuer, registrationId: string, earned: NonNullable<ReturnType<typeof earnedMs>>): void {
    const row = sql.completion.get(registrationId) as
      | { user_id: string; learner_name: string; language: string; course_id: string; slug: string; activity_id: string; title: string }
      | undefined;
    if (!row) return;
    const completion = {
      registrationId,
      userId: row.user_id,
      learnerName: row.learner_name,
      learnerLanguage: row.language,
      courseId: row.course_id,
      courseSlug: row.slug,
      courseActivityId: row.activity_id,
      courseTitle: JSON.parse(row.title) as Record<string, string>,
      format: earned.format,
      completedMs: earned.completedMs,
      score: earned.score,
    };
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const { certificate, statements } = active.issue(completion);
      const { revocation: _none, ...columns } = certificate;
      // Written before the statements, so the nested hook run sees the registration as served.
      if (sql.insert.run(columns).changes === 0) continue;
      deps.insertStatements(statements);
      return;
    }
    throw new Error(`no free certificate number after ${MAX_DRAWS} draws`);
  }

  function afterInsert(records: readonly StatementRecord[]): void {
    const active = issuer;
    if (!active) return;
    const registrations = new Set<string>();
    for (const record of records) if (record.registration !== null) registrations.add(record.registration);
    for (const registrationId of registrations) {
      if (sql.hasCertificate.get(registrationId)) continue;
      const earned = earnedMs(registrationId);
      if (!earned) continue;
      try {
        // A nested better-sqlite3 transaction is a savepoint inside the caller's.
        db.transaction(() => issue(active, registrationId, earned))();
      } catch (error) {
        active.failed?.(error, registrationId);
      }
    }
  }

  return {
    afterInsert,

    useIssuer(next) {
      issuer = next;
    },

    async get(number) {
      const row = sql.byNumber.get(number) as CertificateRow | undefined;
      return row ? toCertificate(row) : null;
    },

    async ofRegistration(registrationId) {
      const row = sql.byRegistration.get(registrationId) as CertificateRow | undefined;
      return row ? toCertificate(row) : null;
    },

    async ofUser(userId) {
      return (sql.ofUser.all(userId) as CertificateRow[]).map(toCertificate);
    },

    revoke({ number, revocation, statements, audit }) {
      return writes.run(() => {
        const row = sql.byNumber.get(number) as CertificateRow | undefined;
        if (!row) return null;
        if (sql.revoke.run({ number, ...revocation }).changes === 0) {
          throw conflict('certificate-revoked', `certificate ${number} is already revoked`, { parameter: 'number' });
        }
        deps.insertStatements(statements);
        deps.appendAudit(audit);
        return toCertificate(sql.byNumber.get(number) as CertificateRow);
      });
    },

    async rule(courseId) {
      return ((sql.rule.get(courseId) as { rule: CertificateRule } | undefined)?.rule ?? null);
    },

    setRule(courseId, rule, atMs) {
      return writes.run(() => {
        if (rule === null) sql.clearRule.run(courseId);
        else sql.setRule.run(courseId, rule, atMs);
      });
    },

    async signingKey(generate) {
      // The file of earlier versions stays where it was (DATA_DIR), so existing certificates keep verifying.
      if (deps.dataDir !== ':memory:') return readOrCreateSigningKeyFile(deps.dataDir, generate);
      memoryKey ??= generate();
      return memoryKey;
    },
  };
}
