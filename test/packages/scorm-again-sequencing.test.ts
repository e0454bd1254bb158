/**
 * The generated `sequencing` setting must be exactly what scorm-again 3.4.3 accepts: build its
 * Scorm2004API in Node with it and check the activity tree it built.
 */
import t, { type Test } from 'tap';
import { Scorm2004API } from 'scorm-again';
import { toScormAgainSequencing, type CourseModel, type CourseNode } from '../../src/packages/index.js';
import { inspectFixture } from './helpers.js';

interface BuiltActivity {
  id: string;
  title: string;
  isVisible: boolean;
  children: BuiltActivity[];
  attemptLimit: number | null;
  sequencingControls: Record<string, unknown>;
  sequencingRules: { preConditionRules: unknown[]; exitConditionRules: unknown[]; postConditionRules: unknown[] };
  rollupRules: { rules: unknown[] };
  primaryObjective: { id: string } | null;
  objectives: { id: string }[];
  sharedDataMaps?: unknown[];
}

function buildApi(sequencing: unknown): BuiltActivity {
  const settings = { sequencing, useAsynchronousCommits: true, logLevel: 5, lmsCommitUrl: false };
  const warn = console.warn;
  console.warn = () => {}; // scorm-again warns that asynchronous commits are not SCORM compliant
  try {
    const api = new Scorm2004API(settings as ConstructorParameters<typeof Scorm2004API>[0]) as unknown as { _sequencing: { activityTree: { root: BuiltActivity } } };
    return api._sequencing.activityTree.root;
  } finally {
    console.warn = warn;
  }
}

function shape(nodes: readonly CourseNode[]): unknown[] {
  return nodes.map((n) => [n.identifier, n.isVisible, shape(n.children)]);
}
function builtShape(activities: readonly BuiltActivity[]): unknown[] {
  return activities.map((a) => [a.id, a.isVisible, builtShape(a.children)]);
}
function find(activity: BuiltActivity, id: string): BuiltActivity {
  if (activity.id === id) return activity;
  for (const child of activity.children) {
    const found = find(child, id) as BuiltActivity | undefined;
    if (found) return found;
  }
  return undefined as unknown as BuiltActivity;
}

async function modelOf(t: Test, fixture: string, options = {}): Promise<CourseModel> {
  const { result } = await inspectFixture(t, fixture, options);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.model;
}

const fixtures = [
  'scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip',
  'scorm2004/SequencingSimpleRemediation_SCORM20043rdEdition.zip',
  'scorm2004/SequencingRandomTest_SCORM20043rdEdition.zip',
  'scorm2004/SequencingPreOrPostTestRollup_SCORM20043rdEdition.zip',
  'scorm2004/SequencingPostTestRollup_SCORM20043rdEdition.zip',
  'scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip',
  'scorm2004/RuntimeBasicCalls_SCORM20043rdEdition.zip',
];

for (const fixture of fixtures) {
  t.test(`${fixture}: scorm-again builds the same activity tree`, async (t) => {
    const model = await modelOf(t, fixture);
    const sequencing = toScormAgainSequencing(model);
    t.ok(sequencing);
    t.same(JSON.parse(JSON.stringify(sequencing)), sequencing, 'plain JSON: it can be sent to the player page as is');
    const root = buildApi(sequencing);
    const org = model.organizations[0]!;
    t.equal(root.id, org.identifier);
    t.same(builtShape(root.children), shape(org.items), 'same activities, nesting and visibility');
  });
}

t.test('ForcedSequential: rules, controls and objectives arrive in scorm-again', async (t) => {
  const root = buildApi(toScormAgainSequencing(await modelOf(t, fixtures[0]!)));
  t.equal(root.sequencingControls['choice'], true);
  t.equal(root.sequencingControls['flow'], true);
  const etiquette = find(root, 'etuqiette_item');
  t.equal(etiquette.sequencingRules.preConditionRules.length, 1);
  t.equal(etiquette.primaryObjective?.id, 'etiquette_satisfied');
  t.same(etiquette.objectives.map((o) => o.id), ['previous_sco_satisfied']);
  t.equal(etiquette.sequencingControls['completionSetByContent'], true, 'delivery controls from the collection');
  t.equal(etiquette.sequencingControls['objectiveMeasureWeight'], 0, 'rollup controls from the collection');
});

t.test('RandomTest: attempt limit, randomization and rollup rules arrive in scorm-again', async (t) => {
  const root = buildApi(toScormAgainSequencing(await modelOf(t, fixtures[2]!)));
  const post = find(root, 'posttest_item');
  t.equal(post.attemptLimit, 2);
  t.equal(post.sequencingControls['reorderChildren'], true);
  t.equal(post.sequencingControls['randomizationTiming'], 'onEachNewAttempt');
  t.equal(post.sequencingControls['choice'], false);
  t.equal(post.sequencingRules.preConditionRules.length, 2);
  t.equal(post.sequencingRules.postConditionRules.length, 3);
  t.equal(post.rollupRules.rules.length, 2);
  t.equal(find(root, 'test_1').sequencingRules.postConditionRules.length, 1);
});

t.test('4th edition: shared data maps arrive in scorm-again', async (t) => {
  const root = buildApi(toScormAgainSequencing(await modelOf(t, fixtures[5]!)));
  t.same(find(root, 'playing_item').sharedDataMaps, [{ targetID: 'com.scorm.golfsamples.sequencing.forcedsequential.notesStorage', readSharedData: true, writeSharedData: true }]);
});

t.test('other formats have no scorm-again sequencing', async (t) => {
  t.equal(toScormAgainSequencing(await modelOf(t, 'scorm12/singlescobasic.zip')), undefined);
});
