/**
 * The analysts' reports on MongoDB: the pipelines of reports-queries.ts over the progress projection and the answers
 * projection (`report_answers`, `report_questions`), which this file keeps in the transaction of every statement
 * write (`afterInsert`), exactly as src/store/sqlite/reports.ts does (why a projection: see there).
 */
import type { ClientSession } from 'mongodb';
import { answerOf, ANSWER_VERBS, isAnswerVerb } from '../../records/reports/answer-projection.js';
import { mergeActivityDefinition } from '../activity-definitions.js';
import { completionCountsOf } from '../completion-counts.js';
import type { CompletionCountRecord, FunnelRecord, ReportsStore, ScoreBinRecord, StatementRecord, TimeSpentRecord } from '../ports.js';
import { inSession, type MongoContext } from './database.js';
import {
  collectionNames,
  type RegistrationDocument,
  type RegistrationProgressDocument,
  type ReportAnswerDocument,
  type ReportQuestionDocument,
  type ReportsMetaDocument,
  type StatementDocument,
} from './documents-model.js';
import {
  answerDocumentOf,
  assembleQuestionStats,
  completionOf,
  completionsPipeline,
  funnelOf,
  funnelPipeline,
  questionDefinitionsFilter,
  questionKeyOf,
  questionStatsPipeline,
  scoreBinOf,
  scoreBinsPipeline,
  timeSpentOf,
  timeSpentPipeline,
  wrongResponsesPipeline,
  type QuestionStatsRow,
  type WrongResponsesRow,
} from './reports-queries.js';

/** Statements read per step of a rebuild. */
const REBUILD_PAGE = 2000;
const REGISTRATION_CACHE_LIMIT = 10_000;
/** Reports tolerate a replica a few hundred milliseconds behind (README "Read preference"). */
const REPORT_READS = { readPreference: 'secondaryPreferred' } as const;

export type MongoReportsStore = ReportsStore & {
  /** Keeps the answers projection in step with freshly inserted statements, inside the caller's transaction. */
  readonly afterInsert: (records: readonly StatementRecord[], session: ClientSession) => Promise<void>;
  /** The rebuild inside the caller's transaction (`records.rebuild` runs both projections in one). */
  readonly rebuildWithin: (session: ClientSession) => Promise<{ answers: number }>;
  /** Builds the answers projection once on a store that never had it. */
  readonly buildIfNeverBuilt: () => Promise<void>;
};

type Owner = { readonly courseId: string; readonly userId: string };

