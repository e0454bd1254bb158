/**
 * Exit action rules and post-condition rules as navigation (SN book 4th ed. TB.2.1–TB.2.3): once the SCO's attempt
 * has ended, the rules decide what a request delivers — a retry, a continue or previous, the end of the course.
 */
import t from 'tap';
import { evaluateSequencing, type SequencingOutcome } from '../../../src/runtime/sequencing/index.js';
import { attempts, FLOW, rule, sequencingFixture, syntheticCourse } from './helpers.js';

const outcome = (result: SequencingOutcome) => (!result.ok ? `refused ${result.code}` : result.deliver ? result.deliver.id : `end ${result.end}`);

t.test('RandomTest: a failed test retries the post-test (new attempt, new order); the second failure or a pass ends the course', async (t) => {
  const model = await sequencingFixture('RandomTest_SCORM20043rdEdition');
  const seed = { seed: 'registration-1' };
  const content = () => attempts().add('playing_item', { completion: 'completed' }).add('etuqiette_item', { completion: 'completed' }).add('handicapping_item', { completion: 'completed' }).add('havingfun_item', { completion: 'completed' });
  const firstTest = evaluateSequencing(model, content().list, seed).tree.byId.get('posttest_item')!.children[0]!.id;

  const failedOnce = content().fail(firstTest, 0.4);
  const state = evaluateSequencing(model, failedOnce.list, seed);
  const retried = state.process(firstTest, { request: 'continue' });
  const secondTest = state.tree.byId.get('posttest_item')!.children[0]!.id;
  t.equal(outcome(retried), secondTest, 'test exitParent, then the post-test\'s retry (not satisfied, an attempt left): the first test of the new attempt');
  t.match(retried, { rule: { activity: 'posttest_item', action: 'retry' } }, 'the rule that decided is named');
  t.equal(outcome(state.process(firstTest, { request: 'exit' })), secondTest, 'the same when the SCO ended without a navigation request');
  t.equal(outcome(state.process(firstTest, { target: 'playing_item' })), secondTest, 'the retry replaces a choice as well (SN OP.1)');
  t.equal(outcome(state.navigate(firstTest, { request: 'continue' })), 'refused sequencing-end', 'without the rules, continue would have left the post-test: the last activity');

  const failedTwice = failedOnce.fail(secondTest, 0.5);
  const spent = evaluateSequencing(model, failedTwice.list, seed).process(secondTest, { request: 'continue' });
  t.equal(outcome(spent), 'end course', 'attempt limit reached: exitAll');
  t.match(spent, { rule: { activity: 'posttest_item', action: 'exitAll' } });

  const passed = evaluateSequencing(model, content().fail(firstTest, 0.4).pass(secondTest, 0.9).list, seed).process(secondTest, { request: 'continue' });
  t.equal(outcome(passed), 'end course', 'a passed test: exitAll');

  const suspended = evaluateSequencing(model, content().add(firstTest, { completion: 'incomplete' }, { suspended: true }).list, seed);
  const next = suspended.process(firstTest, { request: 'continue' });
  t.notOk(next.rule, 'a suspended test is not over: no post-condition rule applies (TB.2.2 step 1)');
  t.equal(outcome(suspended.process(firstTest, { request: 'exit' })), 'end wait', 'and an exit leaves the choice to the learner');
});

t.test('SimpleRemediation: the last quiz exits its parent, whose retry sends the learner back to what is not satisfied', async (t) => {
  const model = await sequencingFixture('SimpleRemediation_SCORM20043rdEdition');
  const someFailed = attempts().pass('test_1', 0.9).pass('test_2', 1).fail('test_3', 0.4).fail('test_4', 0.2);
  const remediation = evaluateSequencing(model, someFailed.list).process('test_4', { request: 'continue' });
  t.match(remediation, { ok: true, rule: { activity: 'content_wrapper', action: 'retry' } });
  t.equal(outcome(remediation), 'handicapping_item', 'playing and etiquette are skipped (satisfied): handicapping is delivered');
  const allPassed = attempts().pass('test_1', 0.9).pass('test_2', 1).pass('test_3', 0.8).pass('test_4', 0.9);
  t.match(evaluateSequencing(model, allPassed.list).process('test_4', { request: 'continue' }), { ok: true, end: 'course', rule: { activity: 'content_wrapper', action: 'exitAll' } }, 'everything satisfied: exitAll');
});

