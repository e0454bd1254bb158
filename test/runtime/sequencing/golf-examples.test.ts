/**
 * The sequencing of Rustici's golf examples (../shared/fixtures/scorm2004/Sequencing*.zip), evaluated on the server
 * from attempts: each test names the SN behaviour the example was written to show.
 */
import t from 'tap';
import { courseStatus, evaluateSequencing, tableOfContents, type NavigationDecision } from '../../../src/runtime/sequencing/index.js';
import { attempts, sequencingFixture } from './helpers.js';

const delivered = (decision: NavigationDecision) => (decision.ok ? decision.deliver.id : `refused ${decision.code}`);

t.test('ForcedSequential: each SCO is disabled until the previous one is satisfied; choice backwards, flow forwards', async (t) => {
  const model = await sequencingFixture('ForcedSequential_SCORM20043rdEdition');
  const fresh = evaluateSequencing(model, attempts().add('playing_item', { completion: 'incomplete' }, { suspended: true }).list);
  t.equal(delivered(fresh.navigate('playing_item', { target: 'etuqiette_item' })), 'refused sequencing-disabled', 'choice of the next SCO before the first is satisfied');
  t.equal(delivered(fresh.navigate('playing_item', { request: 'continue' })), 'refused sequencing-disabled', 'continue to it as well (disabled stops flow, it is not skipped)');
  t.equal(delivered(fresh.navigate('playing_item', { request: 'previous' })), 'refused sequencing-start');
  const refusal = fresh.navigate('playing_item', { target: 'etuqiette_item' });
  t.match(refusal, { ok: false, activity: 'etuqiette_item', message: /"Etiquette" is not available yet/ }, 'the refusal names the activity');
  t.same(
    tableOfContents(model, attempts().add('playing_item', { completion: 'incomplete' }, { suspended: true }).list, 'playing_item').map((e) => [e.identifier, e.depth, e.disabled, e.current, e.status]),
    [
      ['playing_item', 0, false, true, 'incomplete'],
      ['etuqiette_item', 0, true, false, undefined],
      ['handicapping_item', 0, true, false, undefined],
      ['havingfun_item', 0, true, false, undefined],
      ['assessment_item', 0, true, false, undefined],
    ],
    'the table of contents marks the later SCOs disabled',
  );

  const played = attempts().pass('playing_item').add('etuqiette_item', { completion: 'incomplete' }, { suspended: true });
  const second = evaluateSequencing(model, played.list);
  t.equal(delivered(second.navigate('etuqiette_item', { target: 'playing_item' })), 'playing_item', 'choice backwards is allowed');
  t.equal(delivered(second.navigate('etuqiette_item', { request: 'previous' })), 'playing_item', 'so is previous');
  t.equal(delivered(second.navigate('etuqiette_item', { target: 'handicapping_item' })), 'refused sequencing-disabled', 'the SCO after the current one is still disabled');
  t.equal(delivered(evaluateSequencing(model, attempts().pass('playing_item').list).navigate('playing_item', { request: 'continue' })), 'etuqiette_item', 'continue goes on once the SCO is satisfied (its global objective is read by the next)');
  t.match(second.tracking.globals.get('com.scorm.golfsamples.sequencing.forcedsequential.playing_satisfied'), { satisfiedKnown: true, satisfied: true }, 'the global objective was written');

  const failedFirst = evaluateSequencing(model, attempts().fail('playing_item').list);
  t.equal(delivered(failedFirst.navigate('playing_item', { request: 'continue' })), 'refused sequencing-disabled', 'a failed objective does not open the next SCO');

  const all = attempts().pass('playing_item').pass('etuqiette_item').pass('handicapping_item').pass('havingfun_item').pass('assessment_item');
  t.equal(delivered(evaluateSequencing(model, all.list).navigate('havingfun_item', { request: 'continue' })), 'assessment_item');
  t.equal(delivered(evaluateSequencing(model, all.list).navigate('assessment_item', { request: 'continue' })), 'refused sequencing-end');
  t.match(courseStatus(model, all.list), { completion: 'completed', success: 'passed' }, 'every SCO satisfied and completed rolls up to the course');
  // SN RB.1.2/RB.1.3 default rules act on all children: with the others not attempted, nothing is known yet.
  t.match(courseStatus(model, attempts().pass('playing_item').list), { success: 'unknown', completion: 'unknown' }, 'one SCO alone does not');
  t.match(courseStatus(model, all.list.slice(0, 4).concat(attempts().fail('assessment_item').list.map((a) => ({ ...a, createdMs: 9000 })))), { success: 'failed', completion: 'completed' }, 'one failed: the course is not satisfied');
});

