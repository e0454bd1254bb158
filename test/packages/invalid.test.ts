import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { detectPackage } from '../../src/packages/detect.js';
import { inspectPackage } from '../../src/packages/index.js';
import { inspectFixture, listTree, tempDir, writeZip } from './helpers.js';

// One case per fixture in invalid/, with the policy decided for each (see scorm-manifest.ts).
const rejected: { fixture: string; code: string; message: RegExp; element?: string }[] = [
  // The single "badscorm/" folder is taken as the package root (authoring tools wrap packages that
  // way), and then its manifest is empty. "manifest not at root" is tested with a multi-folder zip below.
  { fixture: 'invalid/moodle/badscorm.zip', code: 'xml-empty', message: /imsmanifest\.xml has no root element/ },
  { fixture: 'invalid/moodle/invalid.zip', code: 'unknown-package-type', message: /Unknown package type/ },
  { fixture: 'invalid/moodle/validscorm.zip', code: 'xml-empty', message: /only an XML declaration/ },
  { fixture: 'invalid/aicc-unsupported-validaicc-moodle.zip', code: 'aicc-unsupported', message: /AICC package \(moodle\.cst\)\. AICC is not supported/ },
  { fixture: 'invalid/aicc-unsupported-package.zip', code: 'aicc-unsupported', message: /AICC is not supported/ },
  { fixture: 'invalid/manifests/MalformedXml_SCORM12.zip', code: 'xml-malformed', message: /not well-formed XML at line 27.*closing tag 'item'/ },
  { fixture: 'invalid/manifests/MissingLaunchUrl_SCORM12.zip', code: 'resource-href-missing', message: /resource "resource_1", which has no href/, element: 'manifest/resources/resource[1]' },
  { fixture: 'invalid/manifests/MissingRequiredFields_SCORM12.zip', code: 'organization-title-missing', message: /organization "default_org" has no <title>/, element: 'manifest/organizations/organization[1]' },
  // Policy: an identifierref to a missing resource rejects the package (skipping would silently drop content).
  { fixture: 'invalid/manifests/ItemWithNonExistentResourceId_SCORM12.zip', code: 'item-resource-missing', message: /"Item 1" \(item_1\) refers to the resource "non_existent_resource"/, element: 'manifest/organizations/organization[1]/item[1]' },
  // Policy: the missing launch file is an error; the missing <file>s and the dependency's file are warnings.
  { fixture: 'invalid/manifests/InvalidFileReferences_SCORM12.zip', code: 'launch-file-missing', message: /launches "content\/nonexistent\.html", which is not in the package/ },
  { fixture: 'invalid/manifests/InvalidMissingOrgIdentifier_SCORM20043rdEdition.zip', code: 'organization-identifier-missing', message: /has no identifier attribute/, element: 'manifest/organizations/organization[1]' },
  // Policy: SCORM 2004 is strict about organizations@default (ADL CTS CM-01).
  { fixture: 'invalid/manifests/ADL-CTS_CM-01-broken-default-org.zip', code: 'default-organization-missing', message: /default="NONEXISTENT_ORG"/, element: 'manifest/organizations' },
];

for (const c of rejected) {
  t.test(`${c.fixture} is rejected: ${c.code}`, async (t) => {
    const { result, target } = await inspectFixture(t, c.fixture);
    t.notOk(result.ok);
    if (result.ok) return;
    const problem = result.errors.find((e) => e.code === c.code);
    t.ok(problem, `${c.code} among ${result.errors.map((e) => e.code).join(', ')}`);
    t.match(problem?.message, c.message);
    if (c.element !== undefined) t.equal(problem?.element, c.element);
    for (const e of result.errors) {
      t.ok(e.message.length > 10 && !/\n\s+at /.test(e.message), 'a sentence, not a stack trace');
    }
    t.notOk(fs.existsSync(target), 'nothing left behind');
  });
}

t.test('InvalidFileReferences: listed files and the dependency are warnings', async (t) => {
  const { result } = await inspectFixture(t, 'invalid/manifests/InvalidFileReferences_SCORM12.zip');
  if (result.ok) return t.fail('should be rejected');
  t.equal(result.errors.length, 1);
  t.same(result.warnings.filter((w) => w.code === 'file-missing').map((w) => w.message.match(/"([^"]+)", which/)?.[1]), [
    'content/nonexistent.html', 'content/nonexistent.js', 'content/nonexistent.css', 'content/nonexistent_asset.html',
  ]);
});

t.test('singlescobasic_missingorg: a default organization is built from the SCO resources, with a warning (Moodle)', async (t) => {
  const { result } = await inspectFixture(t, 'invalid/moodle/singlescobasic_missingorg.zip');
  t.ok(result.ok);
  if (!result.ok) return;
  t.equal(result.model.organizations.length, 1);
  t.equal(result.model.organizations[0]?.synthesized, true);
  t.same(result.model.units.map((u) => [u.identifier, u.launchUrl, u.scormType]), [['resource_1', 'sso/launchpage.html', 'sco']]);
  t.match(result.warnings, [{ code: 'organization-synthesized' }]);
});

t.test('a manifest inside a subfolder of a multi-folder zip: "manifest not at root"', async (t) => {
  const zip = writeZip(t, [
    { name: 'course/imsmanifest.xml', data: '<manifest/>' },
    { name: 'course/index.html', data: 'x' },
    { name: 'readme/notes.txt', data: 'x' },
  ]);
  const target = path.join(tempDir(t), 'course');
  const result = await inspectPackage({ zipPath: zip }, target);
  t.match(result, { ok: false, errors: [{ code: 'manifest-not-at-root', file: 'course/imsmanifest.xml', message: /not at the root/ }] });
  t.same(listTree(target), []);
});

t.test('detection: case-insensitive names at the root, priority and warnings', async (t) => {
  t.match(detectPackage(['IMSManifest.XML', 'a.html']), { ok: true, kind: 'scorm', descriptor: 'IMSManifest.XML' });
  t.match(detectPackage(['CMI5.xml']), { ok: true, kind: 'cmi5' });
  t.match(detectPackage(['TinCan.xml']), { ok: true, kind: 'xapi' });
  t.match(detectPackage(['tincan.xml', 'imsmanifest.xml']), { ok: true, kind: 'scorm', warnings: [{ code: 'descriptor-ignored', file: 'tincan.xml' }] });
  t.match(detectPackage(['cmi5.xml', 'imsmanifest.xml']), { ok: true, kind: 'cmi5' });
  t.match(detectPackage(['course.AU', 'course.crs']), { ok: false, errors: [{ code: 'aicc-unsupported' }] });
  t.match(detectPackage([]), { ok: false, errors: [{ code: 'unknown-package-type' }] });
});
