/**
 * The analysts' reports as pure aggregation pipelines, one per `ReportsStore` method, each the counterpart of one
 * SQL query of src/store/sqlite/reports.ts (same filter, same grouping, same order), so both adapters give the same
 * numbers; `test/store/mongo/reports-queries.test.ts` runs them with mingo over a seeded store and compares.
 *
 * Every report joins the learner (`users`) for country and agency, as SQLite's `JOIN users`: a row whose learner
 * is unknown is in no report. Reports are read with `readPreference: secondaryPreferred` (README "Read preference").
 */
import type { Answer } from '../../records/reports/answer-projection.js';
import type { CompletionCountRecord, FunnelRecord, QuestionStatsRecord, ReportFilter, ScoreBinRecord, TimeSpentRecord } from '../ports.js';
import { collectionNames, type ReportAnswerDocument, type ReportQuestionDocument } from './documents-model.js';

type Stage = Record<string, unknown>;

/** The `_id` of a question's definition document: one string, so an upsert addresses exactly one document. */
export const questionKeyOf = (courseId: string, questionId: string) => JSON.stringify([courseId, questionId]);

/** The date range on one field: inclusive lower bound, exclusive upper bound (as `ReportFilter` says). */
function range(filter: ReportFilter): Record<string, number> | null {
  if (filter.fromMs === undefined && filter.toMs === undefined) return null;
  return { ...(filter.fromMs !== undefined && { $gte: filter.fromMs }), ...(filter.toMs !== undefined && { $lt: filter.toMs }) };
}

/**
 * `$match` on the collection's own fields: the course, and the date range when `time` names one of them (null: the
 * range applies to a joined field instead).
 */
function own(filter: ReportFilter, fields: { course: string; time: string | null }, extra: Record<string, unknown> = {}): Stage {
  const match: Record<string, unknown> = { ...extra };
  if (filter.courseId !== undefined) match[fields.course] = filter.courseId;
  const times = fields.time === null ? null : range(filter);
  if (fields.time !== null && times) match[fields.time] = { ...((match[fields.time] as object | undefined) ?? {}), ...times };
  return { $match: match };
}

/** Joins the learner as `learner` (dropping rows without one) and narrows by country and agency. */
function learner(filter: ReportFilter, localField: string): Stage[] {
  const match: Record<string, unknown> = {};
  if (filter.countries !== undefined) match['learner.country'] = { $in: [...filter.countries] };
  if (filter.agency !== undefined) match['learner.agency'] = filter.agency;
  return [
    { $lookup: { from: collectionNames.users, localField, foreignField: '_id', as: 'learner' } },
    { $unwind: '$learner' },
    ...(Object.keys(match).length > 0 ? [{ $match: match }] : []),
  ];
}

/** Joins the registration as `registration` (for its enrolment date) and applies the date range to it. */
function enrolledIn(filter: ReportFilter): Stage[] {
  const times = range(filter);
  return [
    { $lookup: { from: collectionNames.registrations, localField: '_id', foreignField: '_id', as: 'registration' } },
    { $unwind: '$registration' },
    ...(times ? [{ $match: { 'registration.createdMs': times } }] : []),
  ];
}

const countIf = (condition: unknown) => ({ $sum: { $cond: [condition, 1, 0] } });
/** True when the field holds a value (neither null nor missing), as SQL's `COUNT(column)` counts. */
const isSet = (field: string) => ({ $ne: [{ $ifNull: [field, null] }, null] });

/**
 * `completions` over `registration_progress`: completed registrations by course, month of completion (UTC),
 * country and agency.
 */
export function completionsPipeline(filter: ReportFilter): Stage[] {
  return [
    own(filter, { course: 'courseId', time: 'completedMs' }, { completedMs: { $ne: null } }),
    ...learner(filter, 'userId'),
    {
      $group: {
        _id: {
          courseId: '$courseId',
          // UTC, the server's default for `$dateToString` (SQLite: strftime over 'unixepoch').
          month: { $dateToString: { format: '%Y-%m', date: { $toDate: '$completedMs' } } },
          country: '$learner.country',
          agency: '$learner.agency',
        },
        completed: { $sum: 1 },
        passed: countIf({ $eq: ['$success', 'passed'] }),
      },
    },
    { $sort: { '_id.courseId': 1, '_id.month': 1, '_id.country': 1, '_id.agency': 1 } },
    { $project: { _id: 0, courseId: '$_id.courseId', month: '$_id.month', country: '$_id.country', agency: '$_id.agency', completed: 1, passed: 1 } },
  ];
}

/**
 * `scoreBins` over `registration_progress`: each learner's best score in a course (registrations enrolled in the
 * range), binned by tenths: below 0 → -1, 1 → 9, else floor(best × 10) (SQLite: `CAST(best * 10 AS INTEGER)`).
 */
