import { randomUUID } from 'node:crypto';
import type { LrsPrincipal } from '../access/index.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { actorIdentity, type Actor } from '../lrs/index.js';
import { unitActivityId, type CatalogService, type CourseModel, type LaunchableUnit } from '../packages/index.js';
import type { AttemptRecord, CatalogStore, CourseRecord, CourseVersionRecord, DocumentKey, RegistrationRecord, RuntimeStore, StatementRecord, StoredDocument } from '../store/ports.js';
import type { LaunchClaims, LaunchTokens } from './launch-tokens.js';
import { createCmi5Runtime } from './cmi5-runtime.js';
import { courseStatus, deliveredObjectives, evaluateSequencing, tableOfContents, terminationRulesApply, type NavigationRequest, type SequencingRequest } from './sequencing/index.js';
import { courseStatusChanges, courseStatusStatements } from './sequencing/course-status-statements.js';

/** The learner as the runtime needs them. */
export interface Learner {
  readonly id: string;
  readonly name: string;
}

/** SCORM commits become statements through this (src/runtime/scorm-to-xapi); injected so the service stays testable. */
export interface ScormTranslator {
  /** The normalised state of a commit body, or throws a client error naming the element. */
  read(version: 'scorm12' | 'scorm2004', body: unknown): unknown;
  /** Statements for what changed between two states (none when nothing did). */
  translate(before: unknown, after: unknown, event: { phase: 'initialize' | 'commit' | 'terminate'; atMs: number; isResume: boolean }, context: ScormTranslationContext): unknown[];
  /** Whether a state ends the attempt when the SCO terminates (it did not suspend). */
  ends(state: unknown): boolean;
  /** The state of an attempt nothing was written to yet: the baseline of its first commit. */
  empty(version: 'scorm12' | 'scorm2004'): unknown;
}

/** What the runtime keeps of a SCORM attempt between commits. */
export interface ScormAttemptState {
  /** The translator's normalised view of the last commit. */
  readonly cmi: unknown;
  /** The last commit body as the player sent it: what a resumed launch loads back. */
  readonly raw: Record<string, unknown>;
  /**
   * The session that sent it: the player page (`playerSession` of the commit body), else the launch (token id). A
   * commit from another session starts a new one; a commit kept offline and replayed later keeps its own.
   */
  readonly session: string;
}

export interface ScormTranslationContext {
  readonly actor: Actor;
  readonly registration: string;
  readonly courseActivityId: string;
  readonly courseTitle: Record<string, string>;
  readonly scoActivityId: string;
  readonly scoTitle: Record<string, string>;
  readonly attemptActivityId: string;
  readonly attemptNumber: number;
  readonly scormVersion: 'scorm12' | 'scorm2004';
  readonly masteryScore?: number;
  readonly platform: string;
}

export interface RuntimeServiceDeps {
  readonly catalog: CatalogService;
  readonly catalogStore: Pick<CatalogStore, 'version' | 'courseById'>;
  readonly runtime: RuntimeStore;
  readonly tokens: LaunchTokens;
  /** The LRS write path's checks, run before the commit's transaction (statement-service `prepare`). */
  readonly prepareStatements: (statements: unknown[], principal: LrsPrincipal) => { records: StatementRecord[] };
  readonly translator: ScormTranslator;
  readonly publicUrl: string;
  readonly contentUrl: string;
  readonly now?: () => number;
}

/** The xAPI actor of a platform user (DESIGN.md "Identity and IRIs"). */
export const actorOf = (learner: Learner, publicUrl: string): Actor => ({
  objectType: 'Agent',
  name: learner.name,
  account: { homePage: publicUrl, name: learner.id },
});

/** Each path segment encoded, the query kept as the package wrote it. */
function encodeLaunchPath(launchUrl: string): string {
  const [pathPart, ...query] = launchUrl.split('?');
  const encoded = pathPart.split('/').map((segment) => encodeURIComponent(segment)).join('/');
  return query.length > 0 ? `${encoded}?${query.join('?')}` : encoded;
}

