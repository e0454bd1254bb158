/**
 * Pure mappings and pipelines for the records projections (registration progress, units embedded).
 * The fold itself is `records/progress-projection.ts`, shared with SQLite; only storage differs.
 */
import type { RegistrationProgressRecord, UnitProgressRecord } from '../ports.js';
import { collectionNames, type RegistrationProgressDocument } from './documents-model.js';

/** A unit in the field order SQLite's adapter returns, so both adapters' snapshots compare byte for byte. */
export const unitOf = (unit: UnitProgressRecord): UnitProgressRecord => ({
  unitId: unit.unitId,
  position: unit.position,
  activityId: unit.activityId,
  status: unit.status,
  success: unit.success,
  bestScore: unit.bestScore,
  lastScore: unit.lastScore,
  attempts: unit.attempts,
  timeSpentMs: unit.timeSpentMs,
  firstAccessMs: unit.firstAccessMs,
  lastAccessMs: unit.lastAccessMs,
  completedMs: unit.completedMs,
});

export const progressDocumentOf = (progress: RegistrationProgressRecord, state: string): RegistrationProgressDocument => ({
  _id: progress.registrationId,
  userId: progress.userId,
  courseId: progress.courseId,
  versionId: progress.versionId,
  format: progress.format,
  status: progress.status,
  success: progress.success,
  score: progress.score,
  timeSpentMs: progress.timeSpentMs,
  firstAccessMs: progress.firstAccessMs,
  lastAccessMs: progress.lastAccessMs,
  completedMs: progress.completedMs,
  statements: progress.statements,
  state,
  units: [...progress.units].sort((a, b) => a.position - b.position).map(unitOf),
});

export const toProgressRecord = (doc: RegistrationProgressDocument): RegistrationProgressRecord => ({
  registrationId: doc._id,
  userId: doc.userId,
  courseId: doc.courseId,
  versionId: doc.versionId,
  format: doc.format,
  status: doc.status,
  success: doc.success,
  score: doc.score,
  timeSpentMs: doc.timeSpentMs,
  firstAccessMs: doc.firstAccessMs,
  lastAccessMs: doc.lastAccessMs,
  completedMs: doc.completedMs,
  statements: doc.statements,
  units: [...doc.units].sort((a, b) => a.position - b.position).map(unitOf),
});

/** A registration's own statements (not those that merely inherit its key through a StatementRef), in stored order. */
export const registrationStatementsPlan = (registrationId: string) => ({
  filter: { keys: `registration|${registrationId}`, registration: registrationId },
  sort: { seq: 1 } as const,
  projection: { body: 1, voided: 1 } as const,
});

/**
 * A course report: the course's progress documents whose learner exists (and is in one of `countries` when
 * given), by registration age, as SQLite's join of progress, registrations and users orders them.
 * Run with `readPreference: secondaryPreferred`: reports tolerate a replica a few hundred ms behind.
 */
export function courseProgressPipeline(courseId: string, countries?: readonly string[]): Record<string, unknown>[] {
  return [
    { $match: { courseId } },
    { $lookup: { from: collectionNames.users, localField: 'userId', foreignField: '_id', as: 'learner' } },
    { $match: countries === undefined ? { 'learner.0': { $exists: true } } : { 'learner.country': { $in: [...countries] } } },
    { $lookup: { from: collectionNames.registrations, localField: '_id', foreignField: '_id', as: 'registration' } },
    { $unwind: '$registration' },
    { $sort: { 'registration.createdMs': 1, 'registration.seq': 1 } },
    { $project: { learner: 0, registration: 0 } },
  ];
}
