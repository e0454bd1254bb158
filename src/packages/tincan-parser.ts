/**
 * tincan.xml (the Rustici "Tin Can" launch descriptor). The course activity is the one whose
 * type is `http://adlnet.gov/expapi/activities/course`, otherwise the first activity with a
 * launch; every activity with a `<launch>` becomes a launchable unit. Activity ids must be
 * IRIs: they become statement object ids, and a placeholder such as
 * `[YOUR_HOST]/xapi_course_file` would pollute the LRS.
 */
import type { CourseModel, CourseNode, LanguageMap, LaunchableUnit } from './course-model.js';
import { launchUrlOf, resolveHref } from './launch-url.js';
import { UNDETERMINED, collectLanguages, languageOf } from './lom-metadata.js';
import type { PackageFiles } from './package-files.js';
import { ProblemList } from './problem.js';
import type { ParseResult } from './scorm12-parser.js';
import { isIri } from '../shared/json-schema.js';
import { attribute, childNamed, childrenNamed, namespaceSet, trimmedText, type XmlElement } from './xml.js';

const TINCAN = namespaceSet('tincan', 'http://projecttincan.com/tincan.xsd', '');
export const COURSE_ACTIVITY_TYPE = 'http://adlnet.gov/expapi/activities/course';

export interface DescriptorParseOptions {
  readonly file?: string;
  /** Missing launch files are errors unless this is false. Default true. */
  readonly requireLaunchFiles?: boolean;
  /** No package around the descriptor: only absolute launch URLs are possible. */
  readonly bare?: boolean;
}

/** Language map from repeated elements (`<name lang="en-US">…</name><name lang="fr">…`). */
function mapOf(elements: readonly XmlElement[]): LanguageMap | undefined {
  const map: LanguageMap = {};
  for (const e of elements) {
    const text = trimmedText(e).replace(/\s+/g, ' ');
    const lang = languageOf(e);
    if (text !== '' && map[lang] === undefined) map[lang] = text;
  }
  return Object.keys(map).length > 0 ? map : undefined;
}

export function parseTincan(root: XmlElement, files: PackageFiles, options: DescriptorParseOptions = {}): ParseResult {
  const file = options.file ?? 'tincan.xml';
  const problems = new ProblemList();
  const fail = (): ParseResult => ({ ok: false, errors: problems.errors, warnings: problems.warnings });
  if (root.name !== 'tincan') {
    problems.error('descriptor-root-invalid', `The root element of ${file} is <${root.name}>; it must be <tincan>.`, { file, element: root.path });
    return fail();
  }
  const activitiesElement = childNamed(root, 'activities', TINCAN);
  const activityElements = activitiesElement === undefined ? [] : childrenNamed(activitiesElement, 'activity', TINCAN);
  if (activityElements.length === 0) {
    problems.error('activities-missing', `${file} declares no <activity>.`, { file, element: root.path });
    return fail();
  }
  const seen = new Set<string>();
  const nodes: { node: CourseNode; type?: string }[] = [];
  for (const element of activityElements) {
    const where = { file, element: element.path };
    const id = attribute(element, 'id')?.trim() ?? '';
    if (id === '') {
      problems.error('activity-id-missing', 'An <activity> has no id.', where);
      continue;
    }
    if (!isIri(id)) {
      problems.error('activity-id-not-iri', `The activity id "${id}" is not an IRI: it must be an absolute identifier such as https://example.org/courses/my-course. Replace the placeholder with the course's real IRI.`, where);
      continue;
    }
    if (seen.has(id)) {
      problems.error('activity-id-duplicate', `Two activities have the id "${id}".`, where);
      continue;
    }
    seen.add(id);
    const type = attribute(element, 'type')?.trim() || undefined;
    if (type !== undefined && !isIri(type)) problems.warn('activity-type-not-iri', `The activity type "${type}" is not an IRI; it is ignored.`, where);
    const name = mapOf(childrenNamed(element, 'name', TINCAN)) ?? { [UNDETERMINED]: id };
    const description = mapOf(childrenNamed(element, 'description', TINCAN));
    const launchElement = childNamed(element, 'launch', TINCAN);
    let unit: LaunchableUnit | undefined;
    if (launchElement !== undefined && trimmedText(launchElement) !== '') {
      const href = trimmedText(launchElement);
      const resolved = resolveHref([], href);
      const launchWhere = { file, element: launchElement.path };
      if (resolved.kind === 'outside') problems.error('href-outside-package', `The launch "${href}" points outside the package.`, launchWhere);
      else if (resolved.kind === 'bad-scheme') problems.error('href-scheme-forbidden', `The launch "${href}" uses "${resolved.scheme}:"; only files in the package or http(s) URLs can be launched.`, launchWhere);
      else {
        if (resolved.kind === 'local') {
          if (options.bare === true) problems.error('launch-url-not-absolute', `The launch "${href}" is relative, but there is no package around ${file}; use an absolute URL.`, launchWhere);
          else if (!files.has(resolved.path)) {
            const message = `The activity launches "${resolved.path}", which is not in the package.`;
            if (options.requireLaunchFiles ?? true) problems.error('launch-file-missing', message, launchWhere);
            else problems.warn('launch-file-missing', message, launchWhere);
          }
        }
        unit = {
          identifier: id,
          title: name,
          ...(description !== undefined ? { description } : {}),
          launchUrl: launchUrlOf(resolved),
          external: resolved.kind === 'external',
          isVisible: true,
          ...(type !== undefined && isIri(type) ? { activityType: type } : {}),
        };
      }
    }
    nodes.push({
      node: { identifier: id, title: name, ...(description !== undefined ? { description } : {}), isVisible: true, children: [], ...(unit !== undefined ? { unit } : {}) },
      ...(type !== undefined ? { type } : {}),
    });
  }
  if (problems.hasErrors) return fail();
  const course = nodes.find((n) => n.type === COURSE_ACTIVITY_TYPE) ?? nodes.find((n) => n.node.unit !== undefined);
  const launchable = nodes.filter((n) => n.node.unit !== undefined).map((n) => n.node);
  if (course === undefined || launchable.length === 0) {
    problems.error('launch-missing', `No activity in ${file} has a <launch>, so there is nothing to start.`, { file, element: activitiesElement?.path ?? root.path });
    return fail();
  }
  const items = [...launchable];
  const model: CourseModel = {
    format: 'xapi',
    identifier: course.node.identifier,
    identifierIsIri: true,
    title: course.node.title,
    ...(course.node.description !== undefined ? { description: course.node.description } : {}),
    languages: collectLanguages([], ...nodes.flatMap((n) => [n.node.title, n.node.description])),
    metadata: {},
    organizations: [{ identifier: course.node.identifier, title: course.node.title, items }],
    defaultOrganization: course.node.identifier,
    units: items.map((n) => n.unit as LaunchableUnit),
    descriptor: file,
  };
  return { ok: true, model, warnings: problems.warnings };
}
