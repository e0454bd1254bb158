/**
 * Test helpers for the cmi5 runtime: a deterministic clock and id generator, the learner,
 * CATAPULT courses parsed by the packages context, an AU session already initialized, and
 * statements an AU would send, built from the session's context template.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import type { Actor, Statement } from '../../../src/lrs/statements/statement-types.js';
import { validateStatement } from '../../../src/lrs/statements/statement-validator.js';
import { inspectPackage, type CourseModel, type LaunchableUnit } from '../../../src/packages/index.js';
import {
  CMI5_CATEGORY,
  CMI5_VERB,
  cmi5ActivityIds,
  MOVE_ON_CATEGORY,
  prepareCmi5Launch,
  type Cmi5AuProgress,
  type Cmi5LaunchMode,
  type Cmi5SessionState,
  type Cmi5StatementDeps,
} from '../../../src/runtime/cmi5/index.js';
import { sharedFixture } from '../../fixtures/shared-fixtures.js';

export const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
export const REGISTRATION = '760e3480-ba55-4991-94b0-01820dbd23a2';
export const LMS_COURSE_ID = 'https://lms.academy.example/courses/geology-pre-post';
export const learner: Actor = { objectType: 'Agent', name: 'Ada Learner', account: { homePage: 'https://lms.academy.example', name: 'u-1625378' } };

/** UUIDs 00000000-0000-4000-8000-000000000001, …002, … and a clock that moves one second per call. */
export function fakeDeps(start = T0): Cmi5StatementDeps & { ids: string[] } {
  let n = 0;
  let time = start - 1000;
  const ids: string[] = [];
  return {
    ids,
    newId: () => {
      n += 1;
      const id = `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
      ids.push(id);
      return id;
    },
    now: () => (time += 1000),
  };
}

const requirements = JSON.parse(fs.readFileSync(sharedFixture('cmi5', 'cmi5-requirements.json'), 'utf8')) as Record<string, { txt: string }>;

/** True when the id is in the cmi5 requirements list (so a rejection cites a real requirement). */
export function isRequirementId(id: string): boolean {
  return requirements[id] !== undefined;
}

/** Asserts that the statement passes the LRS's own xAPI 1.0.3 validation. */
export function assertValidXapi(t: Test, statement: Statement, what: string): void {
  const problem = validateStatement(JSON.parse(JSON.stringify(statement)), '1.0.3');
  t.equal(problem, null, `${what} is valid xAPI 1.0.3${problem === null ? '' : `: ${problem.path} ${problem.message}`}`);
}

const courseCache = new Map<string, Promise<CourseModel>>();

/** A course from ../shared/fixtures/cmi5, parsed by the packages context (`inspectPackage`); launch files need not be there. */
export function loadCourse(relative: string): Promise<CourseModel> {
  let pending = courseCache.get(relative);
  if (pending === undefined) {
    pending = (async () => {
      const target = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-cmi5-'));
      try {
        const file = sharedFixture('cmi5', ...relative.split('/'));
        let source: { zipPath: string } | { directory: string } = { zipPath: file };
        if (!file.endsWith('.zip')) {
          // A course structure alone: laid out as an unzipped package whose files are elsewhere.
          const directory = path.join(target, 'package');
          fs.mkdirSync(directory);
          fs.copyFileSync(file, path.join(directory, 'cmi5.xml'));
          source = { directory };
        }
        const result = await inspectPackage(source, path.join(target, 'course'), { requireLaunchFiles: false });
        if (!result.ok) throw new Error(`${relative}: ${JSON.stringify(result.errors)}`);
        return result.model;
      } finally {
        fs.rmSync(target, { recursive: true, force: true });
      }
    })();
    courseCache.set(relative, pending);
  }
  return pending;
}

export const prePostTest = () => loadCourse('catapult-course-examples/pre_post_test_framed.zip');

export function unitById(course: CourseModel, suffix: string): LaunchableUnit {
  const unit = course.units.find((u) => u.identifier.endsWith(suffix));
  if (unit === undefined) throw new Error(`no AU ending with ${suffix}`);
  return unit;
}

export interface SessionOptions {
  readonly launchMode?: Cmi5LaunchMode;
  readonly masteryScore?: number;
  readonly progress?: Cmi5AuProgress;
  /** Mark the learner preferences read and "initialized" accepted (default true). */
  readonly initialized?: boolean;
}

/** A session of `unit` as prepareCmi5Launch leaves it, optionally already initialized. */
export function sessionFor(unit: LaunchableUnit, options: SessionOptions = {}): Cmi5SessionState {
  const ids = cmi5ActivityIds(LMS_COURSE_ID);
  const { session } = prepareCmi5Launch(
    unit,
    {
      endpoint: 'https://lms.academy.example/xapi/',
      fetchUrl: 'https://lms.academy.example/cmi5/fetch/abc',
      actor: learner,
      registration: REGISTRATION,
      activityId: ids.au(unit.identifier),
      contentBaseUrl: 'https://content.academy.example/v/42/',
      launchMode: options.launchMode ?? 'Normal',
      ...(options.masteryScore !== undefined ? { masteryScore: options.masteryScore } : {}),
      ...(options.progress !== undefined ? { progress: options.progress } : {}),
    },
    fakeDeps(),
  );
  if (options.initialized === false) return session;
  return { ...session, learnerPreferencesRetrieved: true, initialized: true, sessionVerbs: [CMI5_VERB.initialized], lastStatementAt: session.launchedAt + 2000 };
}

type VerbName = 'initialized' | 'completed' | 'passed' | 'failed' | 'terminated';

const defaultResults: Record<VerbName, Record<string, unknown> | undefined> = {
  initialized: undefined,
  completed: { completion: true, duration: 'PT5M' },
  passed: { success: true, duration: 'PT5M' },
  failed: { success: false, duration: 'PT5M' },
  terminated: { duration: 'PT10M' },
};

let statementCount = 0;

/**
 * A well-formed cmi5 defined statement from the AU of `session` (what cmi5.js sends): the
 * context template, registration, cmi5 category, moveOn category when the result has
 * success or completion, the launch actor and activityId. `patch` edits the result.
 */
export function auStatement(session: Cmi5SessionState, verb: VerbName, result: Record<string, unknown> | null = defaultResults[verb] ?? null): Statement {
  statementCount += 1;
  const template = JSON.parse(JSON.stringify(session.contextTemplate)) as { contextActivities: Record<string, { id: string }[]>; extensions: Record<string, unknown> };
  const moveOn = result !== null && (result['success'] !== undefined || result['completion'] !== undefined);
  const category = [{ id: CMI5_CATEGORY }, ...(moveOn ? [{ id: MOVE_ON_CATEGORY }] : [])];
  return {
    id: `11111111-0000-4000-8000-${statementCount.toString(16).padStart(12, '0')}`,
    timestamp: new Date(session.launchedAt + 60_000 * statementCount).toISOString(),
    actor: { objectType: 'Agent', account: { ...learner.account! } },
    verb: { id: CMI5_VERB[verb], display: { 'en-US': verb } },
    object: { objectType: 'Activity', id: session.activityId },
    ...(result !== null ? { result } : {}),
    context: {
      registration: session.registration,
      contextActivities: { ...template.contextActivities, category },
      extensions: { ...template.extensions },
    },
  };
}

/** A "cmi5 allowed" statement: the context template without the cmi5 category. */
export function allowedStatement(session: Cmi5SessionState, verbId = 'http://adlnet.gov/expapi/verbs/experienced'): Statement {
  const s = auStatement(session, 'initialized', null);
  const context = s.context as { contextActivities: Record<string, unknown> };
  delete context.contextActivities['category'];
  return { ...s, verb: { id: verbId }, object: { objectType: 'Activity', id: `${session.activityId}/page/2` } };
}
