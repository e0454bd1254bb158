/**
 * Selection and randomization of children (SN book 4th ed. §3.12, SR.1–SR.2): deterministic per registration and
 * cluster attempt, applied to flow, choice, rollup and the table of contents.
 */
import t from 'tap';
import { evaluateSequencing, tableOfContents } from '../../../src/runtime/sequencing/index.js';
import type { RandomizationControls } from '../../../src/packages/course-model.js';
import { attempts, FLOW, rule, syntheticCourse } from './helpers.js';

const SIX = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'];
const course = (controls: RandomizationControls) =>
  syntheticCourse(FLOW, [
    { id: 'intro' },
    {
      id: 'bank',
      sequencing: { ...FLOW, randomizationControls: controls, sequencingRules: { preConditionRules: [], exitConditionRules: [], postConditionRules: [] } },
      children: SIX.map((id) => ({ id, sequencing: { sequencingRules: { preConditionRules: [], exitConditionRules: [], postConditionRules: [rule('exitParent', [['always']])] } } })),
    },
  ]);
const order = (model: ReturnType<typeof course>, list: Parameters<typeof evaluateSequencing>[1], seed: string) => evaluateSequencing(model, list, { seed }).tree.byId.get('bank')!.children.map((child) => child.id);
const seeds = Array.from({ length: 8 }, (_, i) => `registration-${i}`);

t.test('reorderChildren: the same order for the same registration and attempt; another for another learner', async (t) => {
  const model = course({ randomizationTiming: 'once', reorderChildren: true });
  const orders = seeds.map((seed) => order(model, [], seed));
  for (const found of orders) t.same([...found].sort(), SIX, 'a permutation of the children');
  t.same(order(model, [], 'registration-0'), orders[0], 'deterministic: the same learner sees the same order again (resume)');
  t.ok(new Set(orders.map((found) => found.join())).size > 1, 'learners get different orders');
  t.not(orders.find((found) => found.join() !== SIX.join()), undefined, 'not document order for everyone');
  const after = attempts().pass('intro').pass(orders[0]![0]!).list;
  t.same(order(model, after, 'registration-0'), orders[0], 'once: a new attempt of the cluster keeps the order');
  t.same(order(course({}), [], 'registration-0'), SIX, 'without randomization controls: document order');
  t.same(order(course({ randomizationTiming: 'never', reorderChildren: true }), [], 'registration-0'), SIX, 'timing never: document order');
});

t.test('onEachNewAttempt: a new attempt of the cluster gets its own order, kept while the attempt lasts', async (t) => {
  const model = course({ randomizationTiming: 'onEachNewAttempt', reorderChildren: true });
  const changed = seeds.filter((seed) => {
    const first = order(model, [], seed);
    const during = order(model, attempts().add(first[0]!, { completion: 'incomplete' }, { suspended: true }).list, seed);
    if (during.join() !== first.join()) t.fail(`${seed}: the order changed during the attempt`);
    // The first question ended with exitParent: the cluster's attempt is over, the next one has its own order.
    return order(model, attempts().pass(first[0]!).list, seed).join() !== first.join();
  });
  t.ok(changed.length > 0, 'the order is drawn again for the next attempt');
  const seed = seeds[0]!;
  t.match(evaluateSequencing(model, attempts().pass('intro').list, { seed }).navigate('intro', { request: 'continue' }), { ok: true, deliver: { id: order(model, attempts().pass('intro').list, seed)[0] } }, 'flow enters the cluster at its first child in this order');
});

t.test('selectCount: that many children, in document order unless reordered; the others cannot be chosen', async (t) => {
  const model = course({ selectionTiming: 'once', selectCount: 3 });
  const selected = order(model, [], 'registration-3');
  t.equal(selected.length, 3);
  t.same(selected, SIX.filter((id) => selected.includes(id)), 'selection keeps document order (SR.1)');
  const left = SIX.find((id) => !selected.includes(id))!;
  const state = evaluateSequencing(model, [], { seed: 'registration-3' });
  t.match(state.navigate('intro', { target: left }), { ok: false, code: 'sequencing-not-selected' }, 'a child left out is not available');
  t.match(state.navigate('intro', { target: selected[1]! }), { ok: true }, 'a selected one is');
  const toc = tableOfContents(model, [], 'intro', { seed: 'registration-3' });
  t.same(toc.map((entry) => entry.identifier), ['intro', 'bank', ...selected], 'the table of contents lists the selected children only');
  const reordered = course({ selectionTiming: 'once', selectCount: 3, randomizationTiming: 'once', reorderChildren: true });
  const both = order(reordered, [], 'registration-3');
  t.same([...both].sort(), [...selected].sort(), 'randomization reorders the selection');
  t.same(tableOfContents(reordered, [], 'intro', { seed: 'registration-3' }).slice(2).map((entry) => entry.identifier), both, 'the table of contents in the drawn order');
  t.same(order(course({ selectionTiming: 'never', selectCount: 3 }), [], 'registration-3'), SIX, 'selection timing never: every child');
});

t.test('rollup counts the selected children only', async (t) => {
  const model = course({ selectionTiming: 'once', selectCount: 2 });
  const selected = order(model, [], 'registration-5');
  const list = attempts().pass('intro');
  for (const id of selected) list.pass(id);
  const state = evaluateSequencing(model, list.list, { seed: 'registration-5' });
  t.match(state.stateOf(state.tree.byId.get('bank')!), { completed: true, completionKnown: true }, 'both selected questions completed: the bank is completed');
  const state2 = evaluateSequencing(model, list.list, { seed: 'registration-5' });
  t.match(state2.stateOf(state2.tree.root), { completed: true }, 'and so is the course');
});

t.test('the first launch delivers what Start flows into (SB.2.5): the first child of the randomized order', async (t) => {
  const model = syntheticCourse({ ...FLOW, randomizationControls: { randomizationTiming: 'once', reorderChildren: true } }, SIX.map((id) => ({ id })));
  const firsts = seeds.map((seed) => {
    const state = evaluateSequencing(model, [], { seed });
    const started = state.start();
    t.match(started, { ok: true, deliver: { id: state.tree.root.children[0]!.id } }, `${seed}: the first of its order`);
    return started.ok ? started.deliver.id : '';
  });
  t.ok(new Set(firsts).size > 1, 'not the same first SCO for everyone');
  const skipFirst = syntheticCourse(FLOW, [{ id: 'pretest', sequencing: { sequencingRules: { preConditionRules: [rule('skip', [['always']])], exitConditionRules: [], postConditionRules: [] } } }, { id: 'lesson' }]);
  t.match(evaluateSequencing(skipFirst, []).start(), { ok: true, deliver: { id: 'lesson' } }, 'a skipped first activity is passed over');
  t.match(evaluateSequencing(syntheticCourse({ controlMode: { flow: false } }, [{ id: 'a' }]), []).start(), { ok: false, code: 'sequencing-flow-not-allowed' }, 'no flow at the root: nothing (the runtime opens the first visible SCO)');
});
