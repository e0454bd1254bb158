import t from 'tap';
import type { LaunchableUnit } from '../../src/packages/index.js';
import { memoryFiles } from '../../src/packages/package-files.js';
import { parseScorm12Manifest } from '../../src/packages/scorm12-parser.js';
import { parseXml } from '../../src/packages/xml.js';
import { inspectFixture, unitTitles } from './helpers.js';

const golf18 = [
  'How to Play', 'Par', 'Keeping Score', 'Other Scoring Systems', 'The Rules of Golf', 'Playing Golf Quiz',
  'Taking Care of the Course', 'Avoiding Distraction', 'Playing Politely', 'Etiquette Quiz',
  'Handicapping Overview', 'Calculating a Handicap', 'Calculating a Handicapped Score', 'Handicapping Example', 'Handicapping Quiz',
  'How to Have Fun Playing Golf', 'How to Make Friends Playing Golf', 'Having Fun Quiz',
];
const eXeLevels = ['Level 1', 'Level 2-1', 'Level 3-1', 'Level 4-1', 'Level 3-2', 'Level 4-2', 'Level 2-2', 'Level 3-3', 'Level 3-4', 'Level 4-3', 'Level 2-3', 'Level 3-5', 'Level 3-6'];

// Numbers and titles read from each fixture's imsmanifest.xml.
const valid: { fixture: string; title: string; units: string[]; launch: string; options?: { requireLaunchFiles: boolean } }[] = [
  { fixture: 'scorm12/singlescobasic.zip', title: 'Golf Explained - Run-time Basic Calls', units: ['Golf Explained'], launch: 'shared/launchpage.html' },
  { fixture: 'scorm12/singlesco_scorm12.zip', title: 'Golf Explained - CP Single SCO', units: ['Golf Explained'], launch: 'shared/launchpage.html' },
  { fixture: 'scorm12/RuntimeMinimumCalls_SCORM12.zip', title: 'Golf Explained - Minimum Run-time Calls', units: golf18.map((u) => (u === 'Par' ? 'Par?' : u)), launch: 'Playing/Playing.html' },
  {
    fixture: 'scorm12/RuntimeMinimumCalls_SCORM12-mini.zip',
    title: 'Golf Explained - Minimum Run-time Calls',
    units: ['How to Play', 'Par?', 'Keeping Score', 'Other Scoring Systems', 'The Rules of Golf', 'Playing Golf Quiz', 'How to Have Fun Playing Golf', 'How to Make Friends Playing Golf', 'Having Fun Quiz'],
    launch: 'Playing/Playing.html',
  },
  { fixture: 'scorm12/ContentPackagingOneFilePerSCO_SCORM12.zip', title: 'Golf Explained - CP One File Per SCO', units: golf18, launch: 'Playing/Playing.html' },
  {
    fixture: 'scorm12/complexscorm.zip',
    title: 'The organization',
    units: ['The first content (one SCO)', 'The second content (one SCO too)', 'Third content (this is an asset)', 'SCO with subscoes', 'Sub-SCO', 'Sub-Sub-SCO', 'SCO not visible', 'SCO with prerequisite (first and secon SCO)'],
    launch: 'index.html',
  },
  { fixture: 'scorm12/multi_level.zip', title: 'Level 1', units: eXeLevels, launch: 'index.html' },
  { fixture: 'scorm12/multisco_w_status_w_raw_score.zip', title: 'Level 1', units: eXeLevels, launch: 'index.html' },
  { fixture: 'scorm12/overview_test.zip', title: 'SCORM Quiz', units: ['Home'], launch: 'index.html' },
  { fixture: 'scorm12/ContentPackagingWithMetadata_SCORM12.zip', title: 'SCORM 1.2 With Metadata', units: ['SCORM 1.2 With Metadata'], launch: 'index.html' },
  { fixture: 'scorm12/LaunchUrlFromNestedItem_SCORM12.zip', title: 'Launch URL From Nested Item Test', units: ['Topic 1.1.1.1', 'Section 2.1.1'], launch: 'content/topic1.html' },
  { fixture: 'scorm12/MultipleItemsWithIdentifierRef_SCORM12.zip', title: 'Multiple Items With IdentifierRef Test', units: ['Item 1', 'Item 2', 'Item 3'], launch: 'content/item1.html' },
  {
    fixture: 'scorm12/PrerequisitesTest_SCORM12.zip',
    title: 'Prerequisites Test Course',
    units: ['Module 1: Introduction', 'Module 2: Basic Concepts', 'Module 3: Advanced Topics', 'Module 4: Assessment'],
    launch: 'module1.html',
  },
  {
    // Manifest only: its resources' files are absent, so it imports only when missing launch files are tolerated.
    fixture: 'scorm12/ComplexNestedOrganization_SCORM12.zip',
    title: 'Complex Nested Organization Test',
    units: ['Module 1', 'Chapter 1.1', 'Section 1.1.1', 'Topic 1.1.1.1', 'Topic 1.1.1.2', 'Section 1.1.2', 'Chapter 1.2', 'Module 2', 'Chapter 2.1', 'Section 2.1.1', 'Module 3'],
    launch: 'content/module1.html',
    options: { requireLaunchFiles: false },
  },
];

