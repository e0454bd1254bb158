/**
 * cmi5.xml course structures (cmi5 spec §13, CourseStructure.xsd): the course, nested blocks,
 * AUs with moveOn, masteryScore, launchMethod, launchParameters, entitlementKey,
 * activityType, url (relative to the package or absolute, query strings kept), objectives.
 * Elements in other namespaces are vendor extensions (spec §13.1.4) and are ignored.
 * A bare cmi5.xml (no zip) is allowed only when every AU URL is absolute.
 */
import type { Cmi5LaunchMethod, Cmi5MoveOn, CourseModel, CourseNode, CourseObjective, LanguageMap, LaunchableUnit } from './course-model.js';
import { collectUnits } from './course-model.js';
import { launchUrlOf, resolveHref } from './launch-url.js';
import { collectLanguages, lomLanguageMap } from './lom-metadata.js';
import type { PackageFiles } from './package-files.js';
import { ProblemList } from './problem.js';
import type { ParseResult } from './scorm12-parser.js';
import type { DescriptorParseOptions } from './tincan-parser.js';
import { isIri } from '../shared/json-schema.js';
import { attribute, childNamed, childrenNamed, namespaceSet, trimmedText, type XmlElement } from './xml.js';

const CMI5 = namespaceSet('cmi5', 'https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd', '');
const MOVE_ON = new Set<Cmi5MoveOn>(['Passed', 'Completed', 'CompletedAndPassed', 'CompletedOrPassed', 'NotApplicable']);
const LAUNCH_METHODS = new Set<Cmi5LaunchMethod>(['AnyWindow', 'OwnWindow']);

/** `<title><langstring lang="…">` with whitespace runs collapsed. */
function langstrings(parent: XmlElement, name: string): LanguageMap | undefined {
  const container = childNamed(parent, name, CMI5);
  if (container === undefined) return undefined;
  return lomLanguageMap({ ...container, children: childrenNamed(container, 'langstring', CMI5) });
}

