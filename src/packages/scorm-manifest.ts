/**
 * What SCORM 1.2 and SCORM 2004 manifests share (IMS Content Packaging): metadata,
 * organizations and their item trees, resources with `xml:base`, files and dependencies,
 * the default organization, and the checks that launch files exist. The two parsers plug in
 * what differs (ADL extensions on items, sequencing) through a `ScormFlavor`.
 *
 * Policies (decided here, tested in test/packages):
 * - `organizations@default` naming no organization: SCORM 1.2 falls back to the first
 *   organization with a warning (Moodle does; complexscorm.zip needs it); SCORM 2004 rejects
 *   the package, as the ADL conformance test CM-01 expects.
 * - No organization at all (`<organizations/>`): a default organization is built with one
 *   item per SCO resource that has an href, with a warning (Moodle's behaviour).
 * - An item whose `identifierref` names no resource: rejected. The package is broken and
 *   skipping the item would silently drop part of the course.
 * - A launch file missing from the package: an error (the learner would get a 404), unless
 *   `requireLaunchFiles` is false. A `<file>` listed by a resource but missing, or a dependency
 *   naming no resource: a warning (nothing launches it directly; authoring tools often list
 *   files they did not ship).
 */
import {
  collectUnits,
  type CompletionThreshold,
  type CourseModel,
  type CourseNode,
  type LanguageMap,
  type LaunchableUnit,
  type Organization,
  type Scorm2004Edition,
  type Sequencing,
} from './course-model.js';
import { resolveHref, launchUrlOf } from './launch-url.js';
import { UNDETERMINED, collectLanguages, readLom, type LomSummary } from './lom-metadata.js';
import type { PackageFiles } from './package-files.js';
import type { ProblemList } from './problem.js';
import { PackageRejected } from './problem.js';
import {
  XML_NAMESPACE,
  attribute,
  childNamed,
  childrenNamed,
  namespaceSet,
  parseXml,
  parseXmlBoolean,
  trimmedText,
  type XmlElement,
} from './xml.js';

export const IMSCP = namespaceSet('imscp', 'http://www.imsproject.org/xsd/imscp_rootv1p1p2', 'http://www.imsglobal.org/xsd/imscp_v1p1', '');
export const ADLCP = namespaceSet('adlcp', 'http://www.adlnet.org/xsd/adlcp_rootv1p2', 'http://www.adlnet.org/xsd/adlcp_v1p3', 'http://www.adlnet.org/xsd/adlcp_v1p2');
export const IMSSS = namespaceSet('imsss', 'http://www.imsglobal.org/xsd/imsss');
export const ADLSEQ = namespaceSet('adlseq', 'http://www.adlnet.org/xsd/adlseq_v1p3');
export const ADLNAV = namespaceSet('adlnav', 'http://www.adlnet.org/xsd/adlnav_v1p3');
const XMLNS = new Set([XML_NAMESPACE]);

export interface ManifestContext {
  /** The manifest's path in the package, for problems. */
  readonly file: string;
  readonly problems: ProblemList;
  readonly files: PackageFiles;
  /** When false, a missing launch file is a warning instead of an error (manifest-only tests). */
  readonly requireLaunchFiles: boolean;
  readonly maxXmlBytes: number;
}

export interface ScormResource {
  readonly identifier: string;
  readonly element: XmlElement;
  readonly href?: string;
  /** `xml:base` values from the outermost (manifest) to the resource itself. */
  readonly bases: string[];
  readonly scormType?: 'sco' | 'asset';
  readonly files: XmlElement[];
  readonly dependencies: XmlElement[];
}

/** What each SCORM version adds to an item. */
export interface ItemExtras {
  readonly unit?: Partial<Pick<LaunchableUnit, 'masteryScore' | 'timeLimitAction' | 'maxTimeAllowed' | 'dataFromLms' | 'completionThreshold' | 'prerequisites' | 'sharedData'>>;
  readonly sequencing?: Sequencing;
  readonly hideLmsUi?: string[];
  readonly completionThreshold?: CompletionThreshold;
}

export interface ScormFlavor {
  readonly format: 'scorm12' | 'scorm2004';
  readonly edition?: Scorm2004Edition;
  /** Whether a wrong `organizations@default` rejects the package (2004) or falls back to the first (1.2). */
  readonly strictDefaultOrganization: boolean;
  itemExtras(item: XmlElement, ctx: ManifestContext): ItemExtras;
  organizationSequencing?(organization: XmlElement, ctx: ManifestContext): Sequencing | undefined;
  organizationFlags?(organization: XmlElement): { objectivesGlobalToSystem?: boolean; sharedDataGlobalToSystem?: boolean };
}

