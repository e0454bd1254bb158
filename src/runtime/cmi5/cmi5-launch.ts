/**
 * What the LMS prepares before an AU runs (cmi5 §8.1 launch URL, §10 `LMS.LaunchData`,
 * §11 learner preferences) and the LMS-generated activity ids it hands out (§8.1.5, §9.4).
 * Pure: the caller writes the documents and statements through the LRS write path.
 */
import type { Cmi5MoveOn, LaunchableUnit } from '../../packages/index.js';
import type { Actor, Context } from '../../lrs/statements/statement-types.js';
import { isIri, isLanguageTag } from '../../shared/json-schema.js';
import { CMI5_CONTEXT_EXTENSION, LAUNCH_PARAMETER_NAMES, type Cmi5LaunchMode } from './cmi5-vocabulary.js';

// ---------------------------------------------------------------------------
// LMS-generated activity ids (§8.1.5, §9.3.9, §9.4)
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Launch URL (§8.1)
// ---------------------------------------------------------------------------

export interface Cmi5LaunchUrlInput {
  /** §8.1.1: the xAPI base endpoint the AU talks to. */
  readonly endpoint: string;
  /** §8.1.2: the one-time URL that hands out the auth token. */
  readonly fetchUrl: string;
  /** §8.1.3, §9.2: an Agent with an `account`. */
  readonly actor: Actor;
  /** §8.1.4: the registration UUID. */
  readonly registration: string;
  /** §8.1.5: the LMS-generated activity id (`cmi5ActivityIds(…).au(unit.identifier)`). */
  readonly activityId: string;
  /** Where the package's files are served (the content origin); unused for external AUs. */
  readonly contentBaseUrl: string;
}

function unitCmi5(unit: LaunchableUnit): NonNullable<LaunchableUnit['cmi5']> {
  if (unit.cmi5 === undefined) throw new TypeError(`unit "${unit.identifier}" is not a cmi5 AU`);
  return unit.cmi5;
}

