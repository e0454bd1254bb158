import { isIri } from '../shared/json-schema.js';
import type { PackageFormat } from './course-model.js';

/**
 * The xAPI activity ids of a course's units (DESIGN.md "Identity and IRIs"): a SCO is `<course IRI>/<identifier>`;
 * an xAPI activity keeps the IRI its package declares. One rule for the runtime that writes statements and the
 * records that read them back.
 */
export function unitActivityId(courseActivityId: string, format: PackageFormat, unitIdentifier: string): string {
  return format !== 'scorm12' && format !== 'scorm2004' && isIri(unitIdentifier)
    ? unitIdentifier
    : `${courseActivityId}/${encodeURIComponent(unitIdentifier)}`;
}

/**
 * The ids the LMS uses in place of the publisher's: §8.1.5 (the AU's `activityId` MUST NOT be
 * the publisher's AU id, and SHOULD be the same in every registration) and §9.4 (block and
 * course objects of "satisfied" MUST NOT be the publisher's ids either). Derived from the
 * publisher id under an LMS-owned course IRI, so they are stable across registrations and
 * package versions (DESIGN.md: a new version never orphans earlier records) and reversible.
 */
export interface Cmi5ActivityIds {
  /** The course object of "satisfied" (§9.3.9.0-6). */
  readonly course: string;
  au(publisherId: string): string;
  block(publisherId: string): string;
}

/** `lmsCourseId` is the LMS's own course IRI, e.g. `PUBLIC_URL/courses/<slug>`; it must differ from the cmi5 course id. */
export function cmi5ActivityIds(lmsCourseId: string): Cmi5ActivityIds {
  const course = lmsCourseId.replace(/\/+$/, '');
  if (!isIri(course)) throw new TypeError(`cmi5ActivityIds: "${lmsCourseId}" is not an IRI`);
  return {
    course,
    au: (publisherId) => `${course}/au/${encodeURIComponent(publisherId)}`,
    block: (publisherId) => `${course}/block/${encodeURIComponent(publisherId)}`,
  };
}