for (const c of valid) {
  t.test(`${c.fixture}: ${c.units.length} unit(s)`, async (t) => {
    const { result } = await inspectFixture(t, c.fixture, c.options);
    t.ok(result.ok, result.ok ? '' : JSON.stringify(result.errors));
    if (!result.ok) return;
    t.equal(result.model.format, 'scorm12');
    t.equal(result.model.title['und'], c.title);
    t.same(unitTitles(result), c.units);
    t.equal(result.model.units[0]?.launchUrl, c.launch, 'the first unit launches first');
    t.ok(result.files.includes('imsmanifest.xml'));
  });
}

t.test('ContentPackagingOneFilePerSCO: aggregations, assets, parameters, dependencies', async (t) => {
  const { result } = await inspectFixture(t, 'scorm12/ContentPackagingOneFilePerSCO_SCORM12.zip');
  if (!result.ok) return t.fail('import failed');
  const org = result.model.organizations[0]!;
  t.same(org.items.map((i) => i.title['und']), ['Playing the Game', 'Etiquette', 'Handicapping', 'Having Fun']);
  t.notOk(org.items[0]!.unit, 'an aggregation without identifierref is not launchable');
  const quiz = result.model.units.find((u) => u.identifier === 'playing_quiz_item')!;
  t.equal(quiz.launchParameters, '?questions=Playing');
  t.equal(quiz.scormType, 'asset');
});

t.test('ComplexNestedOrganization: without its files the package is rejected, naming each missing launch file', async (t) => {
  const { result } = await inspectFixture(t, 'scorm12/ComplexNestedOrganization_SCORM12.zip');
  t.notOk(result.ok);
  if (result.ok) return;
  t.equal(result.errors.length, 12, 'one per unit, alternate organization included');
  t.match(result.errors[0], { code: 'launch-file-missing', file: 'imsmanifest.xml', element: /^manifest\/resources\/resource\[\d+\]$/ });
});

t.test('ComplexNestedOrganization keeps both organizations and the default one', async (t) => {
  const { result } = await inspectFixture(t, 'scorm12/ComplexNestedOrganization_SCORM12.zip', { requireLaunchFiles: false });
  if (!result.ok) return t.fail('import failed');
  t.same(result.model.organizations.map((o) => o.identifier), ['default_org', 'alternate_org']);
  t.equal(result.model.defaultOrganization, 'default_org');
  t.equal(result.model.organizations[0]!.items[0]!.children[0]!.children[0]!.children.length, 2, 'four levels deep');
});

t.test('complexscorm: wrong default organization falls back to the first, with a warning; asset, isvisible, prerequisites, junk', async (t) => {
  const { result, target } = await inspectFixture(t, 'scorm12/complexscorm.zip');
  if (!result.ok) return t.fail('import failed');
  t.equal(result.model.defaultOrganization, 'mm-SCORMDEbugger555f231e21b982c25d16');
  t.ok(result.warnings.some((w) => w.code === 'default-organization-missing'));
  t.ok(result.warnings.some((w) => w.code === 'junk-ignored'));
  t.notOk(result.files.some((f) => f.startsWith('__MACOSX') || f.endsWith('.DS_Store')), 'junk not extracted');
  const byTitle = (title: string) => result.model.units.find((u) => u.title['und'] === title) as LaunchableUnit;
  t.equal(byTitle('Third content (this is an asset)').scormType, 'asset');
  t.equal(byTitle('SCO not visible').isVisible, false);
  t.same(byTitle('SCO with prerequisite (first and secon SCO)').prerequisites, {
    type: 'aicc_script',
    expression: 'mm-ITEM-SCORMDEbugger555f231e21b982c25s01 & mm-ITEM-SCORMDEbugger555f231e21b982c25s02',
  });
  t.equal(result.model.organizations[0]!.items[3]!.children[0]!.children[0]!.title['und'], 'Sub-Sub-SCO');
  t.ok(target);
});