export function scoreBinsPipeline(filter: ReportFilter): Stage[] {
  return [
    own(filter, { course: 'courseId', time: null }, { score: { $ne: null } }),
    ...enrolledIn(filter),
    ...learner(filter, 'userId'),
    { $group: { _id: { courseId: '$courseId', userId: '$userId' }, best: { $max: '$score' } } },
    {
      $group: {
        _id: {
          courseId: '$_id.courseId',
          bin: { $cond: [{ $lt: ['$best', 0] }, -1, { $cond: [{ $gte: ['$best', 1] }, 9, { $floor: { $multiply: ['$best', 10] } }] }] },
        },
        learners: { $sum: 1 },
      },
    },
    { $sort: { '_id.courseId': 1, '_id.bin': 1 } },
    { $project: { _id: 0, courseId: '$_id.courseId', bin: '$_id.bin', learners: 1 } },
  ];
}

/**
 * `timeSpent` over `registration_progress`: per course, the registrations (enrolled in the range) that recorded
 * time, their total, and the nearest-rank median (the ceil(n/2)-th) and 90th percentile (the ceil(0.9 n)-th,
 * SQLite's `(9 n + 9) / 10` in integer division). Ranked with `$setWindowFields` (MongoDB 5.0), as SQLite's
 * `ROW_NUMBER() OVER (PARTITION BY course ORDER BY time)`, so no order inside `$group` is relied on.
 */
export function timeSpentPipeline(filter: ReportFilter): Stage[] {
  const rank = (numerator: unknown, denominator: number) => ({ $floor: { $divide: [numerator, denominator] } });
  const atRank = (position: unknown) => ({ $max: { $cond: [{ $eq: ['$rank', position] }, '$timeSpentMs', null] } });
  return [
    own(filter, { course: 'courseId', time: null }, { timeSpentMs: { $gt: 0 } }),
    ...enrolledIn(filter),
    ...learner(filter, 'userId'),
    {
      $setWindowFields: {
        partitionBy: '$courseId',
        sortBy: { timeSpentMs: 1 },
        output: { rank: { $documentNumber: {} }, n: { $count: {}, window: { documents: ['unbounded', 'unbounded'] } } },
      },
    },
    {
      $group: {
        _id: '$courseId',
        registrations: { $sum: 1 },
        totalMs: { $sum: '$timeSpentMs' },
        medianMs: atRank(rank({ $add: ['$n', 1] }, 2)),
        p90Ms: atRank(rank({ $add: [{ $multiply: ['$n', 9] }, 9] }, 10)),
      },
    },
    { $sort: { _id: 1 } },
    { $project: { _id: 0, courseId: '$_id', registrations: 1, totalMs: 1, medianMs: 1, p90Ms: 1 } },
  ];
}

/**
 * `funnel` over `registrations` (enrolled in the range), with their progress when they have one (SQLite's
 * `LEFT JOIN registration_progress`): enrolled, started (any statement), completed, passed.
 */
export function funnelPipeline(filter: ReportFilter): Stage[] {
  return [
    own(filter, { course: 'courseId', time: 'createdMs' }),
    ...learner(filter, 'userId'),
    { $lookup: { from: collectionNames.registrationProgress, localField: '_id', foreignField: '_id', as: 'progress' } },
    { $unwind: { path: '$progress', preserveNullAndEmptyArrays: true } },
    {
      $group: {
        _id: '$courseId',
        enrolled: { $sum: 1 },
        started: countIf(isSet('$progress.firstAccessMs')),
        completed: countIf(isSet('$progress.completedMs')),
        passed: countIf({ $eq: ['$progress.success', 'passed'] }),
      },
    },
    { $sort: { _id: 1 } },
    { $project: { _id: 0, courseId: '$_id', enrolled: 1, started: 1, completed: 1, passed: 1 } },
  ];
}

/** `questions` over `report_answers` (answered in the range): one row per course and question, definition apart. */
export function questionStatsPipeline(filter: ReportFilter): Stage[] {
  return [
    own(filter, { course: 'courseId', time: 'atMs' }),
    ...learner(filter, 'userId'),
    {
      $group: {
        _id: { courseId: '$courseId', questionId: '$questionId' },
        answers: { $sum: 1 },
        learnerIds: { $addToSet: '$userId' },
        judged: countIf(isSet('$success')),
        correct: countIf({ $eq: ['$success', true] }),
        timed: countIf(isSet('$latencyMs')),
        // `$sum` skips nulls and gives 0 for none, as SQLite's `COALESCE(SUM(latency_ms), 0)`.
        latencyTotalMs: { $sum: '$latencyMs' },
      },
    },
    { $sort: { '_id.courseId': 1, '_id.questionId': 1 } },
    {
      $project: {
        _id: 0,
        courseId: '$_id.courseId',
        questionId: '$_id.questionId',
        answers: 1,
        learners: { $size: '$learnerIds' },
        judged: 1,
        correct: 1,
        timed: 1,
        latencyTotalMs: 1,
      },
    },
  ];
}

