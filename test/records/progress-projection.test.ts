import t from 'tap';
import { courseStatusStatements, type CourseStatusChange } from '../../src/runtime/sequencing/course-status-statements.js';
import {
  courseCompletion,
  emptyAccumulator,
  fitsPlan,
  foldStatements,
  parseDurationMs,
  projectionPlan,
  projectRegistration,
  PROGRESS_VERBS as V,
  type ProjectionPlan,
} from '../../src/records/progress-projection.js';

const COURSE = 'https://lms.example/courses/evidence';
const registration = { id: '6f1c9b2e-0000-4000-8000-000000000001', userId: 'u1', courseId: 'c1', versionId: 'v1' };

const scormPlan = projectionPlan({
  registration,
  course: { activityId: COURSE },
  model: { format: 'scorm12', identifier: 'MANIFEST-1', units: [{ identifier: 'SCO 1' }, { identifier: 'SCO-2' }] },
});
/** The same course as SCORM 2004: its completion and success are the sequencing rollup's (the LMS's statements). */
const scorm2004Plan = projectionPlan({
  registration,
  course: { activityId: COURSE },
  model: { format: 'scorm2004', identifier: 'MANIFEST-1', units: [{ identifier: 'SCO 1' }, { identifier: 'SCO-2' }] },
});
const cmi5Plan = projectionPlan({
  registration,
  course: { activityId: COURSE },
  model: { format: 'cmi5', identifier: 'https://pub.example/course', units: [{ identifier: 'https://pub.example/au/lesson' }, { identifier: 'https://pub.example/au/test' }] },
});
const xapiPlan = projectionPlan({
  registration,
  course: { activityId: 'https://pub.example/xapi-course' },
  model: { format: 'xapi', identifier: 'https://pub.example/xapi-course', units: [{ identifier: 'https://pub.example/xapi-course' }] },
});

const SCO1 = `${COURSE}/SCO%201`;
const SCO2 = `${COURSE}/SCO-2`;
const minute = 60_000;
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 10, 9, 0) + minutes * minute).toISOString();

/** A SCORM profile statement about a SCO in an attempt (grouping [course, attempt]). */
function scorm(verb: string, sco: string, minutes: number, result?: object, attempt = 'a1') {
  return {
    verb: { id: verb },
    object: { objectType: 'Activity', id: sco },
    ...(result && { result }),
    context: {
      registration: registration.id,
      contextActivities: {
        grouping: [
          { id: COURSE, definition: { type: 'http://adlnet.gov/expapi/activities/course' } },
          { id: `${sco}?attemptId=${attempt}`, definition: { type: 'http://adlnet.gov/expapi/activities/attempt' } },
        ],
        category: [{ id: 'https://w3id.org/xapi/scorm' }],
      },
    },
    timestamp: at(minutes),
  };
}

