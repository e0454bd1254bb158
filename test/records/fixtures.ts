/**
 * A realistic mix of records for the records tests: SCORM commits through the real runtime path, an xAPI course
 * whose content posts with its launch token, a cmi5 course with the LMS's and the AU's statements, voidings,
 * duplicates and a registration nobody knows.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createCatalogService } from '../../src/packages/index.js';
import { findRepoRoot } from '../../src/shared/json-schema.js';
import type { LightMyRequestResponse } from 'fastify';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import type { SignedIn, TestApp, TestUser } from '../fixtures/test-app.js';

const demo = (name: string) => path.join(findRepoRoot(), 'content-packages', name);
const V = (name: string) => `http://adlnet.gov/expapi/verbs/${name}`;
const CMI5_CATEGORY = 'https://w3id.org/xapi/cmi5/context/categories/cmi5';
const SESSION = 'https://w3id.org/xapi/cmi5/context/extensions/sessionid';

export async function importCourses(lrs: TestApp) {
  const catalog = createCatalogService({ catalog: lrs.store.catalog, files: lrs.store.packageFiles, publicUrl: lrs.config.publicUrl });
  const load = async (source: Parameters<typeof catalog.importPackage>[0], slug: string) => {
    const outcome = await catalog.importPackage(source, { slug });
    if (!outcome.ok) throw new Error(`${slug}: ${JSON.stringify(outcome.errors)}`);
    return outcome;
  };
  return {
    scorm: await load({ zipPath: sharedFixture('scorm12', 'multisco_w_status_w_raw_score.zip') }, 'multi-sco'),
    xapi: await load({ directory: demo('xapi-cybercrime-response') }, 'cybercrime'),
    cmi5: await load({ directory: demo('cmi5-interpol-notices') }, 'interpol-notices'),
  };
}

export type Courses = Awaited<ReturnType<typeof importCourses>>;

const tokenOf = (url: string) => /\/(?:player|c)\/([^/?]+)/.exec(url)![1] as string;

function ok(res: LightMyRequestResponse, what: string): LightMyRequestResponse {
  if (res.statusCode >= 300) throw new Error(`${what} answered ${res.statusCode}: ${res.body}`);
  return res;
}

export async function launch(lrs: TestApp, learner: SignedIn, slug: string, unit?: string) {
  const res = ok(await lrs.as(learner, { method: 'POST', url: `/api/courses/${slug}/launch`, payload: unit ? { unit } : {} }), `launch ${slug}`);
  const body = res.json() as { url: string; registration: string; unit: string };
  return { ...body, token: tokenOf(body.url) };
}

export async function commit(lrs: TestApp, token: string, core: Record<string, unknown>, sequence: number, terminate = false) {
  return ok(
    await lrs.app.inject({
      method: 'POST',
      url: `/api/runtime/commit?token=${encodeURIComponent(token)}${terminate ? '&terminate=true' : ''}`,
      headers: { 'content-type': 'application/json', origin: lrs.config.contentUrl },
      payload: { runtimeData: { cmi: { core: { student_id: 'x', entry: 'ab-initio', exit: '', score: { raw: '', min: '', max: '' }, ...core } } }, commitSequence: sequence },
    }),
    'commit',
  );
}

export async function post(lrs: TestApp, statements: object | object[], authorization?: string) {
  return ok(
    await lrs.xapi({
      method: 'POST',
      url: '/xapi/statements',
      payload: statements,
      ...(authorization && { as: null, headers: { authorization } }),
    }),
    'POST /xapi/statements',
  ).json() as string[];
}

export const voiding = (id: string) => ({
  actor: { objectType: 'Agent', mbox: 'mailto:records.officer@academy.example' },
  verb: { id: V('voided'), display: { 'en-US': 'voided' } },
  object: { objectType: 'StatementRef', id },
});

async function statementIds(lrs: TestApp, registration: string, verb: string): Promise<string[]> {
  const res = await lrs.xapi({ method: 'GET', url: `/xapi/statements?registration=${registration}&verb=${encodeURIComponent(V(verb))}&limit=0` });
  return (res.json().statements as Array<{ id: string }>).map((s) => s.id);
}

const at = (minutes: number) => new Date(Date.UTC(2026, 2, 2, 8, 0) + minutes * 60_000).toISOString();

/** A SCORM 1.2 learner: two SCOs, one suspended then resumed and passed, the other completed; a score voided. */
export async function scormStory(lrs: TestApp, learner: SignedIn, courses: Courses) {
  const [first, second] = courses.scorm.model.units;
  const a = await launch(lrs, learner, 'multi-sco', first!.identifier);
  await commit(lrs, a.token, { lesson_status: 'incomplete', session_time: '00:02:00' }, 1);
  await commit(lrs, a.token, { lesson_status: 'incomplete', exit: 'suspend', session_time: '00:03:00', score: { raw: '40', min: '0', max: '100' } }, 2, true);
  const b = await launch(lrs, learner, 'multi-sco', first!.identifier);
  await commit(lrs, b.token, { lesson_status: 'passed', entry: 'resume', session_time: '00:04:00', score: { raw: '85', min: '0', max: '100' } }, 3, true);
  const c = await launch(lrs, learner, 'multi-sco', second!.identifier);
  await commit(lrs, c.token, { lesson_status: 'completed', session_time: '00:01:30' }, 1, true);
  // An administrator voids the first score (entered by mistake).
  const scored = await statementIds(lrs, a.registration, 'scored');
  await post(lrs, voiding(scored.at(-1)!));
  return { registration: a.registration, units: [first!.identifier, second!.identifier] };
}

