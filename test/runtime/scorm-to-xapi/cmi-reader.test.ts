import t from 'tap';
import { readCmi, ScormCommitError } from '../../../src/runtime/scorm-to-xapi/index.js';
import type { ScormVersion } from '../../../src/runtime/scorm-to-xapi/index.js';
import {
  isoDurationSeconds,
  localizedStringToLanguageMap,
  responseToXapi,
  scorm12TimespanToIso,
} from '../../../src/runtime/scorm-to-xapi/scorm-values.js';
import { AppError } from '../../../src/errors.js';
import { scorm12Session, scorm2004Session } from './scorm-again-session.js';

t.test('SCORM 1.2: a real scorm-again commit (keyed collections, string values)', async (t) => {
  const body = scorm12Session({ core: { student_id: 'u-17', student_name: 'Doe, Jane', entry: 'ab-initio', credit: 'credit' }, student_data: { mastery_score: '80' } })
    .set('cmi.core.lesson_location', 'page-2')
    .set('cmi.core.lesson_status', 'incomplete')
    .set('cmi.core.score.raw', '85')
    .set('cmi.core.score.min', '0')
    .set('cmi.core.session_time', '0001:10:05.25')
    .set('cmi.core.exit', 'suspend')
    .set('cmi.suspend_data', 'a=1;b=2')
    .set('cmi.comments', 'Great lesson')
    .set('cmi.student_preference.language', 'fr')
    .set('cmi.student_preference.text', '1')
    .set('cmi.interactions.0.id', 'q1')
    .set('cmi.interactions.0.type', 'choice')
    .set('cmi.interactions.0.correct_responses.0.pattern', '{a,b}')
    .set('cmi.interactions.0.student_response', 'a,c')
    .set('cmi.interactions.0.result', 'wrong')
    .set('cmi.interactions.0.latency', '00:00:05.5')
    .set('cmi.interactions.0.time', '10:11:12')
    .set('cmi.interactions.0.weighting', '2')
    .set('cmi.interactions.0.objectives.0.id', 'obj-1')
    .set('cmi.objectives.0.id', 'obj-1')
    .set('cmi.objectives.0.status', 'passed')
    .set('cmi.objectives.0.score.raw', '5')
    .commit(true);
  t.type((body as { cmi: { interactions: unknown } }).cmi.interactions, 'object', 'scorm-again sends interactions keyed by index');

  const state = readCmi('scorm12', body);
  t.match(state, {
    version: 'scorm12',
    entry: 'ab-initio',
    exit: 'suspend',
    credit: 'credit',
    mode: 'normal',
    location: 'page-2',
    suspendData: 'a=1;b=2',
    completion: 'incomplete',
    success: 'unknown',
    lessonStatus: 'incomplete',
    score: { raw: 85, min: 0, max: 100 },
    masteryScore: 80,
    sessionTime: 'PT1H10M5.25S',
    totalTime: 'PT1H10M5.25S',
    learnerId: 'u-17',
    learnerName: 'Doe, Jane',
    preferences: { language: 'fr', audioCaptioning: 1 },
    comments: [{ comment: 'Great lesson' }],
    commentsFromLms: [],
  });
  t.same(state.interactions, [
    {
      index: 0,
      id: 'q1',
      type: 'choice',
      correctResponses: ['a[,]b'],
      learnerResponse: 'a[,]c',
      result: 'incorrect',
      latency: 'PT5.5S',
      timeOfDay: '10:11:12',
      weighting: 2,
      objectiveIds: ['obj-1'],
    },
  ]);
  t.same(state.objectives, [{ index: 0, id: 'obj-1', completion: 'completed', success: 'passed', score: { raw: 5, max: 100 } }]);
  t.same(readCmi('scorm12', JSON.parse(JSON.stringify(body))), state, 'reading is deterministic (states compare as JSON)');
});

