/**
 * The records projections on MongoDB, kept in the transaction of every statement write (`afterInsert`, called
 * by the statement store's `insertWithin`, which runtime commits use too). Same strategy as SQLite's adapter
 * (src/store/sqlite/records.ts): fold new statements into the stored accumulator; refold a registration from
 * its statements when one of them is voided or the accumulator no longer fits its plan.
 */
import type { ClientSession } from 'mongodb';
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
import type { RecordsStore, RegistrationRecord, StatementRecord } from '../ports.js';
import { inSession, type MongoContext } from './database.js';
import {
  collectionNames,
  type CourseDocument,
  type CourseVersionDocument,
  type RecordsMetaDocument,
  type RegistrationDocument,
  type RegistrationProgressDocument,
  type StatementDocument,
} from './documents-model.js';
import { courseProgressPipeline, progressDocumentOf, registrationStatementsPlan, toProgressRecord } from './records-queries.js';

const PLAN_CACHE_LIMIT = 10_000;

export type MongoRecordsStore = RecordsStore & {
  readonly afterInsert: (records: readonly StatementRecord[], session: ClientSession) => Promise<void>;
  /** Builds the projections once on a store that never had them (first start, or after a migration). */
  readonly buildIfNeverBuilt: () => Promise<void>;
  /** The rebuild inside the caller's transaction (index.ts runs it with the answers projection's, in one). */
  readonly rebuildWithin: (session: ClientSession) => Promise<{ registrations: number; statements: number }>;
};

const registrationOf = (doc: RegistrationDocument): RegistrationRecord => ({
  id: doc._id,
  userId: doc.userId,
  courseId: doc.courseId,
  versionId: doc.versionId,
  createdMs: doc.createdMs,
  completedMs: doc.completedMs,
});