/** Appends query parameters to a URL that may already have a query (cmi5: `index.html?pages=1`). */
export function withQuery(url: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  if (!query) return url;
  const [base, hash] = url.split('#');
  return `${base}${base.includes('?') ? '&' : '?'}${query}${hash === undefined ? '' : `#${hash}`}`;
}

/**
 * Launching courses: registrations (one learner, one course, one version until finished), attempts, launch
 * tokens, and the SCORM commits that turn into statements in the same transaction as the attempt's state.
 */
export function createRuntimeService(deps: RuntimeServiceDeps) {
  const { catalog, catalogStore, runtime, tokens, translator, publicUrl, contentUrl } = deps;
  const now = deps.now ?? Date.now;

  /** The principal the LMS writes its own statements under (cmi5 launched, abandoned, satisfied). */
  const lmsPrincipal: LrsPrincipal = {
    credentialId: 'runtime',
    name: 'cadet runtime',
    scopes: ['statements/write', 'state', 'profile'],
    authority: { objectType: 'Agent', name: 'cadet runtime', account: { homePage: publicUrl, name: 'runtime' } },
  };
  const cmi5 = createCmi5Runtime({ runtime, prepareStatements: deps.prepareStatements, lmsPrincipal, publicUrl, contentUrl, now });

  /** The principal statements from a commit are written under: the runtime itself, as the learner. */
  const runtimePrincipal = (claims: LaunchClaims): LrsPrincipal => ({
    credentialId: `launch:${claims.attemptId}`,
    name: 'cadet runtime',
    scopes: ['statements/write', 'statements/read/mine', 'state', 'profile'],
    authority: { objectType: 'Agent', name: 'cadet runtime', account: { homePage: publicUrl, name: 'runtime' } },
    actorIdentity: claims.actorIdentity,
  });

  async function versionOf(versionId: string): Promise<CourseVersionRecord> {
    const version = await catalogStore.version(versionId);
    if (!version) throw notFound('version-not-found', 'the course version of this launch no longer exists');
    return version;
  }

  const modelOf = (version: CourseVersionRecord) => version.model as CourseModel;

  function unitOf(model: CourseModel, unitId: string): LaunchableUnit {
    const unit = model.units.find((candidate) => candidate.identifier === unitId);
    if (!unit) throw notFound('unit-not-found', `this course has no unit ${unitId}`, { parameter: 'unit' });
    return unit;
  }

  /** A unit's activity IRI (packages/activity-ids.ts). */
  const activityIdOf = (course: CourseRecord, model: CourseModel, unit: LaunchableUnit) => unitActivityId(course.activityId, model.format, unit.identifier);

  /** The registration to continue, or a new one on the current version. */
  async function registrationFor(learner: Learner, course: CourseRecord): Promise<RegistrationRecord> {
    const latest = await runtime.latestRegistration(learner.id, course.id);
    if (latest && latest.completedMs === null) return latest;
    const version = await catalog.currentVersion(course.id);
    if (!version) throw conflict('course-unavailable', `course ${course.slug} has no version available to launch`, { parameter: 'slug' });
    const registration: RegistrationRecord = { id: randomUUID(), userId: learner.id, courseId: course.id, versionId: version.id, createdMs: now(), completedMs: null };
    await runtime.addRegistration(registration);
    return registration;
  }

  /**
   * The unit to open: the one asked for, else the most recently used, else the first (SCORM 2004: the one the
   * Start sequencing request delivers, SN SB.2.5, when flow delivers one).
   */
  async function chooseUnit(model: CourseModel, registration: RegistrationRecord, requested: string | undefined): Promise<LaunchableUnit> {
    if (requested !== undefined) return unitOf(model, requested);
    const attempts = await runtime.attempts(registration.id);
    const recent = [...attempts].sort((a, b) => b.updatedMs - a.updatedMs)[0];
    const unit = recent ? model.units.find((candidate) => candidate.identifier === recent.unitId) : undefined;
    const started = model.format === 'scorm2004' && !unit ? evaluateSequencing(model, attempts, { seed: registration.id, nowMs: now() }).start() : undefined;
    const first = (started?.ok ? started.deliver.unit : undefined) ?? model.units.find((candidate) => candidate.isVisible) ?? model.units[0];
    if (!unit && !first) throw conflict('course-empty', 'this course has no launchable unit');
    return unit ?? first;
  }

  async function attemptFor(registration: RegistrationRecord, unit: LaunchableUnit): Promise<AttemptRecord> {
    const latest = await runtime.latestAttempt(registration.id, unit.identifier);
    if (latest && latest.endedMs === null) return latest;
    return runtime.addAttempt({ id: randomUUID(), registrationId: registration.id, unitId: unit.identifier, atMs: now() });
  }

  /** The URL the learner's browser opens for a unit, with its token. */
  function launchUrlFor(model: CourseModel, unit: LaunchableUnit, token: string, claims: LaunchClaims, actor: Actor, activityId: string): string {
    if (model.format === 'scorm12' || model.format === 'scorm2004') return `${contentUrl}/player/${token}`;
    const base = unit.external ? unit.launchUrl : `${contentUrl}/c/${token}/${encodeLaunchPath(unit.launchUrl)}`;
    // xAPI/TinCan launch (Rustici's launch convention): the token is the content's LRS credential.
    return withQuery(base, {
      endpoint: `${publicUrl}/xapi/`,
      auth: `Bearer ${token}`,
      actor: JSON.stringify(actor),
      registration: claims.registrationId,
      activity_id: activityId,
    });
  }

  async function launchUnit(learner: Learner, course: CourseRecord, registration: RegistrationRecord, unit: LaunchableUnit) {
    const version = await versionOf(registration.versionId);
    const model = modelOf(version);
    if (model.format === 'cmi5') return launchCmi5(learner, course, registration, version, unit);
    const actor = actorOf(learner, publicUrl);
    const attempt = await attemptFor(registration, unit);
    const kind = model.format === 'xapi' ? 'xapi' : 'scorm';
    const { token, claims } = tokens.issue({
      kind,
      userId: learner.id,
      registrationId: registration.id,
      versionId: version.id,
      unitId: unit.identifier,
      attemptId: attempt.id,
      actorIdentity: actorIdentity(actor) as string,
    });
    const activityId = activityIdOf(course, model, unit);
    return { url: launchUrlFor(model, unit, token, claims, actor, activityId), registration: registration.id, attempt: attempt.id, unit: unit.identifier, token };
  }

  /** cmi5: a new session of the AU's attempt each launch (the attempt holds its registration-long progress). */
  async function launchCmi5(learner: Learner, course: CourseRecord, registration: RegistrationRecord, version: CourseVersionRecord, unit: LaunchableUnit) {
    const actor = actorOf(learner, publicUrl);
    const attempt = (await runtime.latestAttempt(registration.id, unit.identifier)) ?? (await runtime.addAttempt({ id: randomUUID(), registrationId: registration.id, unitId: unit.identifier, atMs: now() }));
    const { token, claims } = tokens.issue({
      kind: 'cmi5',
      userId: learner.id,
      registrationId: registration.id,
      versionId: version.id,
      unitId: unit.identifier,
      attemptId: attempt.id,
      actorIdentity: actorIdentity(actor) as string,
    });
    const url = await cmi5.launch({ model: modelOf(version), unit, courseActivityId: course.activityId, courseSlug: course.slug, registration, attempt, actor, token, claims });
    return { url, registration: registration.id, attempt: attempt.id, unit: unit.identifier, token };
  }

  return {
    /** cmi5 §8.2: the single-use fetch URL. */
    async cmi5Fetch(token: string) {
      const claims = tokens.verify(token);
      if (claims.kind !== 'cmi5') throw forbidden('not-cmi5', 'this launch is not a cmi5 launch');
      return cmi5.fetch(token, claims);
    },

    /** POST /api/courses/:slug/launch: continue or start the learner's registration and open a unit. */
    async launch(learner: Learner, slug: string, options: { unit?: string } = {}) {
      const { course } = await catalog.course(slug);
      const registration = await registrationFor(learner, course);
      const model = modelOf(await versionOf(registration.versionId));
      if (options.unit !== undefined && model.format === 'scorm2004') {
        // Opening a chosen unit is a choice navigation request: the sequencing rules apply as they do in the player.
        const attempts = await runtime.attempts(registration.id);
        const current = [...attempts].sort((a, b) => b.updatedMs - a.updatedMs)[0]?.unitId;
        const decision = evaluateSequencing(model, attempts, { seed: registration.id, nowMs: now() }).navigate(current, { target: options.unit });
        if (!decision.ok) {
          if (decision.code === 'sequencing-unknown-activity') throw notFound('unit-not-found', decision.message, { parameter: 'unit' });
          throw conflict(decision.code, decision.message, { parameter: 'unit', ...(decision.activity !== undefined && { activity: decision.activity }) });
        }
      }
      return launchUnit(learner, course, registration, await chooseUnit(model, registration, options.unit));
    },

    verify: (token: string | undefined) => tokens.verify(token),

    /** The LRS principal of content that presents a launch token (cmi5 AUs: with the session's checks). */
    async principalFor(token: string): Promise<LrsPrincipal> {
      const claims = tokens.verify(token);
      const principal = runtimePrincipal(claims);
      if (claims.kind !== 'cmi5') return principal;
      const version = await versionOf(claims.versionId);
      const course = await catalogCourse(version);
      return { ...principal, ...cmi5.hooksFor(claims, modelOf(version), course.activityId) };
    },

    /** Where a token's package files are, for the content origin. */
    async filesFor(token: string): Promise<{ claims: LaunchClaims; version: CourseVersionRecord }> {
      const claims = tokens.verify(token);
      return { claims, version: await versionOf(claims.versionId) };
    },

    /** Everything the SCORM player page needs for a launch. */
    async player(token: string, learnerName: (userId: string) => Promise<string>) {
      const { claims, version, model, unit, attempt, course } = await scormLaunch(token);
      const resume = attempt.state === null ? null : (attempt.state as ScormAttemptState).raw;
      const attempts = await runtime.attempts(claims.registrationId);
      // Randomization is seeded by the registration, so the order is the learner's own and the same on every page.
      const sequencingOptions = { seed: claims.registrationId, nowMs: now() };
      // The table of contents with each activity's status, and what sequencing disables or hides (SCORM 2004).
      const toc = tableOfContents(model, attempts, unit.identifier, sequencingOptions);
      // The SCO's objectives with the global objectives it reads (SN §4.2.1.2): what earlier SCOs wrote to them.
      const objectives = model.format === 'scorm2004' ? deliveredObjectives(evaluateSequencing(model, attempts, sequencingOptions), unit.identifier) : [];
      const launchUrl = `${contentUrl}/c/${token}/${encodeLaunchPath(unit.launchUrl)}`;
      const parameters = unit.launchParameters ? unit.launchParameters.replace(/^[?&]/, '') : '';
      return {
        claims,
        course,
        model,
        unit,
        attempt,
        learnerName: await learnerName(claims.userId),
        launchUrl: parameters ? `${launchUrl}${launchUrl.includes('?') ? '&' : '?'}${parameters}` : launchUrl,
        resume,
        sequencing: version.sequencing,
        toc,
        objectives,
      };
    },

    /**
     * A SCORM commit: stale or replayed ones (sequence not above the last) change nothing; otherwise the new
     * state and the statements for what changed are written in one transaction.
     */
    async commit(token: string, body: unknown, options: { sequence?: number; terminate: boolean }) {
      const { claims, model, unit, attempt, course } = await scormLaunch(token);
      if (attempt.endedMs !== null && attempt.endedMs < now() - 60_000) throw conflict('attempt-ended', 'this attempt has ended: launch the course again');
      const scormVersion = model.format === 'scorm2004' ? 'scorm2004' : 'scorm12';
      const after = translator.read(scormVersion, body);
      const sequence = options.sequence ?? attempt.commitSequence + 1;
      if (sequence <= attempt.commitSequence) return { applied: false, statements: 0 };
      const previous = attempt.state as ScormAttemptState | null;
      // The player page that made the commit (a commit kept offline and replayed by a later launch belongs to the
      // page that made it); the launch, from commits that do not say.
      const rawSession = (body as { playerSession?: unknown }).playerSession;
      const session = typeof rawSession === 'string' && rawSession.length > 0 && rawSession.length <= 100 ? `page:${rawSession}` : claims.tokenId;
      const newSession = previous?.session !== session;
      const scoActivityId = activityIdOf(course, model, unit);
      const context: ScormTranslationContext = {
        actor: { objectType: 'Agent', account: { homePage: publicUrl, name: claims.userId } },
        registration: claims.registrationId,
        courseActivityId: course.activityId,
        courseTitle: course.title,
        scoActivityId,
        scoTitle: unit.title,
        attemptActivityId: `${scoActivityId}?attemptId=${attempt.id}`,
        attemptNumber: attempt.number,
        scormVersion,
        ...(unit.masteryScore !== undefined && { masteryScore: unit.masteryScore / 100 }),
        platform: 'cadet',
      };
      const atMs = now();
      const before = previous?.cmi ?? translator.empty(scormVersion);
      const statements: unknown[] = [];
      // The first commit of a launch opens a session: initialized, or resumed when the attempt has a past.
      if (newSession) statements.push(...translator.translate(before, before, { phase: 'initialize', atMs, isResume: previous !== null }, context));
      // Then what changed since the last commit, and the end of the session when this one terminates.
      statements.push(...translator.translate(before, after, { phase: options.terminate ? 'terminate' : 'commit', atMs, isResume: false }, context));
      const state: ScormAttemptState = { cmi: after, raw: body as Record<string, unknown>, session };
      const ended = options.terminate && translator.ends(after);
      // SCORM 2004: the LMS states the course's rollup when this commit changes it, in the same write.
      if (model.format === 'scorm2004') statements.push(...(await rollupStatements(model, course, claims, attempt, state, ended, atMs, context)));
      const { records } = statements.length > 0 ? deps.prepareStatements(statements, runtimePrincipal(claims)) : { records: [] };
      const documents: Array<{ key: DocumentKey; document: StoredDocument }> = [];
      const outcome = await runtime.applyCommit({
        attemptId: attempt.id,
        sequence,
        state,
        ended,
        atMs,
        statements: records,
        documents,
      });
      return { applied: outcome.applied, statements: outcome.applied ? records.length : 0 };
    },

    /**
     * Opens another unit of the same registration (table of contents, previous/next, or what the sequencing rules
     * decide once a SCO has ended). SCORM 2004 navigation follows the package's sequencing (src/runtime/sequencing):
     * once the SCO's attempt is over its exit and post-condition rules apply (a retry, the end of the course); a
     * refused request answers 409 with the reason. `check` only asks whether the request is allowed now, with the SCO
     * still running, so the player can refuse before it ends the SCO. Other formats open any unit, or the next or
     * previous one in document order.
     */
    async navigate(token: string, request: { target?: string; request?: 'continue' | 'previous' | 'exit'; check?: boolean }, learner: (userId: string) => Promise<Learner>): Promise<{ url?: string; end?: 'course' | 'wait'; allowed?: true }> {
      const claims = tokens.verify(token);
      const version = await versionOf(claims.versionId);
      const model = modelOf(version);
      const registration = await runtime.registration(claims.registrationId);
      if (!registration) throw notFound('registration-not-found', 'the registration of this launch no longer exists');
      let target: LaunchableUnit | undefined;
      const wanted: SequencingRequest = request.target !== undefined ? { target: request.target } : { request: request.request ?? 'continue' };
      if (model.format === 'scorm2004') {
        // SCORM 2004: the sequencing rules decide (SN book: choice and flow, preconditions, limits, post-conditions),
        // from the registration's attempts as committed so far (the player sends its last commit before it navigates).
        const sequencing = evaluateSequencing(model, await runtime.attempts(registration.id), { seed: registration.id, nowMs: now() });
        // A check cannot foresee what exit and post-condition rules will make of the SCO's final state: with such
        // rules on its way up, the request is let through and decided once the SCO has ended.
        const undecidable = request.check && ('request' in wanted && wanted.request === 'exit' || terminationRulesApply(sequencing, claims.unitId));
        const outcome = undecidable ? ({ ok: true, end: 'wait' } as const) : request.check ? sequencing.navigate(claims.unitId, wanted as NavigationRequest) : sequencing.process(claims.unitId, wanted);
        if (!outcome.ok) {
          const data = { ...(request.target !== undefined && { parameter: 'target' }), ...(outcome.activity !== undefined && { activity: outcome.activity }) };
          if (outcome.code === 'sequencing-unknown-activity') throw notFound('unit-not-found', outcome.message, data);
          throw conflict(outcome.code, outcome.message, data);
        }
        if (request.check) return { allowed: true };
        if (outcome.deliver === undefined) return { end: outcome.end };
        target = outcome.deliver.unit!;
      } else if (request.check) return { allowed: true };
      else if (request.target !== undefined) target = unitOf(model, request.target);
      else if (request.request === 'exit') return { end: 'wait' };
      else {
        const index = model.units.findIndex((unit) => unit.identifier === claims.unitId);
        const step = request.request === 'previous' ? -1 : 1;
        target = model.units[index + step];
        if (!target) throw conflict('no-such-unit', request.request === 'previous' ? 'this is the first unit' : 'this is the last unit');
      }
      const course = await catalogCourse(version);
      const launched = await launchUnit(await learner(claims.userId), course, registration, target);
      return { url: launched.url };
    },
  };

  /**
   * The LMS's course-level statements for a commit (sequencing/course-status-statements.ts): the root's rollup from
   * the registration's attempts before the commit and with it applied; one statement per change.
   */
  async function rollupStatements(model: CourseModel, course: CourseRecord, claims: LaunchClaims, attempt: AttemptRecord, state: ScormAttemptState, ended: boolean, atMs: number, context: ScormTranslationContext): Promise<object[]> {
    const attempts = await runtime.attempts(claims.registrationId);
    const options = { seed: claims.registrationId, nowMs: atMs };
    const before = courseStatus(model, attempts, options);
    const withCommit = attempts.map((candidate) => (candidate.id === attempt.id ? { ...candidate, state, endedMs: ended ? atMs : candidate.endedMs } : candidate));
    const after = courseStatus(model, withCommit, options);
    const changes = courseStatusChanges(before, after);
    if (changes.length === 0 || after === null) return [];
    return courseStatusStatements(changes, after, {
      actor: context.actor,
      registration: claims.registrationId,
      courseActivityId: course.activityId,
      courseTitle: course.title,
      rootActivity: model.defaultOrganization,
      atMs,
      platform: 'cadet',
    }, randomUUID);
  }

  /** What a SCORM launch token is bound to, for the player page and its commits. */
  async function scormLaunch(token: string) {
    const claims = tokens.verify(token);
    if (claims.kind !== 'scorm') throw forbidden('not-scorm', 'this launch is not a SCORM launch');
    const version = await versionOf(claims.versionId);
    const model = modelOf(version);
    const unit = unitOf(model, claims.unitId);
    const attempt = await runtime.attempt(claims.attemptId);
    if (!attempt) throw notFound('attempt-not-found', 'the attempt of this launch no longer exists');
    return { claims, version, model, unit, attempt, course: await catalogCourse(version) };
  }

  async function catalogCourse(version: CourseVersionRecord): Promise<CourseRecord> {
    const course = await catalogStore.courseById(version.courseId);
    if (!course) throw notFound('course-not-found', 'the course of this launch no longer exists');
    return course;
  }
}

export type RuntimeService = ReturnType<typeof createRuntimeService>;
