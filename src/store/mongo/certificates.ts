/**
 * Certificates on MongoDB: the register, the per-course rules, the shared signing key, and the issue check that
 * runs in the transaction of every statement write (`afterInsert`, after the projections', index.ts).
 *
 * As on SQLite (src/store/sqlite/certificates.ts): the statements are written, the progress projection folds them,
 * then this check reads the fresh progress of each registration the batch touched; when the course's rule is met and
 * the registration has no certificate, it writes the certificate and then the issuer's `earned` statement through
 * the statement store's `insertWithin`, in the same transaction. The nested write runs the hooks again; this check
 * then finds the certificate just written and stops, which ends the recursion.
 *
 * Two differences, both forced by MongoDB transactions, which have no savepoints and abort on any write error:
 * - the number is checked free (a read in the transaction) before the insert, rather than inserted and retried on
 *   a duplicate key; two transactions drawing the same number at once conflict on the `_id`, and the driver
 *   retries the loser's whole transaction (`withTransaction`), which then draws again. The unique `_id` and
 *   `registrationId` indexes are what guarantee uniqueness either way.
 * - an issuer that throws (it is pure and runs before any write) leaves the learner's statements stored and is told
 *   (`failed`), as on SQLite; a database error while writing the certificate fails the whole transaction, statements
 *   included, and the driver's retry or the client's starts it again.
 */
import type { ClientSession } from 'mongodb';
import { conflict } from '../../errors.js';
import { certificateEarnedMs } from '../../records/certificates/completion-rule.js';
import type { ProgressAccumulator } from '../../records/progress-projection.js';
import type { AuditRecord, CertificateCompletion, CertificateIssuer, CertificateRule, CertificateStore, StatementRecord } from '../ports.js';
import { isDuplicateKey, inSession, type MongoContext } from './database.js';
import {
  collectionNames,
  type CertificateDocument,
  type CertificateRuleDocument,
  type CourseDocument,
  type KeyDocument,
  type RegistrationDocument,
  type RegistrationProgressDocument,
  type UserDocument,
} from './documents-model.js';
import {
  CERTIFICATE_KEY_ID,
  certificateDocumentOf,
  certificatesOfUserPlan,
  keyInsertIfAbsent,
  revokeCertificate,
  ruleDocumentOf,
  toCertificateRecord,
} from './certificate-queries.js';

export interface MongoCertificateDeps {
  /** The statement store's rules and hooks inside the open transaction. */
  readonly insertStatements: (records: readonly StatementRecord[], session: ClientSession) => Promise<unknown>;
  readonly appendAudit: (record: AuditRecord, session: ClientSession) => Promise<void>;
  readonly now?: () => number;
}

/** How many numbers to draw before giving up (a collision is one in billions). */
const MAX_DRAWS = 5;

export type MongoCertificateStore = CertificateStore & {
  /** Issues the certificates the inserted statements earned, inside the caller's transaction. */
  readonly afterInsert: (records: readonly StatementRecord[], session: ClientSession) => Promise<void>;
};

