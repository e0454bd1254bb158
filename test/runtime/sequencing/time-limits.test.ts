/**
 * attemptAbsoluteDurationLimit (SN book 4th ed. §3.10, UP.1): a limit condition on delivering an activity again,
 * the `timeLimitExceeded` rule condition, and the SCO's cmi.max_time_allowed.
 */
import t from 'tap';
import { evaluateSequencing } from '../../../src/runtime/sequencing/index.js';
import { isoDurationMs } from '../../../src/runtime/sequencing/activity-tree.js';
import { initialCmi } from '../../../src/runtime/scorm-initial-cmi.js';
import { attempts, FLOW, rule, syntheticCourse } from './helpers.js';

t.test('ISO 8601 durations', async (t) => {
  t.equal(isoDurationMs('PT1H30M'), 5_400_000);
  t.equal(isoDurationMs('P1DT0.5S'), 86_400_500);
  t.equal(isoDurationMs('PT'), null);
  t.equal(isoDurationMs('1 hour'), null);
  t.equal(isoDurationMs(undefined), null);
});

const timed = (extra: object = {}) =>
  syntheticCourse(FLOW, [{ id: 'intro' }, { id: 'exam', sequencing: { ...FLOW, limitConditions: { attemptAbsoluteDurationLimit: 'PT10S' }, ...extra } }, { id: 'after' }]);

t.test('an attempt that used up its time may not be delivered again (UP.1)', async (t) => {
  const overtime = attempts().pass('intro').add('exam', { completion: 'incomplete' }, { durationMs: 12_000 }).list;
  const intime = attempts().pass('intro').add('exam', { completion: 'incomplete' }, { durationMs: 4_000 }).list;
  t.match(evaluateSequencing(timed(), overtime).navigate('intro', { target: 'exam' }), { ok: false, code: 'sequencing-time-limit', message: '"exam" has used up its time' });
  t.match(evaluateSequencing(timed(), intime).navigate('intro', { target: 'exam' }), { ok: true, deliver: { id: 'exam' } }, 'within its time: delivered');
  const running = attempts().pass('intro').add('exam', { completion: 'incomplete' }, { suspended: true }).list;
  t.match(evaluateSequencing(timed(), running, { nowMs: 1_000_000 }).navigate('intro', { target: 'exam' }), { ok: true }, 'a suspended attempt is not limited (UP.1 step 2): it resumes');
  t.match(evaluateSequencing(timed(), overtime).navigate('intro', { request: 'continue' }), { ok: false, code: 'sequencing-time-limit' }, 'flow stops at it too');
});

t.test('timeLimitExceeded as a rule condition, with the clock for an attempt in progress', async (t) => {
  const model = timed({ sequencingRules: { preConditionRules: [rule('skip', [['timeLimitExceeded']])], exitConditionRules: [], postConditionRules: [] } });
  const list = attempts().pass('intro').add('exam', null, { suspended: true }).list;
  const started = list[1]!.createdMs;
  t.match(evaluateSequencing(model, list, { nowMs: started + 3_000 }).navigate('intro', { request: 'continue' }), { ok: true, deliver: { id: 'exam' } }, '3 s in: not exceeded');
  t.match(evaluateSequencing(model, list, { nowMs: started + 11_000 }).navigate('intro', { request: 'continue' }), { ok: true, deliver: { id: 'after' } }, '11 s in: exceeded, so skipped');
  t.match(evaluateSequencing(model, list).navigate('intro', { request: 'continue' }), { ok: true, deliver: { id: 'exam' } }, 'without a clock the running attempt has no duration yet');
});

t.test('the SCO is told its limit: cmi.max_time_allowed and cmi.time_limit_action', async (t) => {
  const unit = { identifier: 'exam', title: { en: 'Exam' }, launchUrl: 'exam.html', external: false, isVisible: true, maxTimeAllowed: 'PT10S', timeLimitAction: 'exit,message' };
  t.match(initialCmi('scorm2004', unit, { id: 'u1', name: 'Learner' }, null), { 'cmi.max_time_allowed': 'PT10S', 'cmi.time_limit_action': 'exit,message' });
  const { maxTimeAllowed: _omitted, ...unlimited } = unit;
  t.notOk('cmi.max_time_allowed' in initialCmi('scorm2004', unlimited, { id: 'u1', name: 'Learner' }, null), 'none without a limit');
});