/**
 * The three responses most often given among incorrect answers of each question, most frequent first, ties by
 * response: ranked with `$setWindowFields` (as SQLite's `ROW_NUMBER() OVER (… ORDER BY COUNT(*) DESC, response)`),
 * the three first kept; `assembleQuestionStats` puts them in that order again (`$push` promises none).
 */
export function wrongResponsesPipeline(filter: ReportFilter): Stage[] {
  return [
    own(filter, { course: 'courseId', time: 'atMs' }, { success: false, response: { $ne: null } }),
    ...learner(filter, 'userId'),
    { $group: { _id: { courseId: '$courseId', questionId: '$questionId', response: '$response' }, count: { $sum: 1 } } },
    {
      $setWindowFields: {
        partitionBy: { courseId: '$_id.courseId', questionId: '$_id.questionId' },
        sortBy: { count: -1, '_id.response': 1 },
        output: { rank: { $documentNumber: {} } },
      },
    },
    { $match: { rank: { $lte: 3 } } },
    { $group: { _id: { courseId: '$_id.courseId', questionId: '$_id.questionId' }, responses: { $push: { response: '$_id.response', count: '$count' } } } },
    { $project: { _id: 0, courseId: '$_id.courseId', questionId: '$_id.questionId', responses: 1 } },
  ];
}

/** Most frequent first, ties by response in code-unit order (SQLite's BINARY collation for these texts). */
const byFrequency = (a: { response: string; count: number }, b: { response: string; count: number }) =>
  b.count - a.count || (a.response < b.response ? -1 : a.response > b.response ? 1 : 0);

export type QuestionStatsRow = Omit<QuestionStatsRecord, 'definition' | 'wrongResponses'>;
export type WrongResponsesRow = { courseId: string; questionId: string; responses: Array<{ response: string; count: number }> };

/** The filter of the definitions of the questions a report lists. */
export const questionDefinitionsFilter = (rows: readonly QuestionStatsRow[]) => ({ _id: { $in: rows.map((row) => questionKeyOf(row.courseId, row.questionId)) } });

/** The report rows with their definitions and wrong responses, in the stats' order. */
export function assembleQuestionStats(
  stats: readonly QuestionStatsRow[],
  wrong: readonly WrongResponsesRow[],
  definitions: readonly ReportQuestionDocument[],
): QuestionStatsRecord[] {
  const byKey = new Map(wrong.map((row) => [questionKeyOf(row.courseId, row.questionId), row.responses]));
  const definitionOf = new Map(definitions.map((doc) => [doc._id, doc.definition]));
  return stats.map((row) => {
    const key = questionKeyOf(row.courseId, row.questionId);
    const definition = definitionOf.get(key);
    return {
      courseId: row.courseId,
      questionId: row.questionId,
      definition: definition === undefined ? null : (JSON.parse(definition) as Record<string, unknown>),
      answers: row.answers,
      learners: row.learners,
      judged: row.judged,
      correct: row.correct,
      timed: row.timed,
      latencyTotalMs: row.latencyTotalMs,
      wrongResponses: [...(byKey.get(key) ?? [])].sort(byFrequency).map((entry) => ({ response: entry.response, count: entry.count })),
    };
  });
}

/** The row order SQLite's queries give, field for field, so both adapters' answers compare with `t.same`. */
export const completionOf = (row: CompletionCountRecord): CompletionCountRecord => ({
  courseId: row.courseId, month: row.month, country: row.country, agency: row.agency, completed: row.completed, passed: row.passed,
});
export const scoreBinOf = (row: ScoreBinRecord): ScoreBinRecord => ({ courseId: row.courseId, bin: row.bin, learners: row.learners });
export const timeSpentOf = (row: TimeSpentRecord): TimeSpentRecord => ({
  courseId: row.courseId, registrations: row.registrations, totalMs: row.totalMs, medianMs: row.medianMs, p90Ms: row.p90Ms,
});
export const funnelOf = (row: FunnelRecord): FunnelRecord => ({
  courseId: row.courseId, enrolled: row.enrolled, started: row.started, completed: row.completed, passed: row.passed,
});

/** One answer of a statement as its projection document. */
export const answerDocumentOf = (
  seq: number,
  answer: Pick<Answer, 'questionId' | 'atMs' | 'success' | 'response' | 'latencyMs'>,
  owner: { readonly registrationId: string; readonly courseId: string; readonly userId: string },
): ReportAnswerDocument => ({
  _id: seq,
  courseId: owner.courseId,
  questionId: answer.questionId,
  registrationId: owner.registrationId,
  userId: owner.userId,
  atMs: answer.atMs,
  success: answer.success,
  response: answer.response,
  latencyMs: answer.latencyMs,
});