/** A cmi5 defined statement about an AU (LMS-generated object id, publisher id in grouping, session id). */
function cmi5(verb: string, au: string, minutes: number, session: string, result?: object) {
  return {
    verb: { id: verb },
    object: { objectType: 'Activity', id: `${COURSE}/au/${encodeURIComponent(au)}` },
    ...(result && { result }),
    context: {
      registration: registration.id,
      contextActivities: { grouping: [{ id: au }], category: [{ id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5' }] },
      extensions: { 'https://w3id.org/xapi/cmi5/context/extensions/sessionid': session },
    },
    timestamp: at(minutes),
  };
}

const unitsOf = (plan: ProjectionPlan, statements: object[]) => projectRegistration(plan, statements).progress;

t.test('SCORM: status, success, scores, attempts, time, access', async (t) => {
  const progress = unitsOf(scormPlan, [
    scorm(V.initialized, SCO1, 0),
    scorm(V.progressed, SCO1, 1, { score: { scaled: 0.99 } }),
    scorm('http://adlnet.gov/expapi/verbs/scored', SCO1, 2, { score: { scaled: 0.6 } }),
    scorm(V.suspended, SCO1, 10, { duration: 'PT10M', completion: false }),
    scorm(V.resumed, SCO1, 60),
    scorm('http://adlnet.gov/expapi/verbs/scored', SCO1, 65, { score: { scaled: 0.9 } }),
    scorm(V.completed, SCO1, 66, { completion: true }),
    scorm(V.passed, SCO1, 66, { success: true, score: { scaled: 0.9 } }),
    scorm(V.terminated, SCO1, 70, { duration: 'PT10M', completion: true, success: true }),
    scorm(V.initialized, SCO1, 100, undefined, 'a2'),
    scorm('http://adlnet.gov/expapi/verbs/scored', SCO1, 101, { score: { scaled: 0.4 } }, 'a2'),
    scorm(V.failed, SCO1, 101, { success: false }, 'a2'),
    scorm(V.terminated, SCO1, 105, { duration: 'PT5M' }, 'a2'),
  ]);
  const [sco1, sco2] = progress.units;
  t.match(sco1, {
    unitId: 'SCO 1',
    activityId: SCO1,
    status: 'completed',
    success: 'passed',
    bestScore: 0.9,
    lastScore: 0.4,
    attempts: 2,
    timeSpentMs: 25 * minute,
    firstAccessMs: Date.parse(at(0)),
    lastAccessMs: Date.parse(at(105)),
    completedMs: Date.parse(at(66)),
  }, 'progressed is no score; passed never regresses to failed; time is session time of suspended and terminated');
  t.match(sco2, { status: 'not-attempted', success: 'unknown', attempts: 0, timeSpentMs: 0, firstAccessMs: null });
  t.match(progress, { status: 'in-progress', success: 'unknown', completedMs: null, score: 0.9, timeSpentMs: 25 * minute });

  const done = unitsOf(scormPlan, [
    scorm(V.completed, SCO1, 66, { completion: true }),
    scorm(V.passed, SCO2, 90, { success: true, score: { scaled: 0.7 } }, 'b1'),
  ]);
  t.match(done, { status: 'completed', success: 'passed', completedMs: Date.parse(at(90)), score: 0.7 }, 'every unit completed or passed: the course is complete, at the latest');
  t.equal(done.units[1]?.status, 'in-progress', 'a passed SCO that never said completed is not completed itself');
});

t.test('interactions count for access and attempts, not for status or score', async (t) => {
  const interaction = {
    ...scorm('http://adlnet.gov/expapi/verbs/responded', `${SCO1}/interaction/q1`, 200, { success: true, score: { scaled: 1 } }),
  };
  (interaction.context.contextActivities as Record<string, unknown>).parent = [{ id: SCO1 }];
  const [sco1] = unitsOf(scormPlan, [interaction]).units;
  t.match(sco1, { status: 'in-progress', success: 'unknown', bestScore: null, attempts: 1, lastAccessMs: Date.parse(at(200)) });
});

const table: Array<{ name: string; plan: ProjectionPlan; statements: object[]; expected: object }> = [
  {
    name: 'out-of-order timestamps: the last score is the latest in time, not the last stored',
    plan: scormPlan,
    statements: [
      scorm('http://adlnet.gov/expapi/verbs/scored', SCO1, 50, { score: { scaled: 0.8 } }),
      scorm('http://adlnet.gov/expapi/verbs/scored', SCO1, 10, { score: { scaled: 0.3 } }),
      scorm(V.completed, SCO1, 40, { completion: true }),
      scorm(V.completed, SCO1, 20, { completion: true }),
    ],
    expected: { lastScore: 0.8, bestScore: 0.8, firstAccessMs: Date.parse(at(10)), lastAccessMs: Date.parse(at(50)), completedMs: Date.parse(at(20)) },
  },
  {
    name: 'equal timestamps: the later stored score wins',
    plan: scormPlan,
    statements: [
      scorm('http://adlnet.gov/expapi/verbs/scored', SCO1, 5, { score: { scaled: 0.2 } }),
      scorm('http://adlnet.gov/expapi/verbs/scored', SCO1, 5, { score: { scaled: 0.1 } }),
    ],
    expected: { lastScore: 0.1, bestScore: 0.2 },
  },
  {
    name: 'a raw score in a range becomes scaled',
    plan: scormPlan,
    statements: [scorm('http://adlnet.gov/expapi/verbs/scored', SCO1, 5, { score: { raw: 15, min: 10, max: 30 } })],
    expected: { lastScore: 0.25 },
  },
  {
    name: 'durations of other verbs do not add to the SCORM time',
    plan: scormPlan,
    statements: [scorm(V.completed, SCO1, 5, { completion: true, duration: 'PT1H' }), scorm(V.terminated, SCO1, 6, { duration: 'PT1M30S' })],
    expected: { timeSpentMs: 90_000 },
  },
  {
    name: 'xAPI: terminated carries the time',
    plan: xapiPlan,
    statements: [
      { verb: { id: V.initialized }, object: { id: 'https://pub.example/xapi-course' }, timestamp: at(0) },
      { verb: { id: V.completed }, object: { id: 'https://pub.example/xapi-course' }, result: { completion: true, duration: 'PT3M' }, timestamp: at(3) },
      { verb: { id: V.terminated }, object: { id: 'https://pub.example/xapi-course' }, result: { duration: 'PT4M' }, timestamp: at(4) },
    ],
    expected: { status: 'completed', attempts: 1, timeSpentMs: 4 * minute },
  },
  {
    name: 'xAPI: without a session end, completed carries it',
    plan: xapiPlan,
    statements: [{ verb: { id: V.completed }, object: { id: 'https://pub.example/xapi-course' }, result: { completion: true, duration: 'PT3M' }, timestamp: at(3) }],
    expected: { status: 'completed', attempts: 0, timeSpentMs: 3 * minute },
  },
];

for (const { name, plan, statements, expected } of table) {
  t.test(name, async (t) => {
    t.match(unitsOf(plan, statements).units[0], expected);
  });
}

t.test('cmi5: sessions, abandoned time, waived, satisfied course', async (t) => {
  const lesson = 'https://pub.example/au/lesson';
  const test = 'https://pub.example/au/test';
  const statements = [
    cmi5(V.launched, lesson, 0, 's1'),
    cmi5(V.initialized, lesson, 0, 's1'),
    cmi5(V.completed, lesson, 8, 's1', { completion: true, duration: 'PT8M' }),
    cmi5(V.terminated, lesson, 9, 's1', { duration: 'PT9M' }),
    cmi5(V.launched, test, 10, 's2'),
    cmi5(V.initialized, test, 10, 's2'),
    cmi5(V.failed, test, 12, 's2', { success: false, score: { scaled: 0.5 }, duration: 'PT2M' }),
    cmi5(V.abandoned, test, 20, 's2', { duration: 'PT3M' }),
    cmi5(V.launched, test, 30, 's3'),
    cmi5(V.passed, test, 35, 's3', { success: true, score: { scaled: 0.85 }, duration: 'PT5M' }),
    cmi5(V.terminated, test, 36, 's3', { duration: 'PT6M' }),
    // The AU's own statements, outside the cmi5 category: inside the AU, not about it.
    { ...cmi5('http://adlnet.gov/expapi/verbs/answered', test, 34, 's3', { success: false, score: { scaled: 0 } }), object: { id: 'https://pub.example/q1' }, context: { registration: registration.id, contextActivities: { grouping: [{ id: test }] } } },
  ];
  const open = unitsOf(cmi5Plan, statements);
  t.match(open.units[0], { status: 'completed', attempts: 1, timeSpentMs: 9 * minute });
  t.match(open.units[1], { status: 'in-progress', success: 'passed', attempts: 2, bestScore: 0.85, lastScore: 0.85, timeSpentMs: 9 * minute, lastAccessMs: Date.parse(at(36)) });
  t.match(open, { status: 'in-progress', completedMs: null }, 'cmi5: complete only when the LMS says the course is satisfied');

  const satisfied = {
    verb: { id: V.satisfied },
    object: { id: COURSE, definition: { type: 'https://w3id.org/xapi/cmi5/activitytype/course' } },
    context: { registration: registration.id, contextActivities: { grouping: [{ id: 'https://pub.example/course' }], category: [{ id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5' }] } },
    timestamp: at(36),
  };
  t.match(unitsOf(cmi5Plan, [...statements, satisfied]), { status: 'completed', success: 'passed', completedMs: Date.parse(at(36)) });

  const waived = unitsOf(cmi5Plan, [cmi5(V.waived, lesson, 1, 'w1', { success: true, completion: true })]);
  t.match(waived.units[0], { status: 'completed', success: 'passed', attempts: 0 }, 'a waived AU is satisfied without a session');
});

t.test('folding batch by batch equals folding at once (what the store does incrementally)', async (t) => {
  const statements = [
    scorm(V.initialized, SCO1, 0),
    scorm('http://adlnet.gov/expapi/verbs/scored', SCO1, 30, { score: { scaled: 0.5 } }),
    scorm(V.suspended, SCO1, 31, { duration: 'PT0.125S' }),
    scorm('http://adlnet.gov/expapi/verbs/scored', SCO1, 20, { score: { scaled: 0.7 } }, 'a2'),
    scorm(V.completed, SCO2, 40, { completion: true }, 'b1'),
    scorm(V.terminated, SCO2, 41, { duration: 'PT1.333S' }, 'b1'),
  ];
  const atOnce = foldStatements(scormPlan, emptyAccumulator(scormPlan), statements);
  for (let cut = 0; cut <= statements.length; cut++) {
    const first = JSON.parse(JSON.stringify(foldStatements(scormPlan, emptyAccumulator(scormPlan), statements.slice(0, cut))));
    const second = foldStatements(scormPlan, first, statements.slice(cut).map((s) => JSON.stringify(s)));
    t.equal(JSON.stringify(second), JSON.stringify(atOnce), `cut after ${cut}`);
  }
});

t.test('voiding statements count as stored, nothing else', async (t) => {
  const voiding = { verb: { id: V.voided }, object: { objectType: 'StatementRef', id: 'x' }, context: { registration: registration.id }, timestamp: at(500) };
  const progress = unitsOf(scormPlan, [scorm(V.initialized, SCO1, 0), voiding]);
  t.match(progress, { statements: 2, lastAccessMs: Date.parse(at(0)) });
});

/** The runtime's own course-level rollup statement (runtime/sequencing/course-status-statements.ts). */
const rollupStatement = (change: CourseStatusChange, minutes: number, scaled?: number) =>
  courseStatusStatements([change], { completion: 'completed', success: change === 'failed' ? 'failed' : 'passed', attempted: true, ...(scaled !== undefined && { scaled }) }, {
    actor: { objectType: 'Agent', account: { homePage: 'https://lms.example', name: 'u1' } },
    registration: registration.id,
    courseActivityId: COURSE,
    courseTitle: { en: 'Evidence' },
    rootActivity: 'ORG',
    atMs: Date.parse(at(minutes)),
    platform: 'cadet',
  }, () => `00000000-0000-4000-8000-00000000000${minutes % 10}`)[0]!;

t.test('SCORM 2004: the course\'s completion and success are its sequencing rollup, as the LMS stated it', async (t) => {
  const units = [scorm(V.completed, SCO1, 1, { completion: true }), scorm(V.passed, SCO1, 2, { success: true }), scorm(V.completed, SCO2, 3, { completion: true })];
  t.match(unitsOf(scorm2004Plan, units), { status: 'in-progress', success: 'unknown', completedMs: null }, 'every unit completed is not enough: the rollup has not said so');
  t.match(unitsOf(scormPlan, units), { status: 'completed' }, '(SCORM 1.2: it is)');
  const failed = unitsOf(scorm2004Plan, [...units, rollupStatement('completed', 4), rollupStatement('failed', 4, 0.4)]);
  t.match(failed, { status: 'completed', success: 'failed', completedMs: Date.parse(at(4)) }, 'the rollup completed and not satisfied, though a unit passed');
  t.match(failed.units, [{ status: 'completed', success: 'passed' }, { status: 'completed' }], 'units are unchanged by the course statements');
  t.match(unitsOf(scorm2004Plan, [...units, rollupStatement('completed', 4), rollupStatement('failed', 4), rollupStatement('passed', 9)]), { success: 'passed', completedMs: Date.parse(at(4)) }, 'then satisfied: passed');
  t.match(unitsOf(scorm2004Plan, [scorm(V.initialized, SCO1, 0), rollupStatement('passed', 5)]), { status: 'completed', success: 'passed', completedMs: Date.parse(at(5)) }, 'satisfied alone completes the course (completed or passed)');
  const forged = { ...rollupStatement('completed', 6), context: { registration: registration.id } };
  t.match(unitsOf(scorm2004Plan, [scorm(V.initialized, SCO1, 0), forged]), { status: 'in-progress' }, 'a course "completed" without the LMS\'s extension does not count');
  t.match(unitsOf(scormPlan, [scorm(V.initialized, SCO1, 0), rollupStatement('completed', 6)]), { status: 'in-progress' }, 'nor in other formats');
  const acc = projectRegistration(scorm2004Plan, [rollupStatement('completed', 4)]).accumulator;
  t.match(acc, { courseCompletedMs: Date.parse(at(4)), coursePassedMs: null, courseFailedMs: null });
  t.equal(courseCompletion('scorm2004', [{ completedMs: 1, passedMs: 1 }], { courseSatisfiedMs: null, courseCompletedMs: null, coursePassedMs: null }), null);
  t.equal(courseCompletion('scorm2004', [], { courseSatisfiedMs: null, courseCompletedMs: 8, coursePassedMs: 5 }), 5, 'the earliest of completed and passed');
});

t.test('an accumulator stored before the course rollup fields is refolded', async (t) => {
  const { courseCompletedMs: _c, coursePassedMs: _p, courseFailedMs: _f, ...old } = emptyAccumulator(scorm2004Plan);
  t.notOk(fitsPlan(scorm2004Plan, old as ReturnType<typeof emptyAccumulator>));
  t.ok(fitsPlan(scorm2004Plan, emptyAccumulator(scorm2004Plan)));
});

t.test('the completion rule', async (t) => {
  t.equal(courseCompletion('scorm12', [], { courseSatisfiedMs: null }), null, 'a course without units is never complete');
  t.equal(courseCompletion('scorm12', [{ completedMs: 5, passedMs: 3 }, { completedMs: null, passedMs: 9 }], { courseSatisfiedMs: null }), 9);
  t.equal(courseCompletion('xapi', [{ completedMs: 5, passedMs: null }, { completedMs: null, passedMs: null }], { courseSatisfiedMs: null }), null);
  t.equal(courseCompletion('cmi5', [{ completedMs: 5, passedMs: 3 }], { courseSatisfiedMs: null }), null, 'cmi5 waits for satisfied');
  t.equal(courseCompletion('cmi5', [], { courseSatisfiedMs: 7 }), 7);
});

t.test('ISO 8601 durations', async (t) => {
  const cases: Array<[unknown, number | null]> = [
    ['PT1H2M3.45S', 3_723_450],
    ['PT0S', 0],
    ['P1DT1S', 86_401_000],
    ['P1W', 604_800_000],
    ['PT0.005S', 5],
    ['P', null],
    ['PT', null],
    ['1H', null],
    [42, null],
  ];
  for (const [input, expected] of cases) t.equal(parseDurationMs(input), expected, String(input));
});

t.test('plans: the runtime\'s unit IRIs and cmi5\'s LMS-generated ones', async (t) => {
  t.same(scormPlan.units.map((u) => u.activityId), [SCO1, SCO2]);
  t.same(cmi5Plan.units[0]?.matchIds, ['https://pub.example/au/lesson', `${COURSE}/au/${encodeURIComponent('https://pub.example/au/lesson')}`]);
  t.same(xapiPlan.courseActivityIds, ['https://pub.example/xapi-course']);
});