t.test('SCORM 2004: a real scorm-again commit', async (t) => {
  const body = scorm2004Session({ learner_id: 'u-17', learner_name: 'Jane Doe', entry: 'resume' })
    .set('cmi.location', 'p2')
    .set('cmi.completion_status', 'incomplete')
    .set('cmi.success_status', 'failed')
    .set('cmi.progress_measure', '0.5')
    .set('cmi.score.scaled', '0.4')
    .set('cmi.score.raw', '40')
    .set('cmi.score.min', '0')
    .set('cmi.score.max', '100')
    .set('cmi.session_time', 'PT10M5.25S')
    .set('cmi.exit', 'suspend')
    .set('cmi.learner_preference.audio_level', '0.5')
    .set('cmi.learner_preference.language', 'en-GB')
    .set('cmi.interactions.0.id', 'urn:cadet:q1')
    .set('cmi.interactions.0.type', 'fill-in')
    .set('cmi.interactions.0.description', '{lang=fr}Capitale de la France ?')
    .set('cmi.interactions.0.correct_responses.0.pattern', '{case_matters=true}{lang=fr}Paris')
    .set('cmi.interactions.0.learner_response', '{lang=fr}paris')
    .set('cmi.interactions.0.result', 'incorrect')
    .set('cmi.interactions.0.latency', 'PT12S')
    .set('cmi.interactions.0.timestamp', '2026-03-01T10:00:00.5Z')
    .set('cmi.interactions.1.id', 'q2')
    .set('cmi.interactions.1.type', 'numeric')
    .set('cmi.interactions.1.correct_responses.0.pattern', '1[:]5')
    .set('cmi.interactions.1.learner_response', '3')
    .set('cmi.interactions.1.result', '0.75')
    .set('cmi.objectives.0.id', 'obj-1')
    .set('cmi.objectives.0.success_status', 'passed')
    .set('cmi.objectives.0.completion_status', 'completed')
    .set('cmi.objectives.0.score.scaled', '0.9')
    .set('cmi.objectives.0.description', 'Knows capitals')
    .set('cmi.comments_from_learner.0.comment', 'Too hard')
    .set('cmi.comments_from_learner.0.location', 'p2')
    .set('cmi.comments_from_learner.0.timestamp', '2026-03-01T10:01:00')
    .commit(true);
  const state = readCmi('scorm2004', body);
  t.match(state, {
    version: 'scorm2004',
    entry: 'resume',
    exit: 'suspend',
    location: 'p2',
    completion: 'incomplete',
    success: 'failed',
    score: { scaled: 0.4, raw: 40, min: 0, max: 100 },
    progressMeasure: 0.5,
    sessionTime: 'PT10M5.25S',
    learnerId: 'u-17',
    preferences: { audioLevel: 0.5, language: 'en-GB', deliverySpeed: 1, audioCaptioning: 0 },
    comments: [{ comment: 'Too hard', location: 'p2', timestamp: '2026-03-01T10:01:00' }],
  });
  t.same(state.interactions, [
    {
      index: 0,
      id: 'urn:cadet:q1',
      type: 'fill-in',
      description: { fr: 'Capitale de la France ?' },
      correctResponses: ['{case_matters=true}{lang=fr}Paris'],
      learnerResponse: '{lang=fr}paris',
      result: 'incorrect',
      latency: 'PT12S',
      timestamp: '2026-03-01T10:00:00.5Z',
      objectiveIds: [],
    },
    { index: 1, id: 'q2', type: 'numeric', correctResponses: ['1[:]5'], learnerResponse: '3', result: 0.75, objectiveIds: [] },
  ]);
  t.same(state.objectives, [
    { index: 0, id: 'obj-1', completion: 'completed', success: 'passed', score: { scaled: 0.9 }, description: { en: 'Knows capitals' } },
  ]);
});

t.test('SCORM 2004: thresholds decide completion and success (RTE tables 4.2.4.1a, 4.2.21.1a)', async (t) => {
  const cases: Array<[string, Record<string, unknown>, Array<[string, string]>, string, string]> = [
    ['progress above the threshold completes', { completion_threshold: '0.8' }, [['cmi.progress_measure', '0.9'], ['cmi.completion_status', 'incomplete']], 'completed', 'unknown'],
    ['progress below the threshold', { completion_threshold: '0.8' }, [['cmi.progress_measure', '0.5'], ['cmi.completion_status', 'completed']], 'incomplete', 'unknown'],
    ['threshold without progress is unknown', { completion_threshold: '0.8' }, [['cmi.completion_status', 'completed']], 'unknown', 'unknown'],
    ['no threshold: the SCO decides', {}, [['cmi.completion_status', 'completed'], ['cmi.success_status', 'failed']], 'completed', 'failed'],
    ['scaled above the passing score passes', { scaled_passing_score: '0.7' }, [['cmi.score.scaled', '0.75'], ['cmi.success_status', 'failed']], 'unknown', 'passed'],
    ['scaled below the passing score fails', { scaled_passing_score: '0.7' }, [['cmi.score.scaled', '0.5'], ['cmi.success_status', 'passed']], 'unknown', 'failed'],
    ['passing score without scaled is unknown', { scaled_passing_score: '0.7' }, [['cmi.success_status', 'passed']], 'unknown', 'unknown'],
  ];
  for (const [name, initial, sets, completion, success] of cases) {
    const session = scorm2004Session(initial);
    for (const [element, value] of sets) session.set(element, value);
    const state = readCmi('scorm2004', session.commit());
    t.same([state.completion, state.success], [completion, success], name);
  }
});