export function createMongoRecordsStore(context: MongoContext): MongoRecordsStore {
  const progress = () => context.collection<RegistrationProgressDocument>(collectionNames.registrationProgress);
  const statements = () => context.collection<StatementDocument>(collectionNames.statements);
  const registrations = () => context.collection<RegistrationDocument>(collectionNames.registrations);
  const meta = () => context.collection<RecordsMetaDocument>(collectionNames.recordsMeta);
  const plans = new Map<string, ProjectionPlan>();
  const models = new Map<string, PlanInput['model']>();

  async function planOf(registrationId: string, session?: ClientSession): Promise<ProjectionPlan | null> {
    const cached = plans.get(registrationId);
    if (cached) return cached;
    const registration = await registrations().findOne({ _id: registrationId }, inSession(session));
    if (!registration) return null;
    const course = await context.collection<CourseDocument>(collectionNames.courses).findOne({ _id: registration.courseId }, inSession(session));
    let model = models.get(registration.versionId);
    if (!model) {
      const version = await context.collection<CourseVersionDocument>(collectionNames.courseVersions).findOne({ _id: registration.versionId }, inSession(session));
      if (!version) return null;
      const parsed = JSON.parse(version.model) as PlanInput['model'];
      model = { format: parsed.format, identifier: parsed.identifier, units: parsed.units.map((unit) => ({ identifier: unit.identifier })) };
      if (models.size >= PLAN_CACHE_LIMIT) models.clear();
      models.set(registration.versionId, model);
    }
    if (!course) return null;
    const plan = projectionPlan({
      registration: { id: registration._id, userId: registration.userId, courseId: registration.courseId, versionId: registration.versionId },
      course: { activityId: course.activityId },
      model,
    });
    if (plans.size >= PLAN_CACHE_LIMIT) plans.clear();
    plans.set(registrationId, plan);
    return plan;
  }

  async function statementsOf(registrationId: string, session?: ClientSession) {
    const plan = registrationStatementsPlan(registrationId);
    const found = await statements().find(plan.filter, { ...inSession(session), sort: plan.sort, projection: plan.projection }).toArray();
    return { any: found.length > 0, bodies: found.filter((doc) => !doc.voided).map((doc) => doc.body) };
  }

  async function save(plan: ProjectionPlan, accumulator: ProgressAccumulator, session?: ClientSession): Promise<void> {
    const document = progressDocumentOf(summarizeProgress(plan, accumulator), JSON.stringify(accumulator));
    await progress().replaceOne({ _id: document._id }, document, { upsert: true, ...inSession(session) });
  }

  async function refold(plan: ProjectionPlan, session?: ClientSession): Promise<number> {
    const { any, bodies } = await statementsOf(plan.registrationId, session);
    if (any) await save(plan, foldStatements(plan, emptyAccumulator(plan), bodies), session);
    return bodies.length;
  }

  async function afterInsert(records: readonly StatementRecord[], session: ClientSession): Promise<void> {
    const touched = new Map<string, { refold: boolean; bodies: string[] }>();
    const entry = (registration: string) => {
      let found = touched.get(registration);
      if (!found) touched.set(registration, (found = { refold: false, bodies: [] }));
      return found;
    };
    for (const record of records) {
      if (record.isVoiding && record.refTarget) {
        const target = await statements().findOne({ _id: record.refTarget }, { session, projection: { registration: 1 } });
        if (target?.registration) entry(target.registration).refold = true;
      }
      if (record.registration === null) continue;
      const stored = await statements().findOne({ _id: record.id }, { session, projection: { voided: 1 } });
      // A statement whose voiding statement arrived first is stored voided (xAPI 1.0.3 §2.2.3): never folded.
      if (stored?.voided) entry(record.registration);
      else entry(record.registration).bodies.push(record.body);
    }
    for (const [registration, change] of touched) {
      const plan = await planOf(registration, session);
      if (!plan) continue;
      const stored = change.refold ? null : await progress().findOne({ _id: registration }, { session, projection: { state: 1 } });
      const current = stored ? (JSON.parse(stored.state) as ProgressAccumulator) : null;
      if (current === null || !fitsPlan(plan, current)) await refold(plan, session);
      else await save(plan, foldStatements(plan, current, change.bodies), session);
    }
  }

  async function readProgress(registrationId: string) {
    const found = await progress().findOne({ _id: registrationId });
    return found ? toProgressRecord(found) : null;
  }

  async function rebuildWithin(session: ClientSession) {
    await progress().deleteMany({}, { session });
    plans.clear();
    let registrationCount = 0;
    let statementCount = 0;
    const all = await registrations().find({}, { session, sort: { createdMs: 1, seq: 1 }, projection: { _id: 1 } }).toArray();
    for (const { _id } of all) {
      const plan = await planOf(_id, session);
      if (!plan) continue;
      const folded = await refold(plan, session);
      if (await progress().findOne({ _id }, { session, projection: { _id: 1 } })) registrationCount += 1;
      statementCount += folded;
    }
    await meta().updateOne({ _id: 'built' }, { $set: { value: String(Date.now()) } }, { upsert: true, session });
    return { registrations: registrationCount, statements: statementCount };
  }

  return {
    afterInsert,
    rebuildWithin,
    async buildIfNeverBuilt() {
      await context.transaction(async (session) => {
        if (!(await meta().findOne({ _id: 'built' }, { session }))) await rebuildWithin(session);
      });
    },
    progress: readProgress,
    async registrationsOf(userId) {
      const found = await registrations().find({ userId }, { sort: { createdMs: 1, seq: 1 } }).toArray();
      const out = [];
      for (const doc of found) out.push({ registration: registrationOf(doc), progress: await readProgress(doc._id) });
      return out;
    },
    async courseProgress(courseId, filter = {}) {
      if (filter.countries !== undefined && filter.countries.length === 0) return [];
      const found = await progress()
        .aggregate<RegistrationProgressDocument>(courseProgressPipeline(courseId, filter.countries), { readPreference: 'secondaryPreferred' })
        .toArray();
      return found.map(toProgressRecord);
    },
    rebuild() {
      return context.transaction(rebuildWithin);
    },
    async snapshot() {
      const found = await progress().find({}, { sort: { _id: 1 } }).toArray();
      return found.map((doc) => ({ progress: toProgressRecord(doc), state: doc.state }));
    },
  };
}
