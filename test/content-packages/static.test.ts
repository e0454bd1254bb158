import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { packageDir } from './helpers.js';

/**
 * The demo packages' descriptors: well-formed, every file they name is in the folder, and the
 * structure each format needs (SCORM 2004 sequencing, cmi5 moveOn and masteryScore). Plus the
 * HTML rules every package keeps: a language, a title, nothing loaded from outside the package.
 */
const PACKAGES = {
  'scorm12-evidence-handling': 'imsmanifest.xml',
  'scorm2004-interview-techniques': 'imsmanifest.xml',
  'xapi-cybercrime-response': 'tincan.xml',
  'cmi5-interpol-notices': 'cmi5.xml',
} as const;

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['item', 'resource', 'file', 'dependency', 'au', 'activity', 'imsss:objective', 'imsss:rollupRule', 'imsss:hideLMSUI', 'adlnav:hideLMSUI', 'correctResponsePattern', 'component', 'imsss:preConditionRule'].includes(name) });

function descriptor(pkg: keyof typeof PACKAGES): Node {
  return parser.parse(fs.readFileSync(path.join(packageDir(pkg), PACKAGES[pkg]), 'utf8')) as Node;
}

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name)).split(path.sep).join('/')]));
}

for (const [pkg, file] of Object.entries(PACKAGES)) {
  t.test(`${pkg}/${file} is well-formed XML`, async (t) => {
    const text = fs.readFileSync(path.join(packageDir(pkg), file), 'utf8');
    t.equal(XMLValidator.validate(text), true);
  });
}

function scormFiles(manifest: Node): { resources: Node[]; hrefs: string[] } {
  const resources = ((manifest.manifest as Node).resources as Node).resource as Node[];
  const hrefs = resources.flatMap((r) => [...(r['@href'] ? [r['@href'] as string] : []), ...((r.file as Node[] | undefined) ?? []).map((f) => f['@href'] as string)]);
  return { resources, hrefs };
}

for (const pkg of ['scorm12-evidence-handling', 'scorm2004-interview-techniques'] as const) {
  t.test(`${pkg}: every file the manifest names exists, and every course file is named`, async (t) => {
    const { resources, hrefs } = scormFiles(descriptor(pkg));
    for (const href of new Set(hrefs)) t.ok(fs.existsSync(path.join(packageDir(pkg), href)), `${href} exists`);
    const ids = new Set(resources.map((r) => r['@identifier']));
    for (const r of resources) for (const d of (r.dependency as Node[] | undefined) ?? []) t.ok(ids.has(d['@identifierref']), `dependency ${String(d['@identifierref'])} resolves`);
    const named = new Set(hrefs);
    const unnamed = walk(packageDir(pkg)).filter((f) => f !== 'imsmanifest.xml' && !named.has(f));
    t.same(unnamed, [], 'no file left out of the manifest');
  });
}

t.test('scorm12-evidence-handling: one organization, one SCO, mastery score 80', async (t) => {
  const m = descriptor('scorm12-evidence-handling').manifest as Node;
  t.equal((m.metadata as Node).schemaversion, 1.2);
  const orgs = m.organizations as Node;
  const org = orgs.organization as Node;
  t.notOk(Array.isArray(org), 'one organization');
  t.equal(orgs['@default'], org['@identifier']);
  const items = org.item as Node[];
  t.equal(items.length, 1, 'one item');
  t.equal(items[0]['adlcp:masteryscore'], 80);
  const { resources } = scormFiles(descriptor('scorm12-evidence-handling'));
  t.same(resources.map((r) => [r['@identifier'], r['@adlcp:scormtype']]), [[items[0]['@identifierref'], 'sco']], 'the item launches the one SCO');
});