t.test('SimpleRemediation: satisfied activities are skipped by flow; choice is off', async (t) => {
  const model = await sequencingFixture('SimpleRemediation_SCORM20043rdEdition');
  const fresh = evaluateSequencing(model, attempts().add('playing_item', { completion: 'completed' }).list);
  t.equal(delivered(fresh.navigate('playing_item', { request: 'continue' })), 'etuqiette_item', 'nothing satisfied: the next SCO');
  t.equal(delivered(fresh.navigate('playing_item', { target: 'handicapping_item' })), 'refused sequencing-choice-not-allowed', 'the wrapper does not allow choice');
  t.match(fresh.navigate('playing_item', { target: 'handicapping_item' }), { message: /does not allow choosing its activities/ });

  // The quizzes of playing and etiquette were passed (they write the globals the lessons and quizzes read).
  const remediation = attempts().pass('test_1', 0.9).pass('test_2', 1).fail('test_3', 0.4).fail('test_4', 0.2).add('playing_item', { completion: 'completed' });
  const state = evaluateSequencing(model, remediation.list);
  t.equal(delivered(state.navigate('playing_item', { request: 'continue' })), 'handicapping_item', 'the etiquette lesson is skipped: its objective is satisfied');
  t.equal(delivered(state.navigate('handicapping_item', { request: 'previous' })), 'refused sequencing-start', 'backwards, both satisfied lessons are skipped and nothing is left');
  t.equal(delivered(state.navigate('havingfun_item', { request: 'continue' })), 'test_3', 'the passed quizzes are skipped');
  t.same(
    tableOfContents(model, remediation.list, 'playing_item').map((e) => [e.identifier, e.depth]).slice(0, 2),
    [['playing_item', 0], ['etuqiette_item', 0]],
    'the invisible wrapper is not listed; its items move up',
  );
  t.match(courseStatus(model, remediation.list), { success: 'failed' }, 'two quizzes failed: the course is not satisfied');
  const allPassed = attempts().pass('test_1').pass('test_2').pass('test_3').pass('test_4');
  t.match(courseStatus(model, allPassed.list), { success: 'passed' }, 'every quiz passed: the course is');
});

t.test('PostTestRollup: the course status comes from the post-test alone', async (t) => {
  const model = await sequencingFixture('PostTestRollup_SCORM20043rdEdition');
  const content = () => attempts().pass('playing_item').pass('etuqiette_item').pass('handicapping_item').pass('havingfun_item');
  t.match(courseStatus(model, content().list), { completion: 'unknown', success: 'unknown', attempted: true }, 'all content done, no post-test: nothing rolls up');
  t.notOk('scaled' in courseStatus(model, content().list)!, 'and no measure');
  t.match(courseStatus(model, content().fail('assessment_item', 0.5).list), { completion: 'completed', success: 'failed', scaled: 0.5 }, 'the post-test failed: the course failed, with its score');
  t.match(courseStatus(model, content().fail('assessment_item', 0.5).pass('assessment_item', 0.9).list), { completion: 'completed', success: 'passed', scaled: 0.9 }, 'its latest attempt counts');
  t.match(courseStatus(model, attempts().fail('playing_item').pass('assessment_item', 1).list), { success: 'passed' }, 'a failed content SCO does not count');
  t.match(courseStatus(model, attempts().add('assessment_item', { completion: 'incomplete' }, { suspended: true }).list), { completion: 'incomplete', success: 'unknown' }, 'a post-test in progress: incomplete');
  t.equal(courseStatus({ ...model, format: 'scorm12' }, content().list), null, 'other formats have no rollup');
});