t.test('SCORM 1.2 lesson_status maps to completion and success', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['passed', 'completed', 'passed'],
    ['completed', 'completed', 'unknown'],
    ['failed', 'unknown', 'failed'],
    ['incomplete', 'incomplete', 'unknown'],
    ['browsed', 'unknown', 'unknown'],
  ];
  for (const [status, completion, success] of cases) {
    const state = readCmi('scorm12', scorm12Session().set('cmi.core.lesson_status', status).commit());
    t.same([state.completion, state.success], [completion, success], status);
  }
});

t.test('the other body shapes scorm-again can send', async (t) => {
  const session = scorm12Session().set('cmi.core.lesson_status', 'passed').set('cmi.core.score.raw', '90').set('cmi.interactions.0.id', 'q1').set('cmi.interactions.0.type', 'true-false').set('cmi.interactions.0.student_response', 't');
  const expected = readCmi('scorm12', session.commit());
  t.same(readCmi('scorm12', session.commitObject()), expected, 'renderCommonCommitFields: the runtimeData wrapper');
  const flat: Record<string, string> = {
    'cmi.core.lesson_status': 'passed',
    'cmi.core.score.raw': '90',
    'cmi.core.score.max': '100',
    'cmi.core.lesson_mode': 'normal',
    'cmi.core.session_time': '00:00:00',
    'cmi.interactions.0.id': 'q1',
    'cmi.interactions.0.type': 'true-false',
    'cmi.interactions.0.student_response': 't',
  };
  const fromFlat = readCmi('scorm12', flat);
  t.match(fromFlat, { completion: 'completed', success: 'passed', score: { raw: 90, max: 100 } }, 'dataCommitFormat "flattened"');
  t.same(fromFlat.interactions, expected.interactions);
  t.same(readCmi('scorm12', Object.entries(flat).map(([k, v]) => `${k}=${v}`)), fromFlat, 'dataCommitFormat "params"');
  const arrays = readCmi('scorm2004', {
    cmi: { interactions: [{ id: 'a', type: 'choice', learner_response: 'x[,]y', correct_responses: [{ pattern: 'x[,]y' }] }], objectives: [] },
    adl: { nav: { request: 'suspendAll' } },
  });
  t.same(arrays.interactions[0]?.correctResponses, ['x[,]y'], 'collections as arrays');
  t.equal(arrays.navRequest, 'suspendAll', 'adl.nav.request');
  t.same(readCmi('scorm2004', { cmi: { score: { scaled: 0.5, raw: 5 } } }).score, { scaled: 0.5, raw: 5 }, 'numbers as numbers');
});

t.test('garbage is refused with the element named', async (t) => {
  const cases: Array<[string, ScormVersion, unknown, string]> = [
    ['not an object', 'scorm12', 'cmi.core.lesson_status=passed', 'cmi'],
    ['no cmi', 'scorm2004', { foo: 1 }, 'cmi'],
    ['cmi is a string', 'scorm2004', { cmi: 'x' }, 'cmi'],
    ['unknown 1.2 status', 'scorm12', { cmi: { core: { lesson_status: 'done' } } }, 'cmi.core.lesson_status'],
    ['a word as 1.2 raw score', 'scorm12', { cmi: { core: { score: { raw: 'ninety' } } } }, 'cmi.core.score.raw'],
    ['an ISO duration in 1.2', 'scorm12', { cmi: { core: { session_time: 'PT5M' } } }, 'cmi.core.session_time'],
    ['a 1.2 timespan in 2004', 'scorm2004', { cmi: { session_time: '00:05:00' } }, 'cmi.session_time'],
    ['unknown success status', 'scorm2004', { cmi: { success_status: 'great' } }, 'cmi.success_status'],
    ['scaled as an object', 'scorm2004', { cmi: { score: { scaled: { v: 1 } } } }, 'cmi.score.scaled'],
    ['an infinite number', 'scorm2004', { cmi: { progress_measure: Number.POSITIVE_INFINITY } }, 'cmi.progress_measure'],
    ['interactions as a string', 'scorm2004', { cmi: { interactions: 'q1' } }, 'cmi.interactions'],
    ['a named key in a collection', 'scorm2004', { cmi: { interactions: { first: {} } } }, 'cmi.interactions.first'],
    ['an unknown interaction type', 'scorm2004', { cmi: { interactions: { 0: { id: 'q', type: 'essay' } } } }, 'cmi.interactions.0.type'],
    ['long-fill-in is not SCORM 1.2', 'scorm12', { cmi: { interactions: { 0: { id: 'q', type: 'long-fill-in' } } } }, 'cmi.interactions.0.type'],
    ['2004 has no "wrong"', 'scorm2004', { cmi: { interactions: { 0: { id: 'q', result: 'wrong' } } } }, 'cmi.interactions.0.result'],
    ['a bad latency', 'scorm2004', { cmi: { interactions: { 0: { id: 'q', latency: '5 seconds' } } } }, 'cmi.interactions.0.latency'],
    ['a 1.2 time with a date', 'scorm12', { cmi: { interactions: { 0: { id: 'q', time: '2026-01-01T10:00:00' } } } }, 'cmi.interactions.0.time'],
    ['captioning out of range', 'scorm2004', { cmi: { learner_preference: { audio_captioning: '2' } } }, 'cmi.learner_preference.audio_captioning'],
    ['a params entry without "="', 'scorm12', ['cmi.core.lesson_status'], '[0]'],
  ];
  for (const [name, version, body, element] of cases) {
    try {
      readCmi(version, body);
      t.fail(`${name}: accepted`);
    } catch (error) {
      t.ok(error instanceof ScormCommitError && error instanceof AppError, `${name}: a ScormCommitError`);
      t.match(error, { element, kind: 'validation', code: 'scorm-commit-invalid', data: { element } }, `${name}: names ${element}`);
      t.ok((error as Error).message.startsWith(element), `${name}: the message starts with the element`);
    }
  }
});