t.test('scorm2004-interview-techniques: two SCOs, flow and choice, the test disabled until the lesson is done, success from the test', async (t) => {
  const m = descriptor('scorm2004-interview-techniques').manifest as Node;
  t.equal((m.metadata as Node).schemaversion, '2004 4th Edition');
  const org = (m.organizations as Node).organization as Node;
  const items = org.item as Node[];
  t.same(items.map((i) => i['@identifier']), ['ITEM-LESSON', 'ITEM-TEST'], 'lesson, then test');
  const { resources } = scormFiles(descriptor('scorm2004-interview-techniques'));
  const scos = resources.filter((r) => r['@adlcp:scormType'] === 'sco');
  t.equal(scos.length, 2, 'two SCOs');
  t.same(items.map((i) => i['@identifierref']), scos.map((r) => r['@identifier']));

  const root = org['imsss:sequencing'] as Node;
  const control = root['imsss:controlMode'] as Node;
  t.match(control, { '@choice': 'true', '@flow': 'true', '@forwardOnly': 'false' }, 'flow navigation, choice allowed');

  const [lesson, test] = items.map((i) => i['imsss:sequencing'] as Node);
  const lessonPrimary = (lesson['imsss:objectives'] as Node)['imsss:primaryObjective'] as Node;
  const globalId = (lessonPrimary['imsss:mapInfo'] as Node)['@targetObjectiveID'];
  t.match(lessonPrimary['imsss:mapInfo'], { '@writeSatisfiedStatus': 'true' }, 'the lesson writes its objective to a global one');
  t.match(lesson['imsss:rollupRules'], { '@rollupObjectiveSatisfied': 'false' }, 'the lesson does not count for the course success');

  const pre = ((test['imsss:sequencingRules'] as Node)['imsss:preConditionRule'] as Node[])[0];
  t.equal((pre['imsss:ruleAction'] as Node)['@action'], 'disabled');
  // SN UP.2.1: "not satisfied" is unknown while the status is unknown, so "not objectiveStatusKnown" goes with it.
  t.match(pre['imsss:ruleConditions'], { '@conditionCombination': 'any' });
  const conditions = (pre['imsss:ruleConditions'] as Node)['imsss:ruleCondition'] as Node[];
  t.match(conditions, [{ '@operator': 'not', '@condition': 'satisfied' }, { '@operator': 'not', '@condition': 'objectiveStatusKnown' }]);
  const condition = conditions[0];
  t.equal(conditions[1]['@referencedObjective'], condition['@referencedObjective'], 'both about the same objective');
  const testObjectives = test['imsss:objectives'] as Node;
  const prerequisite = (testObjectives['imsss:objective'] as Node[]).find((o) => o['@objectiveID'] === condition['@referencedObjective']);
  t.ok(prerequisite, 'the precondition references one of the test objectives');
  t.match(prerequisite?.['imsss:mapInfo'], { '@targetObjectiveID': globalId, '@readSatisfiedStatus': 'true' }, '...which reads the lesson\'s global objective');
  const testPrimary = testObjectives['imsss:primaryObjective'] as Node;
  t.match(testPrimary, { '@satisfiedByMeasure': 'true', 'imsss:minNormalizedMeasure': 0.8 }, 'the test passes at 0.8');
  t.match(testPrimary['imsss:mapInfo'], { '@writeSatisfiedStatus': 'true' }, 'the test writes a global objective too');
  t.match(test['imsss:rollupRules'], { '@rollupObjectiveSatisfied': 'true' }, 'the test counts for the course success');
  const hidden = items.map((i) => ((i['adlnav:presentation'] as Node)['adlnav:navigationInterface'] as Node)['adlnav:hideLMSUI']);
  t.same(hidden, [['continue', 'previous'], ['continue', 'previous']], 'the SCOs bring their own continue/previous buttons');
});