t.test('RandomTest: the post-test is disabled until the content is completed, and after two attempts', async (t) => {
  const model = await sequencingFixture('RandomTest_SCORM20043rdEdition');
  const content = () => attempts().add('playing_item', { completion: 'completed' }).add('etuqiette_item', { completion: 'completed' }).add('handicapping_item', { completion: 'completed' }).add('havingfun_item', { completion: 'completed' });
  const partly = evaluateSequencing(model, attempts().add('playing_item', { completion: 'completed' }).list);
  t.equal(delivered(partly.navigate('playing_item', { target: 'posttest_item' })), 'refused sequencing-disabled', 'content not completed: the post-test is disabled');
  t.equal(delivered(partly.navigate('playing_item', { target: 'test_1' })), 'refused sequencing-choice-not-allowed', 'its tests cannot be chosen');

  const ready = evaluateSequencing(model, content().list);
  t.match(ready.tracking.globals.get('com.scorm.golfsamples.sequencing.randomtest.content_completed'), { satisfiedKnown: true, satisfied: true }, 'the content wrapper rolled up to satisfied and wrote its global');
  // randomizationTiming onEachNewAttempt, reorderChildren: the first test of this attempt's order (randomization.test.ts).
  const first = ready.tree.byId.get('posttest_item')!.children[0]!.id;
  t.match(first, /^test_[1-4]$/);
  t.equal(delivered(ready.navigate('havingfun_item', { target: 'posttest_item' })), first, 'choosing the post-test enters it by flow');
  t.equal(delivered(ready.navigate('havingfun_item', { request: 'continue' })), first, 'so does continue');
  const toc = tableOfContents(model, content().list, 'havingfun_item');
  t.same(toc.map((e) => e.identifier), ['playing_item', 'etuqiette_item', 'handicapping_item', 'havingfun_item', 'posttest_item'], 'invisible tests and wrapper are not listed');
  t.match(toc.at(-1), { identifier: 'posttest_item', launchable: true, disabled: false });

  const once = evaluateSequencing(model, content().fail('test_1', 0.4).list);
  t.match(once.stateOf(once.tree.byId.get('posttest_item')!), { attemptCount: 1, active: false }, 'one test ended (exitParent): one attempt of the post-test');
  t.equal(delivered(once.navigate('test_1', { target: 'posttest_item' })), once.tree.byId.get('posttest_item')!.children[0]!.id, 'one attempt left');
  t.match(courseStatus(model, content().fail('test_1', 0.4).list), { completion: 'unknown', success: 'failed' });

  const twice = content().fail('test_1', 0.4).fail('test_2', 0.6);
  const spent = evaluateSequencing(model, twice.list);
  t.match(spent.stateOf(spent.tree.byId.get('posttest_item')!), { attemptCount: 2 }, 'two attempts of the post-test');
  t.equal(delivered(spent.navigate('test_2', { target: 'posttest_item' })), 'refused sequencing-disabled', 'attemptLimitExceeded disables it (precondition rule)');
  t.match(tableOfContents(model, twice.list, 'test_2').at(-1), { identifier: 'posttest_item', disabled: true, status: 'failed' });
  t.match(courseStatus(model, twice.list), { completion: 'completed', success: 'failed' }, 'the course is completed once no attempt is left');

  const passed = content().fail('test_1', 0.4).pass('test_3', 0.9);
  t.match(courseStatus(model, passed.list), { completion: 'completed', success: 'passed' }, 'a passed test satisfies the post-test and completes the course');
  t.equal(delivered(evaluateSequencing(model, passed.list).navigate('test_3', { target: 'posttest_item' })), 'refused sequencing-disabled', 'and closes it');

  const suspended = evaluateSequencing(model, content().fail('test_1', 0.4).add('test_2', { completion: 'incomplete' }, { suspended: true }).list);
  t.match(suspended.stateOf(suspended.tree.byId.get('posttest_item')!), { attemptCount: 2, active: true }, 'a test in progress keeps the post-test active: no limit applies yet');
});