t.test('tolerated: empty strings, records without an id, "_count" keys', async (t) => {
  const state = readCmi('scorm2004', {
    cmi: {
      completion_status: '',
      score: { scaled: '', raw: '' },
      interactions: { _count: 2, 0: { id: '', result: 'correct' }, 1: null, 2: { id: 'q3' } },
      objectives: { 0: { id: '' } },
    },
  });
  t.same(state.score, {});
  t.equal(state.completion, 'unknown');
  t.same(state.interactions.map((i) => [i.index, i.id]), [[2, 'q3']]);
  t.same(state.objectives, []);
});

t.test('SCORM 1.2 patterns and responses in xAPI syntax', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['true-false', '1', 'true'],
    ['true-false', 't', 'true'],
    ['true-false', '0', 'false'],
    ['true-false', 'f', 'false'],
    ['choice', 'a', 'a'],
    ['choice', 'a,b,c', 'a[,]b[,]c'],
    ['choice', '{a,b}', 'a[,]b'],
    ['sequencing', 'c,a,b', 'c[,]a[,]b'],
    ['matching', '1.a,2.c', '1[.]a[,]2[.]c'],
    ['matching', '{1.a,2.b}', '1[.]a[,]2[.]b'],
    ['fill-in', 'Paris, France', 'Paris, France'],
    ['numeric', '42', '42'],
    ['likert', '3', '3'],
    ['performance', 'step one then two', 'step one then two'],
  ];
  for (const [type, scorm, xapi] of cases) {
    t.equal(responseToXapi('scorm12', type as never, scorm), xapi, `${type} ${scorm}`);
  }
  t.equal(responseToXapi('scorm2004', 'matching', 'a[.]1[,]b[.]2'), 'a[.]1[,]b[.]2', 'SCORM 2004 is already xAPI syntax');
  t.equal(responseToXapi('scorm2004', 'performance', '{order_matters=false}s1[.]1[:]3'), '{order_matters=false}s1[.]1[:]3');
});

t.test('durations and localized strings', async (t) => {
  const spans: Array<[string, string | null]> = [
    ['00:00:00', 'PT0S'],
    ['0000:00:00.00', 'PT0S'],
    ['00:10:05.25', 'PT10M5.25S'],
    ['01:00:00', 'PT1H'],
    ['9999:59:59.99', 'PT9999H59M59.99S'],
    ['00:00:05.5', 'PT5.5S'],
    ['00:00:05.50', 'PT5.5S'],
    ['00:00:00.05', 'PT0.05S'],
    ['0:00:00', null],
    ['00:60:00', null],
    ['PT5M', null],
  ];
  for (const [span, iso] of spans) t.equal(scorm12TimespanToIso(span), iso, span);
  t.equal(isoDurationSeconds('PT1H2M3.5S'), 3723.5);
  t.equal(isoDurationSeconds('P1D'), 86400);
  t.equal(isoDurationSeconds('P1M'), null, 'months have no fixed length');
  t.same(localizedStringToLanguageMap('{lang=fr-CA}Bonjour'), { 'fr-CA': 'Bonjour' });
  t.same(localizedStringToLanguageMap('Hello'), { en: 'Hello' });
  t.same(localizedStringToLanguageMap('{lang=not a tag}Hi'), { en: 'Hi' });
});
