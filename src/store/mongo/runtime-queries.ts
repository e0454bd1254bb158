/** Pure mappings and update documents for registrations and attempts. */
import type { AttemptCommit, AttemptRecord, RegistrationRecord } from '../ports.js';
import type { AttemptDocument, RegistrationDocument } from './documents-model.js';

export const registrationDocumentOf = (record: RegistrationRecord, seq: number): RegistrationDocument => ({
  _id: record.id,
  userId: record.userId,
  courseId: record.courseId,
  versionId: record.versionId,
  createdMs: record.createdMs,
  completedMs: record.completedMs,
  state: record.state === undefined || record.state === null ? null : JSON.stringify(record.state),
  seq,
});

export const toRegistrationRecord = (doc: RegistrationDocument): RegistrationRecord => ({
  id: doc._id,
  userId: doc.userId,
  courseId: doc.courseId,
  versionId: doc.versionId,
  createdMs: doc.createdMs,
  completedMs: doc.completedMs,
  state: doc.state === null ? null : JSON.parse(doc.state),
});

/** Newest first; ties of `createdMs` broken by insertion order (the `registrations` counter). */
export const latestRegistrationPlan = (userId: string, courseId: string) => ({
  filter: { userId, courseId },
  sort: { createdMs: -1, seq: -1 } as const,
  limit: 1,
});

export const toAttemptRecord = (doc: AttemptDocument): AttemptRecord => ({
  id: doc._id,
  registrationId: doc.registrationId,
  unitId: doc.unitId,
  number: doc.number,
  state: doc.state === null ? null : JSON.parse(doc.state),
  commitSequence: doc.commitSequence,
  endedMs: doc.endedMs,
  createdMs: doc.createdMs,
  updatedMs: doc.updatedMs,
});

export const newAttemptDocument = (input: { id: string; registrationId: string; unitId: string; atMs: number }, number: number): AttemptDocument => ({
  _id: input.id,
  registrationId: input.registrationId,
  unitId: input.unitId,
  number,
  state: null,
  commitSequence: 0,
  endedMs: null,
  createdMs: input.atMs,
  updatedMs: input.atMs,
});

export const latestAttemptPlan = (registrationId: string, unitId: string) => ({
  filter: { registrationId, unitId },
  sort: { number: -1 } as const,
  limit: 1,
});

export const attemptsSort = { unitId: 1, number: 1 } as const;

/**
 * A commit's attempt update: only while the stored commit sequence is below the commit's (the filter), so a
 * replayed or out-of-order commit changes nothing even if two processes apply commits of one attempt at once.
 */
export function commitAttemptUpdate(commit: AttemptCommit, previousEndedMs: number | null) {
  return {
    filter: { _id: commit.attemptId, commitSequence: { $lt: commit.sequence } },
    update: {
      $set: {
        state: JSON.stringify(commit.state),
        commitSequence: commit.sequence,
        endedMs: commit.ended ? commit.atMs : previousEndedMs,
        updatedMs: commit.atMs,
      },
    },
  };
}