const at = (ctx: ManifestContext, element: XmlElement | string) => ({ file: ctx.file, element: typeof element === 'string' ? element : element.path });

/** A `<title>` as a language map (`und`: SCORM titles carry no language). */
function titleMap(text: string): LanguageMap {
  return { [UNDETERMINED]: text.replace(/\s+/g, ' ') };
}

function xmlBase(element: XmlElement | undefined): string | undefined {
  return element === undefined ? undefined : attribute(element, 'base', XMLNS);
}

export function readResources(manifest: XmlElement, ctx: ManifestContext): Map<string, ScormResource> {
  const resources = new Map<string, ScormResource>();
  const resourcesElement = childNamed(manifest, 'resources', IMSCP);
  if (resourcesElement === undefined) {
    ctx.problems.error('manifest-resources-missing', 'The manifest has no <resources> element, so nothing can be launched.', at(ctx, `${manifest.path}/resources`));
    return resources;
  }
  for (const element of childrenNamed(resourcesElement, 'resource', IMSCP)) {
    const identifier = attribute(element, 'identifier')?.trim();
    if (identifier === undefined || identifier === '') {
      ctx.problems.error('resource-identifier-missing', 'A <resource> has no identifier attribute.', at(ctx, element));
      continue;
    }
    if (resources.has(identifier)) {
      ctx.problems.error('resource-identifier-duplicate', `Two resources have the identifier "${identifier}"; identifiers must be unique.`, at(ctx, element));
      continue;
    }
    const rawType = attribute(element, 'scormtype', ADLCP, true)?.trim().toLowerCase();
    const scormType = rawType === 'sco' || rawType === 'asset' ? rawType : undefined;
    if (rawType !== undefined && scormType === undefined) {
      ctx.problems.error('resource-scormtype-invalid', `The resource "${identifier}" has adlcp:scormType="${rawType}"; it must be "sco" or "asset".`, at(ctx, element));
    }
    const href = attribute(element, 'href')?.trim();
    resources.set(identifier, {
      identifier,
      element,
      ...(href !== undefined && href !== '' ? { href } : {}),
      bases: [xmlBase(manifest), xmlBase(resourcesElement), xmlBase(element)].filter((b): b is string => b !== undefined),
      ...(scormType !== undefined ? { scormType } : {}),
      files: childrenNamed(element, 'file', IMSCP),
      dependencies: childrenNamed(element, 'dependency', IMSCP),
    });
  }
  return resources;
}

/** Warnings for `<file>` entries missing from the package and dependencies naming no resource. */
function checkResourceFiles(resources: Map<string, ScormResource>, ctx: ManifestContext): void {
  for (const resource of resources.values()) {
    for (const file of resource.files) {
      const href = attribute(file, 'href')?.trim();
      if (href === undefined || href === '') {
        ctx.problems.warn('file-href-missing', `A <file> of resource "${resource.identifier}" has no href.`, at(ctx, file));
        continue;
      }
      const resolved = resolveHref([...resource.bases, xmlBase(file)], href);
      if (resolved.kind === 'outside') {
        ctx.problems.error('href-outside-package', `The file "${href}" of resource "${resource.identifier}" points outside the package.`, at(ctx, file));
      } else if (resolved.kind === 'local' && !ctx.files.has(resolved.path)) {
        ctx.problems.warn('file-missing', `The resource "${resource.identifier}" lists the file "${resolved.path}", which is not in the package.`, at(ctx, file));
      }
    }
    for (const dependency of resource.dependencies) {
      const ref = attribute(dependency, 'identifierref')?.trim() ?? '';
      if (!resources.has(ref)) {
        ctx.problems.warn('dependency-missing', `The resource "${resource.identifier}" depends on "${ref}", but no resource has that identifier.`, at(ctx, dependency));
      }
    }
  }
}