/** xAPI content posting with its launch token; its "passed" voided by an administrator, a duplicate resent. */
export async function xapiStory(lrs: TestApp, learner: SignedIn, user: TestUser) {
  const launched = await launch(lrs, learner, 'cybercrime');
  const url = new URL(launched.url);
  const auth = url.searchParams.get('auth')!;
  const actor = JSON.parse(url.searchParams.get('actor')!);
  const course = url.searchParams.get('activity_id')!;
  const context = { registration: launched.registration };
  const passedId = randomUUID();
  const statements = [
    { actor, verb: { id: V('initialized') }, object: { id: course }, context, timestamp: at(0) },
    { actor, verb: { id: V('experienced') }, object: { id: `${course}/pages/welcome` }, context: { ...context, contextActivities: { parent: [{ id: course }] } }, timestamp: at(1) },
    { actor, verb: { id: V('completed') }, object: { id: course }, result: { completion: true, duration: 'PT11M' }, context, timestamp: at(11) },
    { id: passedId, actor, verb: { id: V('passed') }, object: { id: course }, result: { success: true, completion: true, score: { scaled: 0.8 }, duration: 'PT11M' }, context, timestamp: at(11) },
    { actor, verb: { id: V('terminated') }, object: { id: course }, result: { duration: 'PT12M' }, context, timestamp: at(12) },
  ];
  await post(lrs, statements.slice(0, 2), auth);
  await post(lrs, statements.slice(2), auth);
  await post(lrs, statements[3]!, auth); // a resend: same id, same content, no change (xAPI 1.0.3 §2.2.1)
  await post(lrs, voiding(passedId));
  // A voiding statement that arrives before its target, then the target (stored voided).
  const lateId = randomUUID();
  await post(lrs, voiding(lateId));
  await post(lrs, { id: lateId, actor, verb: { id: V('failed') }, object: { id: course }, result: { success: false }, context, timestamp: at(13) }, auth);
  void user;
  return { registration: launched.registration };
}

/** cmi5: the LMS's launched, abandoned, satisfied and the AU's statements, on a registration of the runtime. */
export async function cmi5Story(lrs: TestApp, user: TestUser, courses: Courses, options: { satisfied: boolean }) {
  const registration = randomUUID();
  await lrs.store.runtime.addRegistration({ id: registration, userId: user.user.id, courseId: courses.cmi5.course.id, versionId: courses.cmi5.version.id, createdMs: Date.parse(at(-1)), completedMs: null });
  const actor = { objectType: 'Agent', name: user.user.name, account: { homePage: lrs.config.publicUrl, name: user.user.id } };
  const courseIri = courses.cmi5.course.activityId;
  const [lesson, test] = courses.cmi5.model.units;
  const au = (unit: { identifier: string }, verb: string, minutes: number, session: string, result?: object) => ({
    actor,
    verb: { id: verb },
    object: { id: `${courseIri}/au/${encodeURIComponent(unit.identifier)}` },
    ...(result && { result }),
    context: { registration, contextActivities: { grouping: [{ id: unit.identifier }], category: [{ id: CMI5_CATEGORY }] }, extensions: { [SESSION]: session } },
    timestamp: at(minutes),
  });
  const s1 = randomUUID();
  const s2 = randomUUID();
  const s3 = randomUUID();
  await post(lrs, [au(lesson!, V('launched'), 0, s1), au(lesson!, V('initialized'), 0, s1)]);
  await post(lrs, [au(lesson!, V('completed'), 6, s1, { completion: true, duration: 'PT6M' }), au(lesson!, V('terminated'), 7, s1, { duration: 'PT7M' })]);
  await post(lrs, [au(test!, V('launched'), 10, s2), au(test!, V('initialized'), 10, s2)]);
  await post(lrs, au(test!, 'https://w3id.org/xapi/adl/verbs/abandoned', 30, s2, { duration: 'PT4M' }));
  await post(lrs, [au(test!, V('launched'), 40, s3), au(test!, V('initialized'), 40, s3)]);
  const [failed] = await post(lrs, au(test!, V('failed'), 45, s3, { success: false, score: { scaled: 0.4 } }));
  await post(lrs, [au(test!, V('passed'), 50, s3, { success: true, score: { scaled: 0.9 } }), au(test!, V('terminated'), 51, s3, { duration: 'PT11M' })]);
  await post(lrs, voiding(failed!));
  if (options.satisfied) {
    await post(lrs, {
      actor,
      verb: { id: 'https://w3id.org/xapi/adl/verbs/satisfied' },
      object: { id: courseIri, definition: { type: 'https://w3id.org/xapi/cmi5/activitytype/course' } },
      context: { registration, contextActivities: { grouping: [{ id: courses.cmi5.model.identifier }], category: [{ id: CMI5_CATEGORY }] }, extensions: { [SESSION]: s3 } },
      timestamp: at(51),
    });
  }
  return { registration };
}

/** Statements about a registration the runtime never made (an external tool's): nobody's transcript. */
export async function strangerStory(lrs: TestApp) {
  const registration = randomUUID();
  await post(lrs, { actor: { mbox: 'mailto:visitor@elsewhere.example' }, verb: { id: V('completed') }, object: { id: 'https://elsewhere.example/course' }, context: { registration } });
  return { registration };
}