export function createMongoReportsStore(context: MongoContext): MongoReportsStore {
  const answers = () => context.collection<ReportAnswerDocument>(collectionNames.reportAnswers);
  const questions = () => context.collection<ReportQuestionDocument>(collectionNames.reportQuestions);
  const statements = () => context.collection<StatementDocument>(collectionNames.statements);
  const registrations = () => context.collection<RegistrationDocument>(collectionNames.registrations);
  const meta = () => context.collection<ReportsMetaDocument>(collectionNames.reportsMeta);
  const owners = new Map<string, Owner>();

  async function ownerOf(registrationId: string, session: ClientSession): Promise<Owner | null> {
    const cached = owners.get(registrationId);
    if (cached) return cached;
    const found = await registrations().findOne({ _id: registrationId }, { session, projection: { courseId: 1, userId: 1 } });
    // An unknown registration may become known later (the runtime makes it after its statements): not cached.
    if (!found) return null;
    const owner = { courseId: found.courseId, userId: found.userId };
    if (owners.size >= REGISTRATION_CACHE_LIMIT) owners.clear();
    owners.set(registrationId, owner);
    return owner;
  }

  /** Projects one answer statement: its question's definition always, its row only when it is not voided. */
  async function project(seq: number, body: string, voided: boolean, registrationId: string, owner: Owner, session: ClientSession): Promise<boolean> {
    const answer = answerOf(body);
    if (!answer) return false;
    if (answer.definition) {
      // Merged as the LRS merges canonical definitions: a later answer without a description keeps the earlier one.
      const _id = questionKeyOf(owner.courseId, answer.questionId);
      const current = await questions().findOne({ _id }, { session });
      const merged = mergeActivityDefinition(current ? (JSON.parse(current.definition) as Record<string, unknown>) : null, answer.definition);
      await questions().replaceOne({ _id }, { courseId: owner.courseId, questionId: answer.questionId, definition: JSON.stringify(merged) }, { upsert: true, session });
    }
    if (voided) return false;
    const { _id, ...document } = answerDocumentOf(seq, answer, { registrationId, ...owner });
    await answers().replaceOne({ _id }, document, { upsert: true, session });
    return true;
  }

  async function afterInsert(records: readonly StatementRecord[], session: ClientSession): Promise<void> {
    for (const record of records) {
      // xAPI 1.0.3 §2.2.3: a voided answer no longer counts.
      if (record.isVoiding && record.refTarget) {
        const target = await statements().findOne({ _id: record.refTarget }, { session, projection: { seq: 1 } });
        if (target) await answers().deleteOne({ _id: target.seq }, { session });
      }
      if (record.registration === null || !isAnswerVerb(record.verbId)) continue;
      const owner = await ownerOf(record.registration, session);
      if (!owner) continue;
      const stored = await statements().findOne({ _id: record.id }, { session, projection: { seq: 1, voided: 1 } });
      if (stored) await project(stored.seq, record.body, stored.voided, record.registration, owner, session);
    }
  }

  async function rebuildWithin(session: ClientSession): Promise<{ answers: number }> {
    await answers().deleteMany({}, { session });
    await questions().deleteMany({}, { session });
    owners.clear();
    let count = 0;
    // The answer verbs' own statements (their verb key, which the keys index serves; `verbId` leaves out statements
    // that merely inherit the key), in stored order, so definitions merge as they did incrementally.
    const filter = { keys: { $in: ANSWER_VERBS.map((verb) => `verb|${verb}`) }, verbId: { $in: [...ANSWER_VERBS] }, registration: { $ne: null } };
    for (let after = 0; ; ) {
      const page = await statements()
        .find({ ...filter, seq: { $gt: after } }, { session, sort: { seq: 1 }, limit: REBUILD_PAGE, projection: { seq: 1, body: 1, voided: 1, registration: 1 } })
        .toArray();
      for (const doc of page) {
        const owner = doc.registration === null ? null : await ownerOf(doc.registration, session);
        if (owner && (await project(doc.seq, doc.body, doc.voided, doc.registration as string, owner, session))) count += 1;
      }
      if (page.length < REBUILD_PAGE) break;
      after = (page.at(-1) as StatementDocument).seq;
    }
    await meta().updateOne({ _id: 'built' }, { $set: { value: String(Date.now()) } }, { upsert: true, session });
    return { answers: count };
  }

  const progress = () => context.collection<RegistrationProgressDocument>(collectionNames.registrationProgress);

  return {
    afterInsert,
    rebuildWithin,

    async buildIfNeverBuilt() {
      await context.transaction(async (session) => {
        if (!(await meta().findOne({ _id: 'built' }, inSession(session)))) await rebuildWithin(session);
      });
    },

    async completions(filter) {
      if (filter.countries?.length === 0) return completionCountsOf([]);
      const rows = await progress().aggregate<CompletionCountRecord>(completionsPipeline(filter), REPORT_READS).toArray();
      // The finest grain from the server, summed here into the report's three groupings (ports.ts CompletionCounts).
      return completionCountsOf(rows.map(completionOf));
    },

    async scoreBins(filter) {
      if (filter.countries?.length === 0) return [];
      const rows = await progress().aggregate<ScoreBinRecord>(scoreBinsPipeline(filter), REPORT_READS).toArray();
      return rows.map(scoreBinOf);
    },

    async timeSpent(filter) {
      if (filter.countries?.length === 0) return [];
      const rows = await progress().aggregate<TimeSpentRecord>(timeSpentPipeline(filter), REPORT_READS).toArray();
      return rows.map(timeSpentOf);
    },

    async funnel(filter) {
      if (filter.countries?.length === 0) return [];
      const rows = await registrations().aggregate<FunnelRecord>(funnelPipeline(filter), REPORT_READS).toArray();
      return rows.map(funnelOf);
    },

    async questions(filter) {
      if (filter.countries?.length === 0) return [];
      const stats = await answers().aggregate<QuestionStatsRow>(questionStatsPipeline(filter), REPORT_READS).toArray();
      if (stats.length === 0) return [];
      const wrong = await answers().aggregate<WrongResponsesRow>(wrongResponsesPipeline(filter), REPORT_READS).toArray();
      const definitions = await questions().find(questionDefinitionsFilter(stats), REPORT_READS).toArray();
      return assembleQuestionStats(stats, wrong, definitions);
    },

    rebuild() {
      return context.transaction(rebuildWithin);
    },
  };
}
