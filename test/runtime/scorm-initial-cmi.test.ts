/**
 * SCORM 2004 cmi.objectives at launch: the activity's objectives with what sequencing knows (global objectives read
 * in), then, on resume, those the SCO wrote itself.
 */
import t from 'tap';
import { initialCmi } from '../../src/runtime/scorm-initial-cmi.js';
import { readCmi, type ScormCmiState } from '../../src/runtime/scorm-to-xapi/index.js';
import { deliveredObjectives, evaluateSequencing } from '../../src/runtime/sequencing/index.js';
import { attempts, demoCourse } from './sequencing/helpers.js';

const unit = { identifier: 'ITEM-TEST', title: { en: 'Test' }, launchUrl: 'test/index.html', external: false, isVisible: true };
const learner = { id: 'u1', name: 'Learner' };

t.test('a new attempt: declared objectives, with the global values they read', async (t) => {
  const cmi = initialCmi('scorm2004', unit, learner, null, [{ id: 'obj-test-passed' }, { id: 'obj-lesson-prerequisite', success: 'passed', scaled: 0.75 }]);
  t.match(cmi, {
    'cmi.objectives.0.id': 'obj-test-passed',
    'cmi.objectives.1.id': 'obj-lesson-prerequisite',
    'cmi.objectives.1.success_status': 'passed',
    'cmi.objectives.1.score.scaled': 0.75,
  });
  t.notOk('cmi.objectives.0.success_status' in cmi, 'unknown stays unset');
  t.notOk('cmi.objectives.0.id' in initialCmi('scorm12', unit, learner, null, [{ id: 'x', success: 'passed' }]), 'SCORM 1.2 has no sequencing objectives');
});

t.test('resume: the SCO\'s own objectives come back, the global value wins for a mapped one', async (t) => {
  const previous = readCmi('scorm2004', {
    runtimeData: { cmi: { objectives: { 0: { id: 'obj-lesson-prerequisite', success_status: 'failed' }, 1: { id: 'own-objective', success_status: 'passed', completion_status: 'completed', score: { scaled: 0.5 } } } } },
  }) as ScormCmiState;
  const cmi = initialCmi('scorm2004', unit, learner, previous, [{ id: 'obj-lesson-prerequisite', success: 'passed' }]);
  t.match(cmi, {
    'cmi.entry': 'resume',
    'cmi.objectives.0.id': 'obj-lesson-prerequisite',
    'cmi.objectives.0.success_status': 'passed',
    'cmi.objectives.1.id': 'own-objective',
    'cmi.objectives.1.success_status': 'passed',
    'cmi.objectives.1.completion_status': 'completed',
    'cmi.objectives.1.score.scaled': 0.5,
  });
});

t.test('deliveredObjectives: the test of the demo course reads the lesson\'s global objective (SN §4.2.1.2)', async (t) => {
  const model = await demoCourse();
  t.same(deliveredObjectives(evaluateSequencing(model, []), 'ITEM-TEST'), [{ id: 'obj-test-passed' }, { id: 'obj-lesson-prerequisite' }], 'nothing known before the lesson');
  t.same(deliveredObjectives(evaluateSequencing(model, attempts().pass('ITEM-LESSON').list), 'ITEM-TEST'), [{ id: 'obj-test-passed' }, { id: 'obj-lesson-prerequisite', success: 'passed' }], 'the lesson passed: the test sees it');
  t.same(deliveredObjectives(evaluateSequencing(model, attempts().fail('ITEM-LESSON').list), 'ITEM-TEST'), [{ id: 'obj-test-passed' }, { id: 'obj-lesson-prerequisite', success: 'failed' }]);
  t.same(deliveredObjectives(evaluateSequencing(model, []), 'NO-SUCH-ITEM'), []);
});