function splitSuffix(launchUrl: string): { path: string; suffix: string } {
  const cut = launchUrl.search(/[?#]/);
  return cut < 0 ? { path: launchUrl, suffix: '' } : { path: launchUrl.slice(0, cut), suffix: launchUrl.slice(cut) };
}

/**
 * The AU's URL without the §8.1 parameters: what the `launchurl` extension of "launched"
 * records (§9.6.3.4, "a fully qualified URL … without the name/value pairs"). A package file's
 * path (stored decoded, course-model.ts) is percent-encoded segment by segment under
 * `contentBaseUrl`; its query string stays as the descriptor wrote it (`index.html?pages=1`).
 */
export function resolveAuUrl(unit: LaunchableUnit, contentBaseUrl: string): string {
  if (unit.external) return new URL(unit.launchUrl).href;
  const base = contentBaseUrl.endsWith('/') ? contentBaseUrl : `${contentBaseUrl}/`;
  const { path, suffix } = splitSuffix(unit.launchUrl.replace(/^\/+/, ''));
  const encoded = path.split('/').map((segment) => encodeURIComponent(segment)).join('/');
  return new URL(encoded + suffix, new URL(base)).href;
}

/**
 * §8.1.0.0-6: names in an AU URL's own query string that collide with the launch parameters.
 * The LMS must reject such a course at import (§8.1.0.0-6 (d)); `buildLaunchUrl` refuses them too.
 */
export function findLaunchParameterCollisions(launchUrl: string): string[] {
  const { suffix } = splitSuffix(launchUrl);
  if (!suffix.startsWith('?')) return [];
  const query = suffix.slice(1).split('#')[0] ?? '';
  const names = new Set(new URLSearchParams(query).keys());
  return LAUNCH_PARAMETER_NAMES.filter((name) => names.has(name));
}

/**
 * §8.1: the URL that launches the AU — its own URL plus `endpoint`, `fetch`, `actor` (JSON),
 * `registration` and `activityId`, each value URL-encoded (§8.1.0.0-8), appended with `&` when
 * the URL already has a query (§8.1.0.0-5), before any fragment. The AU's `launchParameters`
 * are not in the URL: they travel in `LMS.LaunchData` (§10.2.3).
 */
export function buildLaunchUrl(unit: LaunchableUnit, input: Cmi5LaunchUrlInput): string {
  const collisions = findLaunchParameterCollisions(unit.launchUrl);
  if (collisions.length > 0) {
    throw new TypeError(`AU "${unit.identifier}" has a URL whose query already uses ${collisions.join(', ')} (cmi5 §8.1.0.0-6)`);
  }
  if (input.activityId === unit.identifier) {
    throw new TypeError(`the activityId of AU "${unit.identifier}" must be generated by the LMS, not the publisher's id (cmi5 §8.1.5.0-3)`);
  }
  const url = new URL(resolveAuUrl(unit, input.contentBaseUrl));
  const fragment = url.hash;
  url.hash = '';
  const params = [
    ['endpoint', input.endpoint],
    ['fetch', input.fetchUrl],
    ['actor', JSON.stringify(input.actor)],
    ['registration', input.registration],
    ['activityId', input.activityId],
  ]
    .map(([name, value]) => `${name}=${encodeURIComponent(value as string)}`)
    .join('&');
  const href = url.href;
  const separator = href.endsWith('?') ? '' : url.search === '' ? '?' : '&';
  return `${href}${separator}${params}${fragment}`;
}

// ---------------------------------------------------------------------------
// LMS.LaunchData (§10)
// ---------------------------------------------------------------------------

export interface Cmi5EntitlementKey {
  readonly courseStructure?: string;
  readonly alternate?: string;
}

/** The `LMS.LaunchData` state document (§10.2). */
export interface Cmi5LaunchData {
  readonly contextTemplate: Context;
  readonly launchMode: Cmi5LaunchMode;
  readonly launchParameters?: string;
  readonly masteryScore?: number;
  readonly moveOn: Cmi5MoveOn;
  readonly returnURL?: string;
  readonly entitlementKey?: Cmi5EntitlementKey;
}

export interface Cmi5LaunchDataInput {
  /** §9.6.3.1: generated by the LMS for this launch. */
  readonly sessionId: string;
  readonly launchMode: Cmi5LaunchMode;
  /** §10.2.6: where the AU sends the learner when it exits. */
  readonly returnUrl?: string;
  /**
   * §10.2.1: the LMS MAY add values to the template. Lists and extensions are merged; the
   * session id and the publisher id grouping activity cannot be overridden.
   */
  readonly contextTemplateAdditions?: Context;
  /** §10.2.3–10.2.5: values that MAY differ from the course structure's; absent keeps the structure's. */
  readonly masteryScore?: number;
  readonly moveOn?: Cmi5MoveOn;
  readonly launchParameters?: string;
  /** §10.2.7.2: agreed with the AU's provider. */
  readonly entitlementKeyAlternate?: string;
}

function asList<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** §10.2.1.0-2 and -3: the session id extension and the publisher id in `grouping`, plus any additions. */
export function buildContextTemplate(publisherId: string, sessionId: string, additions: Context = {}): Context {
  const { contextActivities: extraActivities = {}, extensions: extraExtensions, ...rest } = additions;
  const lists: Record<string, { id: string }[]> = {};
  for (const [key, value] of Object.entries(extraActivities)) lists[key] = asList(value).map((a) => ({ ...a }));
  const grouping = (lists['grouping'] ?? []).filter((a) => a.id !== publisherId);
  lists['grouping'] = [{ id: publisherId }, ...grouping];
  return {
    ...rest,
    contextActivities: lists,
    extensions: { ...((extraExtensions as Record<string, unknown> | undefined) ?? {}), [CMI5_CONTEXT_EXTENSION.sessionId]: sessionId },
  };
}

/** §10.2: the document the LMS PUTs as `LMS.LaunchData` (activityId, agent and registration as launched, §10.1). */
export function buildLaunchData(unit: LaunchableUnit, input: Cmi5LaunchDataInput): Cmi5LaunchData {
  const cmi5 = unitCmi5(unit);
  const masteryScore = input.masteryScore ?? cmi5.masteryScore;
  if (masteryScore !== undefined && !(masteryScore >= 0 && masteryScore <= 1)) {
    throw new RangeError(`masteryScore ${masteryScore} must be from 0 to 1 (cmi5 §10.2.4)`);
  }
  const launchParameters = input.launchParameters ?? cmi5.launchParameters;
  const entitlementKey: Cmi5EntitlementKey = {
    ...(cmi5.entitlementKey !== undefined ? { courseStructure: cmi5.entitlementKey } : {}),
    ...(input.entitlementKeyAlternate !== undefined ? { alternate: input.entitlementKeyAlternate } : {}),
  };
  return {
    contextTemplate: buildContextTemplate(unit.identifier, input.sessionId, input.contextTemplateAdditions),
    launchMode: input.launchMode,
    ...(launchParameters !== undefined ? { launchParameters } : {}),
    ...(masteryScore !== undefined ? { masteryScore } : {}),
    moveOn: input.moveOn ?? cmi5.moveOn,
    ...(input.returnUrl !== undefined ? { returnURL: input.returnUrl } : {}),
    ...(Object.keys(entitlementKey).length > 0 ? { entitlementKey } : {}),
  };
}

// ---------------------------------------------------------------------------
// Learner preferences (§11)
// ---------------------------------------------------------------------------

export interface Cmi5LearnerPreferences {
  /** §11.1: RFC 5646 tags, comma-separated, most preferred first. */
  readonly languagePreference: string;
  /** §11.2. */
  readonly audioPreference: 'on' | 'off';
}

/**
 * §11: the `cmi5LearnerPreferences` agent profile document. Tags that are not RFC 5646 are
 * dropped and duplicates (case-insensitive) removed; with none left the list is `und`
 * (undetermined), so the document still has both properties (§11.0.0.0-5).
 */
export function buildLearnerPreferences(languages: readonly string[], audioPreference: 'on' | 'off' = 'on'): Cmi5LearnerPreferences {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of languages) {
    const tag = raw.trim();
    if (!isLanguageTag(tag) || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  return { languagePreference: tags.length > 0 ? tags.join(',') : 'und', audioPreference };
}