/** Resolves a resource's launch URL; records a problem and returns undefined when it cannot be launched. */
function launchOf(resource: ScormResource, itemLabel: string, itemPath: string, ctx: ManifestContext): { launchUrl: string; external: boolean } | undefined {
  if (resource.href === undefined) {
    ctx.problems.error('resource-href-missing', `The item ${itemLabel} uses the resource "${resource.identifier}", which has no href, so there is nothing to launch.`, at(ctx, resource.element));
    return undefined;
  }
  const resolved = resolveHref(resource.bases, resource.href);
  switch (resolved.kind) {
    case 'outside':
      ctx.problems.error('href-outside-package', `The resource "${resource.identifier}" launches "${resource.href}", which points outside the package.`, at(ctx, resource.element));
      return undefined;
    case 'bad-scheme':
      ctx.problems.error('href-scheme-forbidden', `The resource "${resource.identifier}" launches a "${resolved.scheme}:" URL; only files in the package or http(s) URLs can be launched.`, at(ctx, resource.element));
      return undefined;
    case 'external':
      ctx.problems.warn('launch-url-external', `The item ${itemLabel} launches the external URL ${resolved.url}; it must allow being framed and cannot reach the SCORM API across origins.`, at(ctx, itemPath));
      return { launchUrl: resolved.url, external: true };
    case 'local': {
      if (!ctx.files.has(resolved.path)) {
        const loose = ctx.files.findLoose(resolved.path);
        const hint = loose !== undefined ? ` (the package has "${loose}", which differs in upper/lower case; web servers treat them as different files)` : '';
        const message = `The item ${itemLabel} launches "${resolved.path}", which is not in the package${hint}.`;
        if (ctx.requireLaunchFiles) ctx.problems.error('launch-file-missing', message, at(ctx, resource.element));
        else ctx.problems.warn('launch-file-missing', message, at(ctx, resource.element));
      }
      return { launchUrl: launchUrlOf(resolved), external: false };
    }
  }
}

interface ItemWalk {
  readonly resources: Map<string, ScormResource>;
  readonly seen: Set<string>;
  readonly flavor: ScormFlavor;
  readonly ctx: ManifestContext;
}

function readItem(element: XmlElement, walk: ItemWalk): CourseNode | undefined {
  const { ctx, resources, flavor } = walk;
  const identifier = attribute(element, 'identifier')?.trim();
  const titleElement = childNamed(element, 'title', IMSCP);
  const titleText = trimmedText(titleElement);
  if (identifier === undefined || identifier === '') {
    ctx.problems.error('item-identifier-missing', `An <item>${titleText !== '' ? ` ("${titleText}")` : ''} has no identifier attribute.`, at(ctx, element));
    return undefined;
  }
  if (walk.seen.has(identifier)) {
    ctx.problems.error('item-identifier-duplicate', `Two items have the identifier "${identifier}"; identifiers must be unique.`, at(ctx, element));
    return undefined;
  }
  walk.seen.add(identifier);
  if (titleText === '') ctx.problems.error('item-title-missing', `The item "${identifier}" has no <title>.`, at(ctx, element));
  const label = `"${titleText !== '' ? titleText : identifier}" (${identifier})`;
  const visibility = parseXmlBoolean(attribute(element, 'isvisible'));
  if (visibility === 'invalid') ctx.problems.error('invalid-value', `The item ${label} has isvisible="${attribute(element, 'isvisible')}"; it must be true or false.`, at(ctx, element));
  const isVisible = visibility !== false;
  const extras = flavor.itemExtras(element, ctx);
  const children = childrenNamed(element, 'item', IMSCP)
    .map((child) => readItem(child, walk))
    .filter((c): c is CourseNode => c !== undefined);
  const title = titleMap(titleText !== '' ? titleText : identifier);
  let unit: LaunchableUnit | undefined;
  const ref = attribute(element, 'identifierref')?.trim();
  if (ref !== undefined && ref !== '') {
    const resource = resources.get(ref);
    if (resource === undefined) {
      ctx.problems.error('item-resource-missing', `The item ${label} refers to the resource "${ref}", but no resource has that identifier.`, at(ctx, element));
    } else {
      const launch = launchOf(resource, label, element.path, ctx);
      if (launch !== undefined) {
        const parameters = attribute(element, 'parameters');
        if (resource.scormType === undefined && attribute(resource.element, 'scormtype', ADLCP, true) === undefined) {
          ctx.problems.warn('resource-scormtype-missing', `The resource "${resource.identifier}" does not say whether it is a SCO or an asset; it is treated as a SCO.`, at(ctx, resource.element));
        }
        unit = {
          identifier,
          title,
          launchUrl: launch.launchUrl,
          external: launch.external,
          ...(parameters !== undefined && parameters.trim() !== '' ? { launchParameters: parameters.trim() } : {}),
          resourceIdentifier: resource.identifier,
          scormType: resource.scormType ?? 'sco',
          isVisible,
          ...(extras.unit ?? {}),
        };
      }
    }
  }
  return {
    identifier,
    title,
    isVisible,
    children,
    ...(unit !== undefined ? { unit } : {}),
    ...(extras.sequencing !== undefined ? { sequencing: extras.sequencing } : {}),
    ...(extras.hideLmsUi !== undefined ? { hideLmsUi: extras.hideLmsUi } : {}),
    ...(extras.completionThreshold !== undefined ? { completionThreshold: extras.completionThreshold } : {}),
  };
}

