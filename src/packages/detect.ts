/**
 * Format detection from the files at the package root (names compared case-insensitively):
 * `cmi5.xml` → cmi5, `imsmanifest.xml` → SCORM (1.2 or 2004, see `scormVersionOf`),
 * `tincan.xml` → xAPI (TinCan). When several are present, cmi5 wins over SCORM and SCORM over
 * tincan.xml, with a warning naming the ignored descriptors. AICC descriptors
 * (`.crs/.au/.des/.cst`) are recognised and refused: the runtime (scorm-again 3) has no AICC.
 */
import type { PackageFormat, Scorm2004Edition } from './course-model.js';
import type { Problem } from './problem.js';
import type { XmlElement } from './xml.js';

export type DescriptorKind = 'cmi5' | 'scorm' | 'xapi';

export type Detection =
  | { readonly ok: true; readonly kind: DescriptorKind; readonly descriptor: string; readonly warnings: Problem[] }
  | { readonly ok: false; readonly errors: Problem[] };

const DESCRIPTORS: readonly { readonly name: string; readonly kind: DescriptorKind }[] = [
  { name: 'cmi5.xml', kind: 'cmi5' },
  { name: 'imsmanifest.xml', kind: 'scorm' },
  { name: 'tincan.xml', kind: 'xapi' },
];

const AICC_EXTENSIONS = ['.crs', '.au', '.des', '.cst'];

/** Detects the package type from its file list (paths relative to the root, `/`-separated). */
export function detectPackage(files: readonly string[]): Detection {
  const rootFiles = files.filter((f) => !f.includes('/'));
  const found = DESCRIPTORS.flatMap((d) => {
    const file = rootFiles.find((f) => f.toLowerCase() === d.name);
    return file === undefined ? [] : [{ ...d, file }];
  });
  const first = found[0];
  if (first !== undefined) {
    const warnings: Problem[] = found.slice(1).map((other) => ({
      file: other.file,
      code: 'descriptor-ignored',
      message: `The package has both ${first.file} and ${other.file}; it is imported as ${first.kind === 'scorm' ? 'SCORM' : first.kind === 'cmi5' ? 'cmi5' : 'xAPI'} and ${other.file} is ignored.`,
    }));
    return { ok: true, kind: first.kind, descriptor: first.file, warnings };
  }
  const aicc = files.filter((f) => AICC_EXTENSIONS.some((ext) => f.toLowerCase().endsWith(ext)));
  if (aicc.length > 0) {
    return {
      ok: false,
      errors: [{ file: aicc[0] as string, code: 'aicc-unsupported', message: `This is an AICC package (${aicc.slice(0, 4).join(', ')}). AICC is not supported; export the course as SCORM, xAPI or cmi5 instead.` }],
    };
  }
  const nested = files.find((f) => DESCRIPTORS.some((d) => f.toLowerCase().endsWith(`/${d.name}`)));
  if (nested !== undefined) {
    const name = nested.slice(nested.lastIndexOf('/') + 1);
    return {
      ok: false,
      errors: [{
        file: nested,
        code: 'manifest-not-at-root',
        message: `${name} was found at "${nested}", not at the root of the package. Zip the contents of the course folder (so that ${name} is at the top), not the folder around it.`,
      }],
    };
  }
  return {
    ok: false,
    errors: [{ code: 'unknown-package-type', message: 'Unknown package type: the package has no imsmanifest.xml (SCORM), cmi5.xml (cmi5) or tincan.xml (xAPI) at its root.' }],
  };
}

export type ScormVersion =
  | { readonly format: 'scorm12'; readonly note?: string }
  | { readonly format: 'scorm2004'; readonly edition: Scorm2004Edition; readonly note?: string };

const NS_CP12 = 'http://www.imsproject.org/xsd/imscp_rootv1p1p2';
const NS_ADLCP12 = 'http://www.adlnet.org/xsd/adlcp_rootv1p2';
const NS_CP2004 = 'http://www.imsglobal.org/xsd/imscp_v1p1';

function anyInTree(element: XmlElement, test: (e: XmlElement) => boolean): boolean {
  if (test(element)) return true;
  return element.children.some((c) => anyInTree(c, test));
}

/**
 * SCORM version and edition: from `metadata/schemaversion` (`1.2`, `CAM 1.3` = 2004 2nd,
 * `2004 3rd Edition`, `2004 4th Edition`), else from the namespaces used (the 1.2 content
 * packaging and adlcp namespaces, or the 2004 ones, where 4th-edition-only elements tell the
 * 4th edition and anything else is taken as the 2nd), with a `note` saying it was guessed.
 */
export function scormVersionOf(manifest: XmlElement): ScormVersion {
  const metadata = manifest.children.find((c) => c.name === 'metadata');
  const version = metadata?.children.find((c) => c.name === 'schemaversion')?.text.trim() ?? '';
  if (/^1\.2$/.test(version)) return { format: 'scorm12' };
  if (/^CAM\s*1\.3$/i.test(version) || /2004\s*2nd/i.test(version)) return { format: 'scorm2004', edition: '2nd' };
  if (/2004\s*3rd/i.test(version)) return { format: 'scorm2004', edition: '3rd' };
  if (/2004\s*4th/i.test(version)) return { format: 'scorm2004', edition: '4th' };
  const uses = (ns: string) => anyInTree(manifest, (e) => e.namespace === ns || e.attributes.some((a) => a.namespace === ns));
  const said = version === '' ? 'no schemaversion' : `an unknown schemaversion ("${version}")`;
  if (manifest.namespace === NS_CP12 || uses(NS_ADLCP12)) {
    return { format: 'scorm12', note: `The manifest has ${said}; it was read as SCORM 1.2 from its namespaces.` };
  }
  if (manifest.namespace === NS_CP2004 || anyInTree(manifest, (e) => e.namespace.startsWith('http://www.imsglobal.org/xsd/imsss'))) {
    const fourth = anyInTree(
      manifest,
      (e) => (e.name === 'data' && e.namespace === 'http://www.adlnet.org/xsd/adlcp_v1p3') || (e.name === 'objectives' && e.namespace === 'http://www.adlnet.org/xsd/adlseq_v1p3'),
    );
    const edition = fourth ? '4th' : '2nd';
    return { format: 'scorm2004', edition, note: `The manifest has ${said}; it was read as SCORM 2004 ${edition} edition from its namespaces.` };
  }
  return { format: 'scorm12', note: `The manifest has ${said} and no SCORM namespace; it was read as SCORM 1.2.` };
}

export function formatLabel(format: PackageFormat): string {
  return { scorm12: 'SCORM 1.2', scorm2004: 'SCORM 2004', xapi: 'xAPI (TinCan)', cmi5: 'cmi5' }[format];
}