export function createMongoCertificateStore(context: MongoContext, deps: MongoCertificateDeps): MongoCertificateStore {
  const certificates = () => context.collection<CertificateDocument>(collectionNames.certificates);
  const rules = () => context.collection<CertificateRuleDocument>(collectionNames.certificateRules);
  const keys = () => context.collection<KeyDocument>(collectionNames.keys);
  const now = deps.now ?? Date.now;
  let issuer: CertificateIssuer | null = null;

  async function ruleOf(courseId: string, session?: ClientSession): Promise<CertificateRule | null> {
    const found = await rules().findOne({ _id: courseId }, inSession(session));
    return (found?.rule as CertificateRule | undefined) ?? null;
  }

  /** Everything the issuer needs when the registration has met its course's rule; null when it has not. */
  async function completionOf(registrationId: string, session: ClientSession): Promise<CertificateCompletion | null> {
    const progress = await context
      .collection<RegistrationProgressDocument>(collectionNames.registrationProgress)
      .findOne({ _id: registrationId }, { session, projection: { courseId: 1, format: 1, completedMs: 1, score: 1, state: 1 } });
    if (!progress) return null;
    const rule = await ruleOf(progress.courseId, session);
    // Without a setting the rule is the projection's own, already summarised in `completedMs`.
    const completedMs = rule === null ? progress.completedMs : certificateEarnedMs(rule, progress.format, JSON.parse(progress.state) as ProgressAccumulator);
    if (completedMs === null) return null;
    const registration = await context.collection<RegistrationDocument>(collectionNames.registrations).findOne({ _id: registrationId }, { session });
    if (!registration) return null;
    const user = await context.collection<UserDocument>(collectionNames.users).findOne({ _id: registration.userId }, { session });
    const course = await context.collection<CourseDocument>(collectionNames.courses).findOne({ _id: registration.courseId }, { session });
    if (!user || !course) return null;
    return {
      registrationId,
      userId: registration.userId,
      learnerName: user.name,
      learnerLanguage: user.language,
      courseId: course._id,
      courseSlug: course.slug,
      courseActivityId: course.activityId,
      courseTitle: course.title,
      format: progress.format,
      completedMs,
      score: progress.score,
    };
  }

  async function afterInsert(records: readonly StatementRecord[], session: ClientSession): Promise<void> {
    const active = issuer;
    if (!active) return;
    const registrations = new Set<string>();
    for (const record of records) if (record.registration !== null) registrations.add(record.registration);
    for (const registrationId of registrations) {
      if (await certificates().findOne({ registrationId }, { session, projection: { _id: 1 } })) continue;
      const completion = await completionOf(registrationId, session);
      if (!completion) continue;
      let issued: ReturnType<CertificateIssuer['issue']> | null = null;
      try {
        for (let draw = 0; draw < MAX_DRAWS && issued === null; draw++) {
          const candidate = active.issue(completion);
          if (!(await certificates().findOne({ _id: candidate.certificate.number }, { session, projection: { _id: 1 } }))) issued = candidate;
        }
        if (issued === null) throw new Error(`no free certificate number after ${MAX_DRAWS} draws`);
      } catch (error) {
        // Nothing was written for the certificate: the learner's statements stand, the next one tries again.
        active.failed?.(error, registrationId);
        continue;
      }
      // Written before the statements, so the nested hook run sees the registration as served.
      await certificates().insertOne(certificateDocumentOf({ ...issued.certificate, revocation: null }), { session });
      await deps.insertStatements(issued.statements, session);
    }
  }

  return {
    afterInsert,

    useIssuer(next) {
      issuer = next;
    },

    async get(number) {
      const found = await certificates().findOne({ _id: number });
      return found ? toCertificateRecord(found) : null;
    },

    async ofRegistration(registrationId) {
      const found = await certificates().findOne({ registrationId });
      return found ? toCertificateRecord(found) : null;
    },

    async ofUser(userId) {
      const plan = certificatesOfUserPlan(userId);
      return (await certificates().find(plan.filter, { sort: plan.sort }).toArray()).map(toCertificateRecord);
    },

    revoke({ number, revocation, statements, audit }) {
      return context.transaction(async (session) => {
        const current = await certificates().findOne({ _id: number }, { session });
        if (!current) return null;
        const { filter, update } = revokeCertificate(number, revocation);
        const changed = await certificates().updateOne(filter, update, { session });
        if (changed.matchedCount === 0) throw conflict('certificate-revoked', `certificate ${number} is already revoked`, { parameter: 'number' });
        await deps.insertStatements(statements, session);
        await deps.appendAudit(audit, session);
        return toCertificateRecord((await certificates().findOne({ _id: number }, { session })) as CertificateDocument);
      });
    },

    rule: (courseId) => ruleOf(courseId),

    async setRule(courseId, rule, atMs) {
      if (rule === null) await rules().deleteOne({ _id: courseId });
      else await rules().replaceOne({ _id: courseId }, ruleDocumentOf(courseId, rule, atMs), { upsert: true });
    },

    async signingKey(generate) {
      const existing = await keys().findOne({ _id: CERTIFICATE_KEY_ID });
      if (existing) return existing.pem;
      const { filter, update, options } = keyInsertIfAbsent(CERTIFICATE_KEY_ID, generate(), now());
      try {
        await keys().updateOne(filter, update, options);
      } catch (error) {
        // Two processes inserting at once: the loser gets a duplicate key error; the winner's key stands.
        if (!isDuplicateKey(error)) throw error;
      }
      return ((await keys().findOne(filter)) as KeyDocument).pem;
    },
  };
}