interface ManifestMetadata {
  readonly schema?: string;
  readonly schemaVersion?: string;
  readonly location?: string;
  readonly lom: LomSummary;
}

/** `manifest/metadata`: schema, schemaversion, inline LOM and the external LOM file (`adlcp:location`). */
export function readManifestMetadata(manifest: XmlElement, ctx: ManifestContext): ManifestMetadata {
  const metadata = childNamed(manifest, 'metadata', IMSCP);
  if (metadata === undefined) return { lom: { languages: [], keywords: [] } };
  const schema = trimmedText(childNamed(metadata, 'schema', IMSCP)) || undefined;
  const schemaVersion = trimmedText(childNamed(metadata, 'schemaversion', IMSCP)) || undefined;
  const location = trimmedText(childNamed(metadata, 'location', ADLCP)) || undefined;
  let lom = readLom(metadata);
  if (lom.title === undefined && location !== undefined) {
    const resolved = resolveHref([xmlBase(manifest)], location);
    if (resolved.kind === 'local') {
      const bytes = ctx.files.read(resolved.path, ctx.maxXmlBytes);
      if (bytes === undefined) {
        ctx.problems.warn('metadata-file-missing', `The manifest's metadata refers to "${location}", which is not in the package (or is too large).`, at(ctx, `${metadata.path}/adlcp:location`));
      } else {
        try {
          lom = readLom(parseXml(bytes, resolved.path, { maxBytes: ctx.maxXmlBytes }));
        } catch (error) {
          // Metadata is optional: an unreadable file is reported and ignored, never fatal.
          const problem = error instanceof PackageRejected ? error.problems[0] : undefined;
          ctx.problems.warn('metadata-file-invalid', problem?.message ?? `The metadata file "${location}" could not be read.`, { file: resolved.path });
        }
      }
    }
  }
  return { ...(schema ? { schema } : {}), ...(schemaVersion ? { schemaVersion } : {}), ...(location ? { location } : {}), lom };
}

/** Moodle's fallback for `<organizations/>`: one item per SCO resource that has an href. */
function synthesizeOrganization(resources: Map<string, ScormResource>, ctx: ManifestContext, title: string): Organization | undefined {
  const items: CourseNode[] = [];
  for (const resource of resources.values()) {
    if (resource.scormType === 'asset' || resource.href === undefined) continue;
    const launch = launchOf(resource, `"${resource.identifier}"`, resource.element.path, ctx);
    if (launch === undefined) continue;
    const unitTitle = titleMap(resource.identifier);
    items.push({
      identifier: resource.identifier,
      title: unitTitle,
      isVisible: true,
      children: [],
      unit: { identifier: resource.identifier, title: unitTitle, ...launch, resourceIdentifier: resource.identifier, scormType: 'sco', isVisible: true },
    });
  }
  if (items.length === 0) return undefined;
  return { identifier: 'default-organization', title: titleMap(title), items, synthesized: true };
}

