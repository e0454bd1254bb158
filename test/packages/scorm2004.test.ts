import t, { type Test } from 'tap';
import type { CourseModel, CourseNode } from '../../src/packages/index.js';
import { memoryFiles } from '../../src/packages/package-files.js';
import { parseScorm2004Manifest } from '../../src/packages/scorm2004-parser.js';
import { parseXml } from '../../src/packages/xml.js';
import { inspectFixture, unitTitles } from './helpers.js';

const golf18 = [
  'How to Play', 'Par', 'Keeping Score', 'Other Scoring Systems', 'The Rules of Golf', 'Playing Golf Quiz',
  'Taking Care of the Course', 'Avoiding Distraction', 'Playing Politely', 'Etiquette Quiz',
  'Handicapping Overview', 'Calculating a Handicap', 'Calculating a Handicapped Score', 'Handicapping Example', 'Handicapping Quiz',
  'How to Have Fun Playing Golf', 'How to Make Friends Playing Golf', 'Having Fun Quiz',
];
const five = ['Playing the Game', 'Etiquette', 'Handicapping', 'Having Fun', 'Quiz'];
const manifestOnly = { requireLaunchFiles: false };

// Numbers and titles read from each fixture's imsmanifest.xml.
const valid: { fixture: string; edition: '2nd' | '3rd' | '4th'; title: string; units: string[]; options?: { requireLaunchFiles: boolean } }[] = [
  { fixture: 'scorm2004/RuntimeBasicCalls_SCORM20043rdEdition.zip', edition: '3rd', title: 'Golf Explained - Run-time Basic Calls', units: ['Golf Explained'] },
  { fixture: 'scorm2004/ContentPackagingSingleSCO_SCORM20042ndEdition.zip', edition: '2nd', title: 'Golf Explained - CP Single SCO', units: ['Golf Explained'] },
  { fixture: 'scorm2004/ContentPackagingNoSchemaVersion_SCORM20042ndEdition.zip', edition: '2nd', title: 'Minimal 2nd Edition No SchemaVersion', units: ['Launch Item'], options: manifestOnly },
  { fixture: 'scorm2004/ContentPackagingOneFilePerSCO_SCORM20043rdEdition.zip', edition: '3rd', title: 'Golf Explained - CP One File Per SCO', units: golf18 },
  { fixture: 'scorm2004/ContentPackagingMetadata_SCORM20043rdEdition.zip', edition: '3rd', title: 'Golf Explained - Metadata Example', units: ['Golf Explained'] },
  { fixture: 'scorm2004/RuntimeMinimumCalls_SCORM20043rdEdition.zip', edition: '3rd', title: 'Golf Explained - Minimum Run-time Calls', units: golf18 },
  { fixture: 'scorm2004/RunTimeAdvancedCalls_SCORM20043rdEdition.zip', edition: '3rd', title: 'Golf Explained - Run-time Advanced Calls', units: ['Golf Explained'] },
  { fixture: 'scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip', edition: '3rd', title: 'Golf Explained - Sequencing Forced Order', units: five },
  {
    fixture: 'scorm2004/SequencingSimpleRemediation_SCORM20043rdEdition.zip',
    edition: '3rd',
    title: 'Golf Explained - Simple Remediation',
    units: ['Playing the Game', 'Etiquette', 'Handicapping', 'Having Fun', 'Playing Quiz', 'Etiquette Quiz', 'Handicapping Quiz', 'Having Fun Quiz'],
  },
  { fixture: 'scorm2004/SequencingRandomTest_SCORM20043rdEdition.zip', edition: '3rd', title: 'Golf Explained - Sequencing Random Test', units: ['Playing the Game', 'Etiquette', 'Handicapping', 'Having Fun', 'Test 1', 'Test 2', 'Test 3', 'Test 4'] },
  { fixture: 'scorm2004/SequencingPreOrPostTestRollup_SCORM20043rdEdition.zip', edition: '3rd', title: 'Golf Explained - Sequencing Pre or Post Test Rollup', units: ['Pre Test', 'Playing the Game', 'Etiquette', 'Handicapping', 'Having Fun', 'Post Test'] },
  { fixture: 'scorm2004/SequencingPostTestRollup_SCORM20043rdEdition.zip', edition: '3rd', title: 'Golf Explained - Sequencing Post Test Rollup', units: five },
  { fixture: 'scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip', edition: '4th', title: 'Golf Explained - 4th Edition Features', units: five },
  { fixture: 'scorm2004/MinimalValid_SCORM20043rdEdition.zip', edition: '3rd', title: 'Minimal Course', units: ['Launch'], options: manifestOnly },
  { fixture: 'scorm2004/AdlAttributes_SCORM20043rdEdition.zip', edition: '3rd', title: 'ADL Attributes Example', units: ['Launchable Item'], options: manifestOnly },
];