export function parseCmi5(root: XmlElement, files: PackageFiles, options: DescriptorParseOptions = {}): ParseResult {
  const file = options.file ?? 'cmi5.xml';
  const problems = new ProblemList();
  const fail = (): ParseResult => ({ ok: false, errors: problems.errors, warnings: problems.warnings });
  if (root.name !== 'courseStructure') {
    problems.error('descriptor-root-invalid', `The root element of ${file} is <${root.name}>; it must be <courseStructure>.`, { file, element: root.path });
    return fail();
  }
  const ids = new Set<string>();
  const checkId = (element: XmlElement, what: string): string | undefined => {
    const id = attribute(element, 'id')?.trim() ?? '';
    const where = { file, element: element.path };
    if (id === '') problems.error('cmi5-id-missing', `The ${what} has no id.`, where);
    else if (!isIri(id)) problems.error('cmi5-id-not-iri', `The ${what} id "${id}" is not an IRI (cmi5 §13.1.1 requires one, e.g. https://example.org/courses/x).`, where);
    else if (ids.has(id)) problems.error('cmi5-id-duplicate', `The id "${id}" is used twice; course, block and AU ids must be unique.`, where);
    else {
      ids.add(id);
      return id;
    }
    return undefined;
  };
  const requireTitle = (element: XmlElement, what: string, fallback: string): LanguageMap => {
    const title = langstrings(element, 'title');
    if (title === undefined) problems.error('cmi5-title-missing', `The ${what} "${fallback}" has no <title> with a <langstring>.`, { file, element: element.path });
    return title ?? { und: fallback };
  };
  const objectiveRefs = (element: XmlElement): string[] | undefined => {
    const container = childNamed(element, 'objectives', CMI5);
    if (container === undefined) return undefined;
    return childrenNamed(container, 'objective', CMI5).map((o) => attribute(o, 'idref')?.trim() ?? '').filter((r) => r !== '');
  };

  const courseElement = childNamed(root, 'course', CMI5);
  if (courseElement === undefined) {
    problems.error('cmi5-course-missing', `${file} has no <course> element.`, { file, element: root.path });
    return fail();
  }
  const courseId = checkId(courseElement, 'course') ?? '';
  const courseTitle = requireTitle(courseElement, 'course', courseId);
  const courseDescription = langstrings(courseElement, 'description');

  const objectives: CourseObjective[] = [];
  const objectivesElement = childNamed(root, 'objectives', CMI5);
  for (const o of objectivesElement === undefined ? [] : childrenNamed(objectivesElement, 'objective', CMI5)) {
    const id = checkId(o, 'objective');
    if (id === undefined) continue;
    const description = langstrings(o, 'description');
    objectives.push({ id, title: requireTitle(o, 'objective', id), ...(description !== undefined ? { description } : {}) });
  }
  const knownObjectives = new Set(objectives.map((o) => o.id));
  const checkObjectiveRefs = (element: XmlElement, refs: string[] | undefined): void => {
    for (const ref of refs ?? []) {
      if (!knownObjectives.has(ref)) problems.error('cmi5-objective-missing', `The objective idref "${ref}" names no objective declared in <objectives>.`, { file, element: element.path });
    }
  };

  const readAu = (element: XmlElement): CourseNode | undefined => {
    const id = checkId(element, 'AU');
    if (id === undefined) return undefined;
    const where = { file, element: element.path };
    const title = requireTitle(element, 'AU', id);
    const description = langstrings(element, 'description');
    const moveOn = (attribute(element, 'moveOn')?.trim() ?? 'NotApplicable') as Cmi5MoveOn;
    if (!MOVE_ON.has(moveOn)) problems.error('invalid-value', `moveOn="${moveOn}" must be one of: ${[...MOVE_ON].join(', ')}.`, where);
    const launchMethod = (attribute(element, 'launchMethod')?.trim() ?? 'AnyWindow') as Cmi5LaunchMethod;
    if (!LAUNCH_METHODS.has(launchMethod)) problems.error('invalid-value', `launchMethod="${launchMethod}" must be AnyWindow or OwnWindow.`, where);
    const rawMastery = attribute(element, 'masteryScore');
    let masteryScore: number | undefined;
    if (rawMastery !== undefined) {
      masteryScore = Number(rawMastery.trim());
      if (rawMastery.trim() === '' || !Number.isFinite(masteryScore) || masteryScore < 0 || masteryScore > 1) {
        problems.error('invalid-value', `masteryScore="${rawMastery}" must be a decimal from 0 to 1.`, where);
        masteryScore = undefined;
      }
    }
    const activityType = attribute(element, 'activityType')?.trim() || undefined;
    if (activityType !== undefined && !isIri(activityType)) problems.error('invalid-value', `activityType "${activityType}" is not an IRI.`, where);
    const launchParameters = trimmedText(childNamed(element, 'launchParameters', CMI5)) || undefined;
    const entitlementKey = trimmedText(childNamed(element, 'entitlementKey', CMI5)) || undefined;
    const urlElement = childNamed(element, 'url', CMI5);
    const href = trimmedText(urlElement);
    const refs = objectiveRefs(element);
    checkObjectiveRefs(element, refs);
    if (urlElement === undefined || href === '') {
      problems.error('cmi5-url-missing', `The AU "${id}" has no <url>.`, where);
      return undefined;
    }
    const resolved = resolveHref([], href);
    const urlWhere = { file, element: urlElement.path };
    if (resolved.kind === 'outside') {
      problems.error('href-outside-package', `The AU url "${href}" points outside the package.`, urlWhere);
      return undefined;
    }
    if (resolved.kind === 'bad-scheme') {
      problems.error('href-scheme-forbidden', `The AU url "${href}" uses "${resolved.scheme}:"; only files in the package or http(s) URLs can be launched.`, urlWhere);
      return undefined;
    }
    if (resolved.kind === 'local') {
      if (options.bare === true) {
        problems.error('launch-url-not-absolute', `The AU url "${href}" is relative, but ${file} was uploaded without a package; a bare cmi5.xml can only use absolute URLs.`, urlWhere);
      } else if (!files.has(resolved.path)) {
        const message = `The AU "${id}" launches "${resolved.path}", which is not in the package.`;
        if (options.requireLaunchFiles ?? true) problems.error('launch-file-missing', message, urlWhere);
        else problems.warn('launch-file-missing', message, urlWhere);
      }
    }
    const unit: LaunchableUnit = {
      identifier: id,
      title,
      ...(description !== undefined ? { description } : {}),
      launchUrl: launchUrlOf(resolved),
      external: resolved.kind === 'external',
      ...(launchParameters !== undefined ? { launchParameters } : {}),
      isVisible: true,
      ...(activityType !== undefined ? { activityType } : {}),
      cmi5: {
        moveOn,
        ...(masteryScore !== undefined ? { masteryScore } : {}),
        launchMethod,
        ...(launchParameters !== undefined ? { launchParameters } : {}),
        ...(entitlementKey !== undefined ? { entitlementKey } : {}),
        ...(activityType !== undefined ? { activityType } : {}),
      },
    };
    return { identifier: id, title, ...(description !== undefined ? { description } : {}), isVisible: true, children: [], unit, ...(refs !== undefined ? { objectives: refs } : {}) };
  };

  const readChildren = (parent: XmlElement): CourseNode[] => {
    const nodes: CourseNode[] = [];
    // Document order matters (it is the order the learner sees), so walk the children once.
    for (const child of parent.children) {
      if (!CMI5.has(child.namespace)) continue;
      if (child.name === 'au') {
        const au = readAu(child);
        if (au !== undefined) nodes.push(au);
      } else if (child.name === 'block') {
        const id = checkId(child, 'block');
        const title = requireTitle(child, 'block', id ?? '');
        const description = langstrings(child, 'description');
        const refs = objectiveRefs(child);
        checkObjectiveRefs(child, refs);
        const children = readChildren(child);
        if (children.length === 0) problems.error('cmi5-block-empty', `The block "${id ?? ''}" contains no AU.`, { file, element: child.path });
        if (id !== undefined) nodes.push({ identifier: id, title, ...(description !== undefined ? { description } : {}), isVisible: true, children, ...(refs !== undefined ? { objectives: refs } : {}) });
      }
    }
    return nodes;
  };
  const items = readChildren(root);
  const units = collectUnits(items);
  if (units.length === 0 && !problems.hasErrors) problems.error('cmi5-au-missing', `${file} declares no AU.`, { file, element: root.path });
  if (problems.hasErrors) return fail();
  const model: CourseModel = {
    format: 'cmi5',
    identifier: courseId,
    identifierIsIri: true,
    title: courseTitle,
    ...(courseDescription !== undefined ? { description: courseDescription } : {}),
    languages: collectLanguages([], courseTitle, courseDescription, ...units.map((u) => u.title)),
    metadata: {},
    organizations: [{ identifier: courseId, title: courseTitle, items }],
    defaultOrganization: courseId,
    units,
    ...(objectives.length > 0 ? { objectives } : {}),
    descriptor: file,
  };
  return { ok: true, model, warnings: problems.warnings };
}
