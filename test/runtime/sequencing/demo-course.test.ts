/**
 * The SCORM 2004 demo course (content-packages/scorm2004-interview-techniques): the test is disabled until the
 * lesson's objective, written to a global objective, is satisfied; the course's success is the test's.
 */
import t from 'tap';
import { courseStatus, evaluateSequencing, tableOfContents, type NavigationDecision } from '../../../src/runtime/sequencing/index.js';
import { attempts, demoCourse } from './helpers.js';

const delivered = (decision: NavigationDecision) => (decision.ok ? decision.deliver.id : `refused ${decision.code}`);
const GLOBAL = 'urn:cadet:demo:interview-techniques:lesson-studied';

t.test('the test opens once the lesson is studied', async (t) => {
  const model = await demoCourse();
  for (const [label, list] of [
    ['no attempt yet', []],
    ['the lesson started (status unknown)', attempts().add('ITEM-LESSON', null, { suspended: true }).list],
    ['the lesson in progress', attempts().add('ITEM-LESSON', { completion: 'incomplete' }, { suspended: true }).list],
  ] as const) {
    const state = evaluateSequencing(model, list);
    t.equal(delivered(state.navigate('ITEM-LESSON', { target: 'ITEM-TEST' })), 'refused sequencing-disabled', `${label}: choice of the test is refused`);
    t.equal(delivered(state.navigate('ITEM-LESSON', { request: 'continue' })), 'refused sequencing-disabled', `${label}: continue too`);
  }
  const refusal = evaluateSequencing(model, []).navigate('ITEM-LESSON', { target: 'ITEM-TEST' });
  t.match(refusal, { ok: false, activity: 'ITEM-TEST', message: '"Test" is not available yet: its sequencing rules disable it' });
  t.match(tableOfContents(model, attempts().add('ITEM-LESSON', { completion: 'incomplete' }, { suspended: true }).list, 'ITEM-LESSON'), [
    { identifier: 'ITEM-LESSON', depth: 0, launchable: true, current: true, disabled: false, status: 'incomplete' },
    { identifier: 'ITEM-TEST', depth: 0, launchable: true, current: false, disabled: true },
  ]);

  const studied = attempts().pass('ITEM-LESSON');
  const open = evaluateSequencing(model, studied.list);
  t.match(open.tracking.globals.get(GLOBAL), { satisfiedKnown: true, satisfied: true }, 'the lesson wrote its global objective');
  t.equal(delivered(open.navigate('ITEM-LESSON', { request: 'continue' })), 'ITEM-TEST', 'continue: the test');
  t.equal(delivered(open.navigate('ITEM-LESSON', { target: 'ITEM-TEST' })), 'ITEM-TEST', 'choice: the test');

  // A new attempt of the lesson reports nothing yet: the global objective keeps what the first attempt wrote.
  const again = studied.add('ITEM-TEST', { completion: 'incomplete' }, { suspended: true }).add('ITEM-LESSON', { completion: 'incomplete' }, { suspended: true });
  const revisit = evaluateSequencing(model, again.list);
  t.equal(delivered(revisit.navigate('ITEM-LESSON', { target: 'ITEM-TEST' })), 'ITEM-TEST', 'back in the lesson, the test stays open');
  t.equal(delivered(revisit.navigate('ITEM-TEST', { request: 'previous' })), 'ITEM-LESSON', 'previous from the test: the lesson');
  t.equal(delivered(revisit.navigate('ITEM-TEST', { target: 'ITEM-NOPE' })), 'refused sequencing-unknown-activity');
});

t.test('course status: success from the test only, completion from both', async (t) => {
  const model = await demoCourse();
  t.match(courseStatus(model, attempts().pass('ITEM-LESSON').list), { success: 'unknown', completion: 'unknown' }, 'the lesson alone');
  t.match(courseStatus(model, attempts().pass('ITEM-LESSON').fail('ITEM-TEST', 0.4).list), { success: 'failed', completion: 'completed', scaled: 0.4 });
  // satisfiedByMeasure with minNormalizedMeasure 0.8: the measure decides, whatever success_status says.
  t.match(courseStatus(model, attempts().pass('ITEM-LESSON').add('ITEM-TEST', { completion: 'completed', success: 'failed', scaled: 0.8 }).list), { success: 'passed', completion: 'completed', scaled: 0.8 });
  t.match(courseStatus(model, attempts().pass('ITEM-LESSON').add('ITEM-TEST', { completion: 'completed', success: 'passed' }).list), { success: 'unknown' }, 'satisfied by measure, without a measure: unknown');
  t.match(courseStatus(model, attempts().add('ITEM-LESSON', { completion: 'incomplete' }).pass('ITEM-TEST', 1).list), { success: 'passed', completion: 'incomplete' }, 'the lesson not completed: incomplete');
});