/** Builds the course model from a parsed SCORM manifest. Returns undefined when errors were recorded. */
export function buildScormModel(manifest: XmlElement, ctx: ManifestContext, flavor: ScormFlavor): CourseModel | undefined {
  if (manifest.name !== 'manifest') {
    ctx.problems.error('manifest-root-invalid', `The root element of ${ctx.file} is <${manifest.name}>; it must be <manifest>.`, at(ctx, manifest));
    return undefined;
  }
  const identifier = attribute(manifest, 'identifier')?.trim() ?? '';
  if (identifier === '') ctx.problems.error('manifest-identifier-missing', 'The <manifest> element has no identifier attribute.', at(ctx, manifest));
  const metadata = readManifestMetadata(manifest, ctx);
  const resources = readResources(manifest, ctx);
  const organizationsElement = childNamed(manifest, 'organizations', IMSCP);
  const walk: ItemWalk = { resources, seen: new Set(), flavor, ctx };
  const organizations: Organization[] = [];
  const organizationElements = organizationsElement === undefined ? [] : childrenNamed(organizationsElement, 'organization', IMSCP);
  for (const element of organizationElements) {
    const orgIdentifier = attribute(element, 'identifier')?.trim() ?? '';
    const titleText = trimmedText(childNamed(element, 'title', IMSCP));
    if (orgIdentifier === '') {
      ctx.problems.error('organization-identifier-missing', `An <organization>${titleText !== '' ? ` ("${titleText}")` : ''} has no identifier attribute.`, at(ctx, element));
    }
    if (titleText === '') {
      ctx.problems.error('organization-title-missing', `The organization "${orgIdentifier || '(no identifier)'}" has no <title>.`, at(ctx, element));
    }
    walk.seen.clear();
    const items = childrenNamed(element, 'item', IMSCP)
      .map((item) => readItem(item, walk))
      .filter((n): n is CourseNode => n !== undefined);
    if (items.length === 0) ctx.problems.error('organization-empty', `The organization "${orgIdentifier || titleText}" has no <item>.`, at(ctx, element));
    const sequencing = flavor.organizationSequencing?.(element, ctx);
    organizations.push({ identifier: orgIdentifier, title: titleMap(titleText || orgIdentifier), items, ...(sequencing !== undefined ? { sequencing } : {}) });
  }

  let defaultIndex = 0;
  const declaredDefault = organizationsElement === undefined ? undefined : attribute(organizationsElement, 'default')?.trim();
  if (organizations.length === 0) {
    const synthesized = synthesizeOrganization(resources, ctx, trimmedText(childNamed(childNamed(manifest, 'metadata', IMSCP) ?? manifest, 'title')) || identifier);
    if (synthesized === undefined) {
      ctx.problems.error('organizations-missing', 'The manifest has no <organization> and no SCO resource with an href, so there is nothing to launch.', at(ctx, organizationsElement ?? manifest));
      return undefined;
    }
    ctx.problems.warn('organization-synthesized', `The manifest has no <organization>; a default one was built with one item per SCO resource (${synthesized.items.length}).`, at(ctx, organizationsElement ?? manifest));
    organizations.push(synthesized);
  } else if (declaredDefault !== undefined && declaredDefault !== '') {
    const index = organizations.findIndex((o) => o.identifier === declaredDefault);
    if (index >= 0) defaultIndex = index;
    else if (flavor.strictDefaultOrganization) {
      ctx.problems.error('default-organization-missing', `<organizations default="${declaredDefault}"> names an organization that does not exist (the organizations are: ${organizations.map((o) => (o.identifier === "" ? "one without identifier" : `"${o.identifier}"`)).join(", ")}).`, at(ctx, organizationsElement as XmlElement));
    } else {
      ctx.problems.warn('default-organization-missing', `<organizations default="${declaredDefault}"> names an organization that does not exist; the first organization, "${organizations[0]?.identifier}", is used.`, at(ctx, organizationsElement as XmlElement));
    }
  }
  checkResourceFiles(resources, ctx);
  const defaultOrganization = organizations[defaultIndex] as Organization;
  const units = collectUnits(defaultOrganization.items);
  if (units.length === 0 && defaultOrganization.items.length > 0 && !ctx.problems.hasErrors) {
    ctx.problems.error('no-launchable-units', `The organization "${defaultOrganization.identifier}" has no item that refers to a launchable resource.`, at(ctx, organizationsElement ?? manifest));
  }
  if (ctx.problems.hasErrors) return undefined;
  const flags = organizationElements[defaultIndex] !== undefined ? flavor.organizationFlags?.(organizationElements[defaultIndex] as XmlElement) ?? {} : {};
  // The organization title is what authoring tools and LMSs show; LOM titles in named
  // languages (not `und`: eXe writes its file name there) add translations beside it.
  const translations = Object.fromEntries(Object.entries(metadata.lom.title ?? {}).filter(([lang]) => lang !== UNDETERMINED));
  const title: LanguageMap = { ...defaultOrganization.title, ...translations };
  return {
    format: flavor.format,
    ...(flavor.edition !== undefined ? { edition: flavor.edition } : {}),
    identifier,
    identifierIsIri: false,
    title,
    ...(metadata.lom.description !== undefined ? { description: metadata.lom.description } : {}),
    languages: collectLanguages(metadata.lom.languages, metadata.lom.title, metadata.lom.description),
    metadata: {
      ...(metadata.schema !== undefined ? { schema: metadata.schema } : {}),
      ...(metadata.schemaVersion !== undefined ? { schemaVersion: metadata.schemaVersion } : {}),
      ...(metadata.location !== undefined ? { location: metadata.location } : {}),
      ...(metadata.lom.keywords.length > 0 ? { keywords: metadata.lom.keywords } : {}),
      ...flags,
    },
    organizations,
    defaultOrganization: defaultOrganization.identifier,
    units,
    descriptor: ctx.file,
  };
}

/** Helpers shared by the ADL extension readers. */
export function adlText(item: XmlElement, name: string): string | undefined {
  const text = trimmedText(childNamed(item, name, ADLCP, true));
  return text === '' ? undefined : text;
}
