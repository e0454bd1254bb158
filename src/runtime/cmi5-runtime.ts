import { createHash, randomUUID } from 'node:crypto';
import type { LrsPrincipal } from '../access/index.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { actorIdentity, type Actor } from '../lrs/index.js';
import type { CourseModel, LaunchableUnit } from '../packages/index.js';
import type { AttemptRecord, DocumentKey, RegistrationRecord, RuntimeStore, StatementRecord } from '../store/ports.js';
import {
  abandonSession,
  checkAuStatements,
  cmi5ActivityIds,
  LAUNCH_DATA_STATE_ID,
  LEARNER_PREFERENCES_PROFILE_ID,
  NO_PROGRESS,
  prepareCmi5Launch,
  rejectionError,
  satisfiedStatements,
  type Cmi5AuProgress,
  type Cmi5SessionState,
} from './cmi5/index.js';
import type { LaunchClaims } from './launch-tokens.js';

/** What the runtime keeps of a cmi5 AU in a registration: its current session, and whether its fetch URL was used. */
export interface Cmi5AttemptState {
  readonly kind: 'cmi5';
  readonly session: Cmi5SessionState;
  /** The launch (token id) the session belongs to: the auth token is valid for that session only (cmi5 §8.1.2). */
  readonly tokenId: string;
  readonly fetched: boolean;
}

/** The registration's cmi5 state: blocks and course already satisfied (each gets one `satisfied`, §9.3.9). */
interface Cmi5RegistrationState {
  readonly satisfied: readonly string[];
}

export interface Cmi5RuntimeDeps {
  readonly runtime: RuntimeStore;
  readonly prepareStatements: (statements: unknown[], principal: LrsPrincipal) => { records: StatementRecord[] };
  /** The principal the LMS writes its own statements under. */
  readonly lmsPrincipal: LrsPrincipal;
  readonly publicUrl: string;
  readonly contentUrl: string;
  readonly now: () => number;
}

const maxRetries = 8;

/**
 * cmi5 as an LMS (AICC cmi5 §8–§11), on top of the pure rules in ./cmi5: launching (abandon the open session,
 * `launched`, `LMS.LaunchData`), the single-use fetch URL, the checks on every statement an AU sends, and the
 * `satisfied` statements for blocks and the course, each written with the session's state in one transaction.
 */
