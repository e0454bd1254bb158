/**
 * The answers projection, pure: what one stored statement says about a question, for item analysis. Every store
 * adapter keeps one row per answer (`report_answers` on SQLite) in the transaction of the statement write, drops it
 * when the statement is voided, and rebuilds the rows from the statements with the same function.
 *
 * An answer is a statement whose verb is `responded` (the SCORM profile §6.0, one per interaction the learner
 * answered) or `answered` (xAPI and cmi5 content, e.g. cmi5 §9.3 "allowed" statements), about an Activity.
 */
import { parseTimestampMs } from '../../shared/xapi-formats.js';
import { parseDurationMs } from '../progress-projection.js';

export const ANSWER_VERBS: readonly string[] = ['http://adlnet.gov/expapi/verbs/responded', 'http://adlnet.gov/expapi/verbs/answered'];

/** Responses longer than this are cut: a fill-in essay is not a distractor to rank. */
export const RESPONSE_LIMIT = 500;

export interface Answer {
  /** The interaction activity IRI. */
  readonly questionId: string;
  readonly atMs: number;
  readonly success: boolean | null;
  readonly response: string | null;
  readonly latencyMs: number | null;
  /** The definition the statement declares for the question, if any. */
  readonly definition: Readonly<Record<string, unknown>> | null;
}

interface AnswerBody {
  verb?: { id?: string };
  object?: { objectType?: string; id?: string; definition?: Record<string, unknown> };
  result?: { success?: unknown; response?: unknown; duration?: unknown };
  timestamp?: string;
  stored?: string;
}

/** Whether a verb makes a statement an answer (cheap test before parsing a body). */
export const isAnswerVerb = (verbId: string): boolean => ANSWER_VERBS.includes(verbId);

/** The answer a statement (its stored body, JSON text or parsed) records, or null when it records none. */
export function answerOf(statement: string | object): Answer | null {
  const body = (typeof statement === 'string' ? JSON.parse(statement) : statement) as AnswerBody;
  if (!isAnswerVerb(body.verb?.id ?? '')) return null;
  const object = body.object;
  if (!object || (object.objectType ?? 'Activity') !== 'Activity' || typeof object.id !== 'string') return null;
  let atMs: number | null = null;
  for (const value of [body.timestamp, body.stored]) {
    if (atMs === null && typeof value === 'string') atMs = parseTimestampMs(value);
  }
  if (atMs === null) return null;
  const result = body.result ?? {};
  return {
    questionId: object.id,
    atMs,
    success: typeof result.success === 'boolean' ? result.success : null,
    response: typeof result.response === 'string' ? result.response.slice(0, RESPONSE_LIMIT) : null,
    latencyMs: parseDurationMs(result.duration),
    definition: object.definition && typeof object.definition === 'object' ? object.definition : null,
  };
}