t.test('xapi-cybercrime-response: tincan.xml launches index.html and declares what the course reports', async (t) => {
  const { COURSE, PAGES, QUESTIONS } = (await import('../../content-packages/xapi-cybercrime-response/src/course-data.js')) as typeof import('../../content-packages/xapi-cybercrime-response/src/course-data.js');
  const activities = ((descriptor('xapi-cybercrime-response').tincan as Node).activities as Node).activity as Node[];
  const course = activities[0];
  t.equal(course['@id'], COURSE.activityId, 'the course IRI is the one the code uses');
  t.match(course['@id'], /^https:\/\/cadet\.dev\/demo\//);
  t.equal(course['@type'], 'http://adlnet.gov/expapi/activities/course');
  t.equal((course.launch as Node)['#text'], 'index.html');
  t.ok(fs.existsSync(path.join(packageDir('xapi-cybercrime-response'), 'index.html')));
  t.equal(activities.filter((a) => a.launch !== undefined).length, 1, 'one launchable activity');
  for (const p of PAGES) t.ok(fs.existsSync(path.join(packageDir('xapi-cybercrime-response'), p.file)), `${p.file} exists`);
  for (const q of QUESTIONS) {
    const declared = activities.find((a) => a['@id'] === `${COURSE.activityId}/quiz/${q.id}`);
    t.ok(declared, `${q.id} declared`);
    t.equal(declared?.interactionType, q.type);
    t.same(((declared?.correctResponsePatterns as Node).correctResponsePattern as unknown[]).map(String), q.correct);
  }
});

t.test('cmi5-interpol-notices: one course, one block, a lesson AU (Completed) and a test AU (Passed, 0.8)', async (t) => {
  const structure = descriptor('cmi5-interpol-notices').courseStructure as Node;
  t.equal(structure['@xmlns'], 'https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd');
  t.match((structure.course as Node)['@id'], /^https:\/\/cadet\.dev\/demo\//);
  const block = structure.block as Node;
  t.notOk(Array.isArray(block), 'one block');
  const aus = block.au as Node[];
  t.same(
    aus.map((au) => [au['@moveOn'], au['@masteryScore'], au.url]),
    [
      ['Completed', undefined, 'lesson/index.html'],
      ['Passed', '0.8', 'test/index.html'],
    ],
  );
  for (const au of aus) {
    t.notMatch(au.url, /^[a-z]+:/i, 'relative URL');
    t.ok(fs.existsSync(path.join(packageDir('cmi5-interpol-notices'), au.url as string)), `${String(au.url)} exists`);
    t.match(au['@id'], /^https:\/\/cadet\.dev\/demo\/cmi5-interpol-notices\//);
  }
});

t.test('every HTML page has a language and a title, and nothing is loaded from outside its package', async (t) => {
  for (const pkg of Object.keys(PACKAGES)) {
    const files = walk(packageDir(pkg)).filter((f) => !f.endsWith('.bundle.js'));
    for (const file of files.filter((f) => f.endsWith('.html'))) {
      const html = fs.readFileSync(path.join(packageDir(pkg), file), 'utf8');
      t.match(html, /<html lang="en">/, `${pkg}/${file} has lang`);
      t.match(html, /<title>[^<]+<\/title>/, `${pkg}/${file} has a title`);
      t.equal(html.match(/<h1[\s>]/g)?.length ?? 0, file.endsWith('index.html') && !/<h1/.test(html) ? 0 : 1, `${pkg}/${file} has at most one h1`);
      for (const id of html.matchAll(/<input [^>]*id="([^"]+)"/g)) {
        if (/type="(radio|checkbox)"/.test(id[0])) continue;
        t.match(html, new RegExp(`<label[^>]+for="${id[1]}"`), `${pkg}/${file}: #${id[1]} has a label`);
      }
    }
    for (const file of files.filter((f) => /\.(html|css|js)$/.test(f))) {
      const text = fs.readFileSync(path.join(packageDir(pkg), file), 'utf8');
      t.notMatch(text, /(src|href)=["']?(https?:)?\/\//i, `${pkg}/${file} loads nothing from the network`);
      t.notMatch(text, /url\(\s*["']?(https?:)?\/\//i, `${pkg}/${file} has no remote CSS url()`);
    }
  }
});