t.test('exit action rules end an ancestor: continue goes on after it (TB.2.1)', async (t) => {
  const build = (exitRules: boolean) =>
    syntheticCourse(FLOW, [
      { id: 'module', sequencing: { ...FLOW, sequencingRules: { preConditionRules: [], exitConditionRules: exitRules ? [rule('exit', [['satisfied']])] : [], postConditionRules: [] } }, children: [{ id: 'a' }, { id: 'b' }] },
      { id: 'c' },
    ]);
  // The module is satisfied once one child is (a rollup rule), so its exit rule holds after `a` passed.
  const rollupAny = (model: ReturnType<typeof build>) => {
    const module = model.organizations[0]!.items[0]!;
    (module as { sequencing: object }).sequencing = { ...module.sequencing, rollupRules: { rules: [{ childActivitySet: 'any', minimumCount: 0, minimumPercent: 0, conditionCombination: 'any', conditions: [{ condition: 'satisfied', operator: 'noOp' }], action: 'satisfied' }] } };
    return model;
  };
  const passedA = attempts().pass('a').list;
  t.equal(outcome(evaluateSequencing(rollupAny(build(true)), passedA).process('a', { request: 'continue' })), 'c', 'the module exits: continue leaves it');
  t.equal(outcome(evaluateSequencing(rollupAny(build(false)), passedA).process('a', { request: 'continue' })), 'b', 'without the rule: the next SCO of the module');
  t.equal(outcome(evaluateSequencing(rollupAny(build(true)), attempts().fail('a').list).process('a', { request: 'continue' })), 'b', 'the rule does not hold: the next SCO');
});

t.test('post-condition actions: exitParent up the tree, continue, previous, exitAll, retryAll, retry of a SCO with its limit', async (t) => {
  const post = (...rules: ReturnType<typeof rule>[]) => ({ ...FLOW, sequencingRules: { preConditionRules: [], exitConditionRules: [], postConditionRules: rules } });
  const nested = (clusterRule: ReturnType<typeof rule>) =>
    syntheticCourse(FLOW, [
      { id: 'w' },
      { id: 'x', sequencing: post(clusterRule), children: [{ id: 'y', sequencing: post(rule('exitParent', [['always']])), children: [{ id: 'y1', sequencing: post(rule('exitParent', [['always']])) }, { id: 'y2' }] }] },
      { id: 'z' },
    ]);
  const endedY1 = attempts().add('w', { completion: 'completed' }).pass('y1').list;
  t.match(evaluateSequencing(nested(rule('continue', [['always']])), endedY1).process('y1', { target: 'y2' }), { ok: true, deliver: { id: 'z' }, rule: { activity: 'x', action: 'continue' } }, 'exitParent twice, then continue from the cluster: past its remaining SCO');
  t.equal(outcome(evaluateSequencing(nested(rule('previous', [['always']])), endedY1).process('y1', { request: 'continue' })), 'w', 'previous from the cluster');
  t.equal(outcome(evaluateSequencing(nested(rule('exitAll', [['always']])), endedY1).process('y1', { request: 'continue' })), 'end course', 'exitAll');
  t.equal(outcome(evaluateSequencing(nested(rule('retryAll', [['always']])), endedY1).process('y1', { request: 'continue' })), 'w', 'retryAll: the course from its first SCO');
  t.equal(outcome(evaluateSequencing(nested(rule('retry', [['always']])), endedY1).process('y1', { request: 'continue' })), 'y1', 'retry of the cluster: its first SCO again');
  t.equal(outcome(evaluateSequencing(nested(rule('exitParent', [['always']])), endedY1).process('y1', { request: 'continue' })), 'end course', 'exits up to the root: the course ends (TB.2.3)');
  t.equal(outcome(evaluateSequencing(nested(rule('retry', [['satisfied', 'not']])), endedY1).process('y1', { request: 'continue' })), 'z', 'a rule that does not hold: the request goes on from where the exits left it');

  const test = syntheticCourse(FLOW, [{ id: 'lesson' }, { id: 'test', sequencing: { ...post(rule('retry', [['satisfied', 'not']])), limitConditions: { attemptLimit: 2 } } }, { id: 'end' }]);
  t.match(evaluateSequencing(test, attempts().fail('test').list).process('test', { request: 'continue' }), { ok: true, deliver: { id: 'test' }, rule: { activity: 'test', action: 'retry' } }, 'a failed test is delivered again (a new attempt)');
  t.equal(outcome(evaluateSequencing(test, attempts().fail('test').fail('test').list).process('test', { request: 'continue' })), 'refused sequencing-attempt-limit', 'but not past its attempt limit');
  t.equal(outcome(evaluateSequencing(test, attempts().pass('test').list).process('test', { request: 'continue' })), 'end', 'passed: the rule does not hold, continue goes on');
  t.equal(outcome(evaluateSequencing(test, attempts().fail('test').list).process('test', { request: 'exit' })), 'test', 'the SCO ended by itself (exit request): the retry still applies');
  t.equal(outcome(evaluateSequencing(test, attempts().pass('test').list).process('test', { request: 'exit' })), 'end wait', 'exit without a rule: the learner chooses (SB.2.11)');
  t.equal(outcome(evaluateSequencing(test, attempts().add('test', { completion: 'completed', success: 'failed' }, { suspended: true }).list).process('test', { request: 'continue' })), 'end', 'suspended: no rule, continue');
});