for (const c of valid) {
  t.test(`${c.fixture}: ${c.edition} edition, ${c.units.length} unit(s)`, async (t) => {
    const { result } = await inspectFixture(t, c.fixture, c.options);
    t.ok(result.ok, result.ok ? '' : JSON.stringify(result.errors));
    if (!result.ok) return;
    t.equal(result.model.format, 'scorm2004');
    t.equal(result.model.edition, c.edition);
    t.equal(result.model.title['und'], c.title);
    t.same(unitTitles(result), c.units);
  });
}

t.test('manifest-only fixtures are rejected by default: their launch file is missing', async (t) => {
  for (const fixture of ['scorm2004/MinimalValid_SCORM20043rdEdition.zip', 'scorm2004/AdlAttributes_SCORM20043rdEdition.zip']) {
    const { result } = await inspectFixture(t, fixture);
    t.match(result, { ok: false, errors: [{ code: 'launch-file-missing', message: /launches "index\.html", which is not in the package/ }] });
  }
});

async function model(t: Test, fixture: string, options = {}): Promise<CourseModel> {
  const { result } = await inspectFixture(t, fixture, options);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.model;
}

function node(m: CourseModel, id: string): CourseNode {
  const find = (nodes: readonly CourseNode[]): CourseNode | undefined => {
    for (const n of nodes) {
      if (n.identifier === id) return n;
      const inner = find(n.children);
      if (inner) return inner;
    }
    return undefined;
  };
  const found = find(m.organizations[0]!.items);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

t.test('edition detection: no schemaversion falls back to the namespaces, with a warning', async (t) => {
  const { result } = await inspectFixture(t, 'scorm2004/ContentPackagingNoSchemaVersion_SCORM20042ndEdition.zip', manifestOnly);
  t.match(result, { ok: true, warnings: [{ code: 'scorm-edition-assumed', message: /2nd edition from its namespaces/ }] });
});

t.test('ContentPackagingMetadata: multilingual title from the external LOM file', async (t) => {
  const m = await model(t, 'scorm2004/ContentPackagingMetadata_SCORM20043rdEdition.zip');
  t.same(m.title, { und: 'Golf Explained - Metadata Example', 'en-US': 'Golf Explained', es: 'Explicó Golf' });
  t.ok(m.languages.includes('en'));
  t.match(m.description?.['en-US'], /A high level overview of the sport of golf/);
});

t.test('AdlAttributes: dataFromLMS, timeLimitAction, completionThreshold, hideLMSUI, controlMode', async (t) => {
  const m = await model(t, 'scorm2004/AdlAttributes_SCORM20043rdEdition.zip', manifestOnly);
  const unit = m.units[0]!;
  t.equal(unit.dataFromLms, 'Launch Data');
  t.equal(unit.timeLimitAction, 'exit,message');
  t.same(unit.completionThreshold, { completedByMeasure: true, minProgressMeasure: 0.75, progressWeight: 1 });
  const item = node(m, 'item1');
  t.same(item.hideLmsUi, ['exit', 'continue']);
  t.same(item.sequencing?.controlMode, { choice: false, choiceExit: false, flow: true, forwardOnly: false, useCurrentAttemptObjectiveInfo: true, useCurrentAttemptProgressInfo: true });
});

t.test('ForcedSequential: sequencing collection merged by IDRef, global objectives, precondition rules', async (t) => {
  const m = await model(t, 'scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip');
  t.same(m.organizations[0]!.sequencing?.controlMode, { choice: true, flow: true });
  t.equal(m.metadata.objectivesGlobalToSystem, false);
  const etiquette = node(m, 'etuqiette_item').sequencing!;
  t.equal(etiquette.collectionRef, 'common_seq_rules');
  t.same(etiquette.deliveryControls, { completionSetByContent: true, objectiveSetByContent: true }, 'from the collection');
  t.same(etiquette.rollupRules, { objectiveMeasureWeight: 0, rules: [] }, 'from the collection');
  t.same(etiquette.sequencingRules?.preConditionRules, [{
    conditionCombination: 'any',
    action: 'disabled',
    conditions: [
      { condition: 'satisfied', operator: 'not', referencedObjective: 'previous_sco_satisfied' },
      { condition: 'objectiveStatusKnown', operator: 'not', referencedObjective: 'previous_sco_satisfied' },
    ],
  }]);
  t.match(etiquette.objectives, {
    primary: { objectiveID: 'etiquette_satisfied', mapInfo: [{ targetObjectiveID: 'com.scorm.golfsamples.sequencing.forcedsequential.etiquette_satisfied', readSatisfiedStatus: true, writeSatisfiedStatus: true, readNormalizedMeasure: true, writeNormalizedMeasure: false }] },
    others: [{ objectiveID: 'previous_sco_satisfied', mapInfo: [{ readSatisfiedStatus: true, writeSatisfiedStatus: false }] }],
  });
});

t.test('RandomTest: randomization, attempt limit, post-condition rules, rollup rules, invisible items', async (t) => {
  const m = await model(t, 'scorm2004/SequencingRandomTest_SCORM20043rdEdition.zip');
  const post = node(m, 'posttest_item').sequencing!;
  t.same(post.randomizationControls, { randomizationTiming: 'onEachNewAttempt', reorderChildren: true });
  t.same(post.limitConditions, { attemptLimit: 2 });
  t.same(post.sequencingRules?.postConditionRules.map((r) => r.action), ['retry', 'retry', 'exitAll']);
  t.same(post.rollupRules?.rules.map((r) => [r.childActivitySet, r.action, r.conditions]), [
    ['any', 'satisfied', [{ condition: 'satisfied', operator: 'noOp' }]],
    ['any', 'notSatisfied', [{ condition: 'satisfied', operator: 'not' }]],
  ]);
  const test1 = node(m, 'test_1');
  t.equal(test1.isVisible, false);
  t.equal(test1.unit?.launchParameters, '?content=assessment1');
  t.same(test1.hideLmsUi, ['suspendAll']);
  t.same(test1.sequencing?.sequencingRules?.postConditionRules, [{ conditionCombination: 'all', action: 'exitParent', conditions: [{ condition: 'always', operator: 'noOp' }] }], 'from the collection');
  t.equal(node(m, 'content_wrapper').isVisible, false);
  t.notOk(node(m, 'content_wrapper').unit, 'a cluster is not launchable');
});

t.test('4th edition: shared data maps, adlseq objectives merged into the map infos, progress weights', async (t) => {
  const m = await model(t, 'scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip');
  t.equal(m.metadata.sharedDataGlobalToSystem, false);
  const playing = node(m, 'playing_item');
  t.same(playing.unit?.sharedData, [{ targetID: 'com.scorm.golfsamples.sequencing.forcedsequential.notesStorage', readSharedData: true, writeSharedData: true }]);
  t.same(playing.completionThreshold, { progressWeight: 0.5 });
  t.match(playing.sequencing?.objectives?.primary, {
    objectiveID: 'playing_completed',
    mapInfo: [{ targetObjectiveID: 'com.scorm.golfsamples.sequencing.forcedsequential.playing_completed', readCompletionStatus: true, writeCompletionStatus: true, readSatisfiedStatus: false, writeSatisfiedStatus: false }],
  });
});

const manifest2004 = (body: string, collection = '') => `<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:ss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 3rd Edition</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>T</title>
    <item identifier="i" identifierref="r"><title>Unit</title>${body}</item></organization></organizations>
  <resources><resource identifier="r" type="webcontent" adlcp:scormType="sco" href="a.html"/></resources>
  ${collection}
</manifest>`;
const parse = (xml: string) => parseScorm2004Manifest(parseXml(Buffer.from(xml), 'imsmanifest.xml'), memoryFiles({ 'a.html': '' }));

t.test('sequencing errors name the element', async (t) => {
  t.match(parse(manifest2004('<ss:sequencing IDRef="nope"/>')), { ok: false, errors: [{ code: 'sequencing-collection-missing', element: 'manifest/organizations/organization[1]/item[1]/ss:sequencing[1]' }] });
  t.match(parse(manifest2004('<ss:sequencing><ss:controlMode flow="yes"/></ss:sequencing>')), { ok: false, errors: [{ code: 'sequencing-invalid', message: /flow="yes" must be true or false/ }] });
  t.match(parse(manifest2004('<ss:sequencing><ss:sequencingRules><ss:preConditionRule><ss:ruleConditions><ss:ruleCondition condition="sunny"/></ss:ruleConditions><ss:ruleAction action="skip"/></ss:preConditionRule></ss:sequencingRules></ss:sequencing>')), { ok: false, errors: [{ code: 'sequencing-invalid', message: /condition="sunny" is not one of/ }] });
  t.match(parse(manifest2004('<ss:sequencing><ss:limitConditions attemptLimit="-1"/></ss:sequencing>')), { ok: false, errors: [{ message: /attemptLimit="-1" must be a whole number/ }] });
});

t.test('a collection entry is overridden element by element by the item', async (t) => {
  const result = parse(manifest2004(
    '<ss:sequencing IDRef="c"><ss:controlMode choice="false"/></ss:sequencing>',
    '<ss:sequencingCollection><ss:sequencing ID="c"><ss:controlMode flow="true"/><ss:limitConditions attemptLimit="3"/></ss:sequencing></ss:sequencingCollection>',
  ));
  if (!result.ok) return t.fail(JSON.stringify(result.errors));
  t.same(result.model.organizations[0]!.items[0]!.sequencing, { controlMode: { choice: false }, limitConditions: { attemptLimit: 3 }, collectionRef: 'c' });
});
