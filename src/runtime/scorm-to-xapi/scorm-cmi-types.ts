/**
 * The normalised view of a SCORM commit that the translator works on. One shape for SCORM 1.2 and 2004:
 * statuses use the SCORM 2004 vocabulary, times are ISO 8601 durations, numbers are numbers, and
 * interaction patterns and responses are already in xAPI syntax (xAPI Data 2.4.4.1, interaction activities).
 * Every value is plain JSON, so the runtime can store a state and compare it with the next one.
 * An element the SCO left empty ("" in scorm-again) is absent.
 */

export type ScormVersion = 'scorm12' | 'scorm2004';

export type CompletionStatus = 'completed' | 'incomplete' | 'not attempted' | 'unknown';
export type SuccessStatus = 'passed' | 'failed' | 'unknown';

/** xAPI interactionType values; SCORM 1.2 uses a subset of the same names. */
export type InteractionType =
  | 'true-false'
  | 'choice'
  | 'fill-in'
  | 'long-fill-in'
  | 'matching'
  | 'performance'
  | 'sequencing'
  | 'likert'
  | 'numeric'
  | 'other';

/** SCORM 2004 names; SCORM 1.2 `wrong` reads as `incorrect`. A number is a numeric result (RTE 4.2.9.1). */
export type InteractionResult = 'correct' | 'incorrect' | 'unanticipated' | 'neutral' | number;

export interface ScormScore {
  readonly scaled?: number;
  readonly raw?: number;
  readonly min?: number;
  readonly max?: number;
}

export interface ScormInteraction {
  /** Position in `cmi.interactions` (the SCORM identity of a record: 1.2 journals, 2004 may update in place). */
  readonly index: number;
  readonly id: string;
  readonly type?: InteractionType;
  /** SCORM 2004 `description` as a language map (`{lang=xx}` prefix honoured, "en" otherwise). */
  readonly description?: Readonly<Record<string, string>>;
  /** Correct responses patterns in xAPI syntax. */
  readonly correctResponses: readonly string[];
  /** The learner's response in xAPI syntax (1.2 `student_response`, 2004 `learner_response`). */
  readonly learnerResponse?: string;
  readonly result?: InteractionResult;
  /** ISO 8601 duration. */
  readonly latency?: string;
  /** SCORM 2004 `timestamp` as written by the SCO (ISO 8601, possibly without time zone or partial). */
  readonly timestamp?: string;
  /** SCORM 1.2 `time`: a time of day (HH:MM:SS) with no date. */
  readonly timeOfDay?: string;
  readonly weighting?: number;
  readonly objectiveIds: readonly string[];
}

export interface ScormObjective {
  readonly index: number;
  readonly id: string;
  readonly completion: CompletionStatus;
  readonly success: SuccessStatus;
  readonly score: ScormScore;
  readonly progressMeasure?: number;
  readonly description?: Readonly<Record<string, string>>;
}

export interface ScormComment {
  readonly comment: string;
  readonly location?: string;
  /** As written (SCORM 2004 time(second,10,0)); absent in SCORM 1.2. */
  readonly timestamp?: string;
}

export interface ScormPreferences {
  readonly audioLevel?: number;
  readonly language?: string;
  readonly deliverySpeed?: number;
  /** -1 off, 0 no change, 1 on. */
  readonly audioCaptioning?: -1 | 0 | 1;
}

export interface ScormCmiState {
  readonly version: ScormVersion;
  readonly entry?: 'ab-initio' | 'resume';
  readonly exit?: 'suspend' | 'normal' | 'time-out' | 'logout';
  /** SCORM 2004 `adl.nav.request` when the commit carries it (`suspendAll` suspends the attempt). */
  readonly navRequest?: string;
  readonly credit?: 'credit' | 'no-credit';
  readonly mode?: 'browse' | 'normal' | 'review';
  readonly location?: string;
  readonly suspendData?: string;
  readonly launchData?: string;
  /**
   * Completion as the LMS must report it: SCORM 2004 evaluated against `completion_threshold`
   * (RTE table 4.2.4.1a); SCORM 1.2 from `lesson_status`.
   */
  readonly completion: CompletionStatus;
  /**
   * Success as the LMS must report it: SCORM 2004 evaluated against `scaled_passing_score`
   * (RTE table 4.2.21.1a); SCORM 1.2 from `lesson_status` (the mastery score is applied by the translator,
   * which knows the manifest's value).
   */
  readonly success: SuccessStatus;
  /** SCORM 1.2 `cmi.core.lesson_status` as written (e.g. "browsed"), for the record. */
  readonly lessonStatus?: string;
  readonly score: ScormScore;
  readonly progressMeasure?: number;
  readonly completionThreshold?: number;
  readonly scaledPassingScore?: number;
  /** SCORM 1.2 `cmi.student_data.mastery_score` (0..100). */
  readonly masteryScore?: number;
  readonly maxTimeAllowed?: string;
  readonly timeLimitAction?: string;
  /** ISO 8601 durations. */
  readonly sessionTime?: string;
  readonly totalTime?: string;
  readonly learnerId?: string;
  readonly learnerName?: string;
  readonly preferences: ScormPreferences;
  readonly interactions: readonly ScormInteraction[];
  readonly objectives: readonly ScormObjective[];
  /** SCORM 2004 `comments_from_learner`; SCORM 1.2 `cmi.comments` as one entry. */
  readonly comments: readonly ScormComment[];
  /** SCORM 2004 `comments_from_lms`; SCORM 1.2 `cmi.comments_from_lms` as one entry. */
  readonly commentsFromLms: readonly ScormComment[];
}
