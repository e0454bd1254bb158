/**
 * Every index the adapter needs, as data (created on start by `ensureIndexes`, idempotently: creating an index
 * that exists with the same options is a no-op). DESIGN.md "Store ports": the queries the xAPI spec defines are
 * served by indexes, never by scanning; each entry says which query it serves.
 */
import type { CollectionName } from './documents-model.js';
import { collectionNames as c } from './documents-model.js';

export interface IndexSpec {
  readonly key: Readonly<Record<string, 1 | -1 | 'hashed'>>;
  readonly name: string;
  readonly unique?: boolean;
  readonly partialFilterExpression?: Readonly<Record<string, unknown>>;
  readonly expireAfterSeconds?: number;
  /** Which query needs it (documentation; not sent to the server). */
  readonly serves: string;
}

const stringValued = { $type: 'string' } as const;

export const indexSpecs: Readonly<Partial<Record<CollectionName, readonly IndexSpec[]>>> = {
  [c.statements]: [
    {
      key: { keys: 1, seq: 1 },
      name: 'keys_seq',
      serves: 'GET /statements by agent, verb, activity, registration, related_agents, related_activities (multikey: own and inherited keys), in sequence order either way; a registration\'s statements for the projections',
    },
    // Not unique: a unique index on a sharded collection must start with the shard key ({_id: 'hashed'}).
    // Uniqueness of `seq` comes from the counter (statement-queries.ts "Sequence").
    { key: { seq: 1 }, name: 'seq', serves: 'GET /statements with no filter key; more paging; latest sequence' },
    { key: { storedMs: 1, seq: 1 }, name: 'stored_seq', serves: 'since/until with no filter key (the `stored` order)' },
    { key: { refTarget: 1 }, name: 'ref_target', partialFilterExpression: { refTarget: stringValued }, serves: 'StatementRef referrers (key inheritance, voiding a target stored later)' },
    { key: { credentialId: 1, seq: 1 }, name: 'credential_seq', partialFilterExpression: { credentialId: stringValued }, serves: 'statements/read/mine' },
  ],
  [c.documents]: [
    { key: { kind: 1, activityId: 1, agent: 1, registration: 1, documentId: 1 }, name: 'document_key', unique: true, serves: 'state/profile document ids under a key (list, deleteAll)' },
  ],
  [c.users]: [{ key: { emailKey: 1 }, name: 'email_key', unique: true, serves: 'case-insensitive unique e-mail; sign-in lookup; list by e-mail' }],
  [c.passwordTokens]: [{ key: { userId: 1 }, name: 'user', serves: 'a user\'s other unused tokens' }],
  [c.sessions]: [
    { key: { userId: 1 }, name: 'user', partialFilterExpression: { userId: stringValued }, serves: 'end every session of a user' },
    { key: { expiresMs: 1 }, name: 'expires_ms', serves: 'housekeeping on add' },
    { key: { expiresAt: 1 }, name: 'expires_ttl', expireAfterSeconds: 0, serves: 'the server removes expired sessions by itself' },
  ],
  [c.accessRequests]: [
    { key: { emailKey: 1 }, name: 'pending_email', unique: true, partialFilterExpression: { status: 'pending' }, serves: 'at most one pending request per address' },
    { key: { status: 1, country: 1, createdMs: 1 }, name: 'queue', serves: 'the approvers\' queue' },
  ],
  [c.auditEvents]: [{ key: { subject: 1, _id: -1 }, name: 'subject', partialFilterExpression: { subject: stringValued }, serves: 'the trail of one subject, newest first' }],
  [c.mailOutbox]: [
    { key: { createdMs: -1, seq: -1 }, name: 'created', serves: 'the outbox, newest first' },
    { key: { nextAttemptMs: 1, seq: 1 }, name: 'due', partialFilterExpression: { nextAttemptMs: { $type: 'number' } }, serves: 'SMTP delivery: claim the earliest due message; the sender\'s next wake-up' },
  ],
  [c.credentials]: [{ key: { createdMs: 1, _id: 1 }, name: 'created', serves: 'list oldest first' }],
  [c.courses]: [
    { key: { slug: 1 }, name: 'slug', unique: true, serves: 'course by slug; unique slugs' },
    { key: { sourceIdentifier: 1, createdMs: 1 }, name: 'source', serves: 're-upload finds its course' },
  ],
  [c.courseVersions]: [{ key: { courseId: 1, number: 1 }, name: 'course_number', unique: true, serves: 'versions of a course; numbering' }],
  [c.registrations]: [
    { key: { userId: 1, courseId: 1, createdMs: -1, seq: -1 }, name: 'user_course', serves: 'latest registration of a learner in a course; a learner\'s registrations' },
    { key: { courseId: 1, createdMs: 1 }, name: 'course_created', serves: 'funnel report by course and enrolment date' },
  ],
  [c.attempts]: [{ key: { registrationId: 1, unitId: 1, number: -1 }, name: 'registration_unit_number', unique: true, serves: 'latest attempt; numbering; attempts of a registration' }],
  [c.registrationProgress]: [
    { key: { userId: 1 }, name: 'user', serves: 'a learner\'s transcript' },
    { key: { courseId: 1, status: 1 }, name: 'course_status', serves: 'course reports' },
    { key: { 'units.activityId': 1, 'units.status': 1 }, name: 'unit_activity', serves: 'reports by unit activity' },
    { key: { courseId: 1, completedMs: 1 }, name: 'course_completed', partialFilterExpression: { completedMs: { $type: 'number' } }, serves: 'completions report by course and date' },
  ],
  [c.reportAnswers]: [
    { key: { courseId: 1, questionId: 1, atMs: 1 }, name: 'course_question_time', serves: 'item analysis of a course, by question and date' },
    { key: { atMs: 1 }, name: 'time', serves: 'item analysis of every course in a date range' },
  ],
  [c.certificates]: [
    { key: { registrationId: 1 }, name: 'registration', unique: true, serves: 'at most one certificate per registration (the guard against issuing twice); a registration\'s certificate' },
    { key: { userId: 1, issuedMs: 1, _id: 1 }, name: 'user_issued', serves: 'a learner\'s certificates, oldest first' },
  ],
};

/** The index specs in the driver's `createIndexes` shape (the `serves` note removed). */
export function driverIndexSpecs(specs: readonly IndexSpec[]) {
  return specs.map(({ serves: _serves, ...spec }) => ({ ...spec, key: { ...spec.key } }));
}