export function createCmi5Runtime(deps: Cmi5RuntimeDeps) {
  const { runtime, publicUrl } = deps;
  const statementDeps = { newId: randomUUID, now: deps.now };

  /** Applies a change computed from the attempt as stored; retried when another request changed it meanwhile. */
  async function update(attemptId: string, change: (attempt: AttemptRecord) => Promise<Parameters<RuntimeStore['applyCommit']>[0] | null>): Promise<void> {
    for (let tries = 0; tries < maxRetries; tries++) {
      const attempt = await runtime.attempt(attemptId);
      if (!attempt) throw notFound('attempt-not-found', 'the attempt of this launch no longer exists');
      const commit = await change(attempt);
      if (commit === null) return;
      if ((await runtime.applyCommit(commit)).applied) return;
    }
    throw new AppError('conflict', 'cmi5-busy', 'the session changed while this request was handled: send it again');
  }

  /** The AU's session of this token; 401 once another launch replaced it (cmi5 §8.1.2: one token, one session). */
  function sessionOf(attempt: AttemptRecord, claims: LaunchClaims): Cmi5AttemptState {
    const state = attempt.state as Cmi5AttemptState | null;
    if (!state || state.tokenId !== claims.tokenId) {
      throw new AppError('unauthenticated', 'cmi5-session-ended', 'this cmi5 session has ended: the AU was launched again');
    }
    return state;
  }

  return {
    /**
     * A launch of an AU: abandons the AU's open session (§9.3.6), records `launched` and writes `LMS.LaunchData`
     * (§10), all before the browser opens the AU. Returns the launch URL (§8.1).
     */
    async launch(input: {
      model: CourseModel;
      unit: LaunchableUnit;
      courseActivityId: string;
      courseSlug: string;
      registration: RegistrationRecord;
      attempt: AttemptRecord;
      actor: Actor;
      token: string;
      claims: LaunchClaims;
    }): Promise<string> {
      const { unit, attempt, actor, token, claims } = input;
      const ids = cmi5ActivityIds(input.courseActivityId);
      const activityId = ids.au(unit.identifier);
      let launchUrl = '';
      await update(attempt.id, async (current) => {
        const previous = current.state as Cmi5AttemptState | null;
        const abandoned = previous ? abandonSession(previous.session, statementDeps) : null;
        const prepared = prepareCmi5Launch(
          unit,
          {
            endpoint: `${publicUrl}/xapi/`,
            fetchUrl: `${publicUrl}/api/runtime/cmi5/fetch?token=${encodeURIComponent(token)}`,
            actor,
            registration: claims.registrationId,
            activityId,
            contentBaseUrl: `${deps.contentUrl}/c/${token}/`,
            launchMode: 'Normal',
            returnUrl: `${publicUrl}/courses/${input.courseSlug}`,
            progress: previous?.session.progress ?? NO_PROGRESS,
          },
          statementDeps,
        );
        launchUrl = prepared.launchUrl;
        const statements = [...(abandoned ? [abandoned.statement] : []), prepared.launchedStatement];
        const { records } = deps.prepareStatements(statements, deps.lmsPrincipal);
        const key: DocumentKey = { kind: 'state', activityId, agent: actorIdentity(actor) as string, registration: claims.registrationId, documentId: LAUNCH_DATA_STATE_ID };
        const content = Buffer.from(JSON.stringify(prepared.launchData));
        const state: Cmi5AttemptState = { kind: 'cmi5', session: prepared.session, tokenId: claims.tokenId, fetched: false };
        return {
          attemptId: current.id,
          sequence: current.commitSequence + 1,
          state,
          ended: false,
          atMs: deps.now(),
          statements: records,
          documents: [{ key, document: { content, contentType: 'application/json', etag: `"${createHash('sha1').update(content).digest('hex')}"`, updatedMs: deps.now() } }],
        };
      });
      return launchUrl;
    },

    /**
     * The fetch URL (§8.2): the first call answers the auth token, later ones an error (§8.2.3: single use).
     * The token is the launch token, presented as HTTP Basic with the user name `launch`.
     */
    async fetch(token: string, claims: LaunchClaims): Promise<{ status: number; body: Record<string, string> }> {
      let answer: { status: number; body: Record<string, string> } = { status: 200, body: {} };
      await update(claims.attemptId, async (attempt) => {
        const state = attempt.state as Cmi5AttemptState | null;
        if (!state || state.tokenId !== claims.tokenId || state.session.terminated || state.session.abandoned) {
          answer = { status: 400, body: { 'error-code': '2', 'error-text': 'This launch has ended; launch the course again.' } };
          return null;
        }
        if (state.fetched) {
          answer = { status: 400, body: { 'error-code': '1', 'error-text': 'The fetch URL was already used.' } };
          return null;
        }
        answer = { status: 200, body: { 'auth-token': Buffer.from(`launch:${token}`).toString('base64') } };
        return { attemptId: attempt.id, sequence: attempt.commitSequence + 1, state: { ...state, fetched: true }, ended: false, atMs: deps.now(), statements: [], documents: [] };
      });
      return answer;
    },

    /** The principal's hooks for an AU's requests: statements checked and stored with the session, documents guarded. */
    hooksFor(claims: LaunchClaims, model: CourseModel, courseActivityId: string): Pick<LrsPrincipal, 'storeStatements' | 'checkDocument'> {
      const ids = cmi5ActivityIds(courseActivityId);
      return {
        storeStatements: async (statements, records) => {
          await update(claims.attemptId, async (attempt) => {
            const state = sessionOf(attempt, claims);
            const verdict = checkAuStatements(statements as never, state.session);
            if (!verdict.ok) throw rejectionError(verdict);
            const session = verdict.session;
            const lms: unknown[] = [];
            let registrationState: Cmi5RegistrationState | undefined;
            if (verdict.progressChanged) {
              const registration = await runtime.registration(claims.registrationId);
              const already = new Set((registration?.state as Cmi5RegistrationState | null)?.satisfied ?? []);
              const progress = new Map<string, Cmi5AuProgress>();
              for (const other of await runtime.attempts(claims.registrationId)) {
                const otherState = other.state as Cmi5AttemptState | null;
                if (otherState?.kind === 'cmi5') progress.set(other.unitId, otherState.session.progress);
              }
              progress.set(claims.unitId, session.progress);
              const rollup = satisfiedStatements(model, progress, already, { ids, actor: session.actor, registration: claims.registrationId, sessionId: session.sessionId }, statementDeps);
              lms.push(...rollup.statements);
              if (rollup.newlySatisfied.length > 0) {
                registrationState = { satisfied: [...already, ...rollup.newlySatisfied.map((node) => `${node.kind}:${node.publisherId}`)] };
              }
            }
            const extra = lms.length > 0 ? deps.prepareStatements(lms, deps.lmsPrincipal).records : [];
            return {
              attemptId: attempt.id,
              sequence: attempt.commitSequence + 1,
              state: { ...state, session } satisfies Cmi5AttemptState,
              ended: false,
              atMs: deps.now(),
              statements: [...records, ...extra],
              documents: [],
              ...(registrationState && { registrationState }),
            };
          });
        },
        checkDocument: async ({ kind, documentId, write }) => {
          // §10.2.1.0-5 (d): the AU reads LMS.LaunchData, never changes it.
          if (kind === 'state' && documentId === LAUNCH_DATA_STATE_ID && write) {
            throw forbidden('cmi5-launch-data-read-only', 'cmi5 10.2.1.0-5: LMS.LaunchData belongs to the LMS; the AU may only read it');
          }
          // §11.0.0.0-3: the AU must read the learner preferences before it initializes.
          if (kind === 'agent-profile' && documentId === LEARNER_PREFERENCES_PROFILE_ID && !write) {
            await update(claims.attemptId, async (attempt) => {
              const state = sessionOf(attempt, claims);
              if (state.session.learnerPreferencesRetrieved) return null;
              const session = { ...state.session, learnerPreferencesRetrieved: true };
              return { attemptId: attempt.id, sequence: attempt.commitSequence + 1, state: { ...state, session }, ended: false, atMs: deps.now(), statements: [], documents: [] };
            });
          }
        },
      };
    },
  };
}

export type Cmi5Runtime = ReturnType<typeof createCmi5Runtime>;