t.test('PrerequisitesTest: every adlcp extension', async (t) => {
  const { result } = await inspectFixture(t, 'scorm12/PrerequisitesTest_SCORM12.zip');
  if (!result.ok) return t.fail('import failed');
  const [m1, m2, m3, m4] = result.model.units as [LaunchableUnit, LaunchableUnit, LaunchableUnit, LaunchableUnit];
  t.equal(m1.masteryScore, 80);
  t.equal(m1.maxTimeAllowed, '02:30:00');
  t.notOk(m1.prerequisites, 'an empty prerequisites element means none');
  t.same(m2.prerequisites, { type: 'aicc_script', expression: 'module1' });
  t.equal(m2.dataFromLms, 'custom_data_for_module2', 'dataFromLMS in camel case is read too');
  t.equal(m3.prerequisites?.expression, 'module1 AND module2');
  t.equal(m3.timeLimitAction, 'exit,message');
  t.equal(m4.prerequisites?.expression, '(module1 AND module2) OR module3');
  t.equal(m4.masteryScore, 90);
});

t.test('ContentPackagingWithMetadata: datafromlms and the external metadata file', async (t) => {
  const { result } = await inspectFixture(t, 'scorm12/ContentPackagingWithMetadata_SCORM12.zip');
  if (!result.ok) return t.fail('import failed');
  t.equal(result.model.units[0]?.dataFromLms, 'RANDOM');
  t.equal(result.model.metadata.location, 'metadata.xml');
  t.equal(result.model.metadata.schemaVersion, '1.2');
});

const manifest = (resources: string, opts: { base?: string; items?: string } = {}) => `<?xml version="1.0"?>
<manifest identifier="m" ${opts.base ? `xml:base="${opts.base}"` : ''} xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>T</title>
    ${opts.items ?? '<item identifier="i" identifierref="r"><title>Unit</title></item>'}</organization></organizations>
  ${resources}
</manifest>`;
const parse = (xml: string, files: Record<string, string>) => parseScorm12Manifest(parseXml(Buffer.from(xml), 'imsmanifest.xml'), memoryFiles(files));

t.test('xml:base on manifest, resources and resource is applied', async (t) => {
  const result = parse(
    manifest('<resources xml:base="content/"><resource identifier="r" type="webcontent" adlcp:scormtype="sco" xml:base="unit1/" href="start.html?x=1"/></resources>', { base: 'course/' }),
    { 'course/content/unit1/start.html': '' },
  );
  t.ok(result.ok, result.ok ? '' : JSON.stringify(result.errors));
  if (result.ok) t.equal(result.model.units[0]?.launchUrl, 'course/content/unit1/start.html?x=1');
});

t.test('launch references that escape the package or use other schemes are errors', async (t) => {
  const outside = parse(manifest('<resources xml:base="../"><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="x.html"/></resources>'), {});
  t.match(outside, { ok: false, errors: [{ code: 'href-outside-package', element: 'manifest/resources/resource[1]' }] });
  const js = parse(manifest('<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="javascript:alert(1)"/></resources>'), {});
  t.match(js, { ok: false, errors: [{ code: 'href-scheme-forbidden' }] });
  const external = parse(manifest('<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="https://cdn.example.org/x.html"/></resources>'), {});
  t.match(external, { ok: true, warnings: [{ code: 'launch-url-external' }] });
});

t.test('a launch file differing only in case is reported with a hint', async (t) => {
  const result = parse(manifest('<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="Index.html"/></resources>'), { 'index.html': '' });
  t.match(result, { ok: false, errors: [{ code: 'launch-file-missing', message: /differs in upper\/lower case/ }] });
});

t.test('item rules: identifiers, titles, invalid values', async (t) => {
  const res = '<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="a.html"/></resources>';
  t.match(parse(manifest(res, { items: '<item identifierref="r"><title>X</title></item>' }), { 'a.html': '' }), { ok: false, errors: [{ code: 'item-identifier-missing', element: 'manifest/organizations/organization[1]/item[1]' }] });
  t.match(parse(manifest(res, { items: '<item identifier="i" identifierref="r"/>' }), { 'a.html': '' }), { ok: false, errors: [{ code: 'item-title-missing' }] });
  t.match(parse(manifest(res, { items: '<item identifier="i" identifierref="r"><title>X</title><adlcp:masteryscore>120</adlcp:masteryscore></item>' }), { 'a.html': '' }), { ok: false, errors: [{ code: 'invalid-value' }] });
  t.match(parse(manifest(res, { items: '<item identifier="i" identifierref="r"><title>X</title></item><item identifier="i" identifierref="r"><title>Y</title></item>' }), { 'a.html': '' }), { ok: false, errors: [{ code: 'item-identifier-duplicate', element: 'manifest/organizations/organization[1]/item[2]' }] });
});
