/**
 * A realistic data set for the reports tests: a couple of hundred learners in four countries and seven agencies,
 * enrolled in a SCORM 1.2, an xAPI and a cmi5 course (a fourth course nobody takes), whose statements go through
 * the real write path (POST /xapi/statements; SCORM commits through the runtime for learners who sign in), with
 * answers to questions, passes, failures, unfinished and untouched registrations, and voidings.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createCatalogService } from '../../src/packages/index.js';
import { unitActivityId } from '../../src/packages/index.js';
import { findRepoRoot } from '../../src/shared/json-schema.js';
import { seededRandom } from '../../src/shared/seeded-random.js';
import type { CourseRecord, UserRecord } from '../../src/store/ports.js';
import type { TestApp } from '../fixtures/test-app.js';
import { launch, post, voiding } from './fixtures.js';

const demo = (name: string) => path.join(findRepoRoot(), 'content-packages', name);
const V = (name: string) => `http://adlnet.gov/expapi/verbs/${name}`;
const CMI5_CATEGORY = 'https://w3id.org/xapi/cmi5/context/categories/cmi5';
const SESSION = 'https://w3id.org/xapi/cmi5/context/extensions/sessionid';
const INTERACTION = 'http://adlnet.gov/expapi/activities/cmi.interaction';

export const agencies: Readonly<Record<string, readonly string[]>> = {
  FR: ['Police nationale', 'Gendarmerie nationale'],
  DE: ['Bundeskriminalamt', 'Landespolizei'],
  BE: ['Police fédérale'],
  ES: ['Policía Nacional', 'Guardia Civil'],
};

/** What the test knows about a registration it made: enough to find its statements and its learner. */
export interface SeededRegistration {
  readonly id: string;
  readonly userId: string;
  readonly courseId: string;
  readonly format: CourseRecord['format'];
  readonly createdMs: number;
  /** The IRIs of its units (SCO, activity, AU). */
  readonly unitIris: readonly string[];
}

/** A deterministic generator, so a failure can be replayed. */
const random = seededRandom;

const choiceQuestion = (id: string, text: string, correct: string) => ({
  objectType: 'Activity',
  id,
  definition: {
    type: INTERACTION,
    description: { 'en-US': text },
    interactionType: 'choice',
    correctResponsesPattern: [correct],
    choices: ['a', 'b', 'c', 'd'].map((choice) => ({ id: choice, description: { 'en-US': `Answer ${choice.toUpperCase()} to "${text}"` } })),
  },
});

export async function seedReports(lrs: TestApp, options: { learners: number; seed?: number }) {
  const rand = random(options.seed ?? 20260301);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const catalog = createCatalogService({ catalog: lrs.store.catalog, files: lrs.store.packageFiles, publicUrl: lrs.config.publicUrl });
  const load = async (directory: string, slug: string) => {
    const outcome = await catalog.importPackage({ directory }, { slug });
    if (!outcome.ok) throw new Error(`${slug}: ${JSON.stringify(outcome.errors)}`);
    return outcome;
  };
  const scorm = await load(demo('scorm12-evidence-handling'), 'evidence');
  const xapi = await load(demo('xapi-cybercrime-response'), 'cybercrime');
  const cmi5 = await load(demo('cmi5-interpol-notices'), 'notices');
  const idle = await load(demo('scorm2004-interview-techniques'), 'interviews');

  const registrations: SeededRegistration[] = [];
  const answerIds: string[] = [];
  const passIds: string[] = [];
  const iris = (course: typeof scorm) => course.model.units.map((unit) => unitActivityId(course.course.activityId, course.model.format, unit.identifier));

  const countries = Object.keys(agencies);
  const users: UserRecord[] = [];
  for (let i = 0; i < options.learners; i++) {
    const country = countries[i % countries.length] as string;
    const user: UserRecord = {
      id: randomUUID(),
      email: `officer${i}-${randomUUID().slice(0, 8)}@academy.example`,
      name: `Officer ${i}`,
      country,
      agency: pick(agencies[country] as readonly string[]),
      language: 'en',
      roles: [{ role: 'learner' }],
      status: 'active',
      passwordHash: null,
      failedLogins: 0,
      lockedUntilMs: null,
      createdMs: Date.UTC(2026, 0, 1),
    };
    await lrs.store.users.add(user);
    users.push(user);
  }

  const minute = 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();

  async function enrol(user: UserRecord, course: typeof scorm, createdMs: number): Promise<SeededRegistration> {
    const registration: SeededRegistration = {
      id: randomUUID(),
      userId: user.id,
      courseId: course.course.id,
      format: course.model.format,
      createdMs,
      unitIris: iris(course),
    };
    await lrs.store.runtime.addRegistration({ id: registration.id, userId: user.id, courseId: course.course.id, versionId: course.version.id, createdMs, completedMs: null });
    registrations.push(registration);
    return registration;
  }

  for (const user of users) {
    const actor = { objectType: 'Agent', name: user.name, account: { homePage: lrs.config.publicUrl, name: user.id } };
    // Enrolments from January to mid-April 2026, statements within the following days.
    const start = Date.UTC(2026, 0, 3) + Math.floor(rand() * 100) * 86_400_000 + Math.floor(rand() * 600) * minute;
    const statements: object[] = [];
    const answer = (id: string, question: object, registration: string, atMs: number, context: object, correct: string) => {
      const response = rand() < 0.6 ? correct : pick(['a', 'b', 'c', 'd'].filter((choice) => choice !== correct));
      const timed = rand() < 0.85;
      answerIds.push(id);
      return {
        id,
        actor,
        verb: { id: V('answered'), display: { 'en-US': 'answered' } },
        object: question,
        result: { response, success: response === correct, ...(timed && { duration: `PT${5 + Math.floor(rand() * 50)}S` }) },
        context: { registration, ...context },
        timestamp: iso(atMs),
      };
    };

    if (rand() < 0.75) {
      // SCORM 1.2, one SCO: statements shaped as the SCORM profile's (verb responded for interactions).
      const registration = await enrol(user, scorm, start);
      const sco = registration.unitIris[0] as string;
      const outcome = rand();
      if (outcome > 0.08) {
        const attempt = `${sco}?attemptId=${randomUUID()}`;
        const context = {
          registration: registration.id,
          contextActivities: {
            grouping: [{ id: scorm.course.activityId }, { id: attempt, definition: { type: 'http://adlnet.gov/expapi/activities/attempt' } }],
            category: [{ id: 'https://w3id.org/xapi/scorm' }],
          },
        };
        const t0 = start + 30 * minute;
        statements.push({ actor, verb: { id: V('initialized') }, object: { id: sco }, context, timestamp: iso(t0) });
        ['q1', 'q2', 'q3'].forEach((q, k) => {
          const id = randomUUID();
          const question = choiceQuestion(`${sco}/interaction/${q}`, `Evidence question ${k + 1}`, ['a', 'c', 'b'][k] as string);
          const body = answer(id, question, registration.id, t0 + (k + 1) * minute, { contextActivities: { ...context.contextActivities, parent: [{ id: sco }] } }, ['a', 'c', 'b'][k] as string);
          statements.push({ ...body, verb: { id: V('responded'), display: { 'en-US': 'responded' } } });
        });
        const minutes = 5 + Math.floor(rand() * 40);
        if (outcome > 0.3) {
          const scaled = Math.round(rand() * 100) / 100;
          const passed = scaled >= 0.6;
          const judgedId = randomUUID();
          if (passed) passIds.push(judgedId);
          statements.push({ actor, verb: { id: V('completed') }, object: { id: sco }, result: { completion: true }, context, timestamp: iso(t0 + minutes * minute) });
          statements.push({ id: judgedId, actor, verb: { id: V(passed ? 'passed' : 'failed') }, object: { id: sco }, result: { success: passed, score: { scaled } }, context, timestamp: iso(t0 + minutes * minute) });
        }
        statements.push({ actor, verb: { id: V(outcome > 0.3 ? 'terminated' : 'suspended') }, object: { id: sco }, result: { duration: `PT${minutes}M${Math.floor(rand() * 60)}S` }, context, timestamp: iso(t0 + (minutes + 1) * minute) });
      }
    }

    if (rand() < 0.7) {
      // xAPI content: initialized, four answers, completed and passed or failed, terminated.
      const registration = await enrol(user, xapi, start + 86_400_000 * Math.floor(rand() * 3));
      const course = registration.unitIris[0] as string;
      const outcome = rand();
      if (outcome > 0.1) {
        const t0 = registration.createdMs + 20 * minute;
        const context = { registration: registration.id };
        statements.push({ actor, verb: { id: V('initialized') }, object: { id: course }, context, timestamp: iso(t0) });
        const questions = ['seize', 'power', 'photo', 'bag'];
        questions.forEach((q, k) => {
          const correct = ['b', 'a', 'd', 'c'][k] as string;
          statements.push(answer(randomUUID(), choiceQuestion(`${course}/quiz/${q}`, `Cybercrime question ${q}`, correct), registration.id, t0 + (k + 2) * minute, {
            contextActivities: { parent: [{ id: `${course}/quiz` }], grouping: [{ id: course }] },
          }, correct));
        });
        const minutes = 8 + Math.floor(rand() * 30);
        if (outcome > 0.35) {
          const raw = Math.floor(rand() * 5);
          const scaled = raw / 4;
          const passed = scaled >= 0.75;
          const judgedId = randomUUID();
          if (passed) passIds.push(judgedId);
          statements.push({ actor, verb: { id: V('completed') }, object: { id: course }, result: { completion: true, duration: `PT${minutes}M` }, context, timestamp: iso(t0 + minutes * minute) });
          statements.push({ id: judgedId, actor, verb: { id: V(passed ? 'passed' : 'failed') }, object: { id: course }, result: { success: passed, completion: true, score: { scaled, raw, min: 0, max: 4 }, duration: `PT${minutes}M` }, context, timestamp: iso(t0 + minutes * minute) });
        }
        if (outcome > 0.2) statements.push({ actor, verb: { id: V('terminated') }, object: { id: course }, result: { duration: `PT${minutes + 1}M` }, context, timestamp: iso(t0 + (minutes + 1) * minute) });
      }
    }

    if (rand() < 0.6) {
      // cmi5: the lesson AU completed, the test AU with three answers then passed or failed, satisfied when both.
      const registration = await enrol(user, cmi5, start + 86_400_000 * (3 + Math.floor(rand() * 20)));
      const [lessonIri, testIri] = registration.unitIris as [string, string];
      const [lesson, test] = cmi5.model.units as [{ identifier: string }, { identifier: string }];
      const outcome = rand();
      if (outcome > 0.1) {
        const t0 = registration.createdMs + 10 * minute;
        const s1 = randomUUID();
        const au = (unit: { identifier: string }, object: string, verb: string, atMs: number, session: string, result?: object) => ({
          actor,
          verb: { id: verb },
          object: { id: object },
          ...(result && { result }),
          context: { registration: registration.id, contextActivities: { grouping: [{ id: unit.identifier }], category: [{ id: CMI5_CATEGORY }] }, extensions: { [SESSION]: session } },
          timestamp: iso(atMs),
        });
        const lessonMinutes = 4 + Math.floor(rand() * 10);
        statements.push(au(lesson, lessonIri, V('launched'), t0, s1), au(lesson, lessonIri, V('initialized'), t0, s1));
        statements.push(au(lesson, lessonIri, V('completed'), t0 + lessonMinutes * minute, s1, { completion: true, duration: `PT${lessonMinutes}M` }));
        statements.push(au(lesson, lessonIri, V('terminated'), t0 + (lessonMinutes + 1) * minute, s1, { duration: `PT${lessonMinutes + 1}M` }));
        if (outcome > 0.3) {
          const s2 = randomUUID();
          const t1 = t0 + 60 * minute;
          statements.push(au(test, testIri, V('launched'), t1, s2), au(test, testIri, V('initialized'), t1, s2));
          [1, 2, 3].forEach((k) => {
            const correct = ['d', 'b', 'a'][k - 1] as string;
            statements.push(answer(randomUUID(), choiceQuestion(`${testIri}/question/q${k}`, `Notices question ${k}`, correct), registration.id, t1 + k * minute, {
              contextActivities: { grouping: [{ id: test.identifier }] },
              extensions: { [SESSION]: s2 },
            }, correct));
          });
          const scaled = Math.round(rand() * 20) / 20;
          const passed = scaled >= 0.8;
          const testMinutes = 5 + Math.floor(rand() * 20);
          const judgedId = randomUUID();
          statements.push({ ...au(test, testIri, V(passed ? 'passed' : 'failed'), t1 + testMinutes * minute, s2, { success: passed, score: { scaled } }), id: judgedId });
          statements.push(au(test, testIri, V('terminated'), t1 + (testMinutes + 1) * minute, s2, { duration: `PT${testMinutes + 1}M` }));
          if (passed) {
            statements.push({
              actor,
              verb: { id: 'https://w3id.org/xapi/adl/verbs/satisfied' },
              object: { id: cmi5.course.activityId, definition: { type: 'https://w3id.org/xapi/cmi5/activitytype/course' } },
              context: { registration: registration.id, contextActivities: { grouping: [{ id: cmi5.model.identifier }], category: [{ id: CMI5_CATEGORY }] }, extensions: { [SESSION]: s2 } },
              timestamp: iso(t1 + (testMinutes + 1) * minute),
            });
          }
        }
      }
    }
    // One batch per learner, in chunks the LRS takes comfortably.
    for (let i = 0; i < statements.length; i += 50) await post(lrs, statements.slice(i, i + 50));
  }

  // Voidings: some answers (a mistaken entry), some passes (a learner caught cheating).
  const voided = [...answerIds.filter(() => rand() < 0.06), ...passIds.filter(() => rand() < 0.1)];
  for (let i = 0; i < voided.length; i += 25) await post(lrs, voided.slice(i, i + 25).map(voiding));

  // A few learners who sign in and take the SCORM course through the runtime: the translator's responded statements.
  for (const [k, country] of ['FR', 'DE', 'FR'].entries()) {
    const person = await lrs.addUser([{ role: 'learner' }], { country, agency: (agencies[country] as readonly string[])[0], name: `Runtime learner ${k}` });
    const session = await lrs.signIn(person);
    const launched = await launch(lrs, session, 'evidence');
    const cmi = {
      core: { student_id: person.user.id, entry: 'ab-initio', exit: '', lesson_status: k === 1 ? 'failed' : 'passed', session_time: `00:${10 + k}:00`, score: { raw: String(50 + 20 * k), min: '0', max: '100' } },
      interactions: [
        { id: 'q1', type: 'choice', student_response: k === 0 ? 'a' : 'b', result: k === 0 ? 'correct' : 'wrong', latency: '00:00:07', correct_responses: [{ pattern: 'a' }] },
        { id: 'q2', type: 'choice', student_response: 'd', result: 'wrong', correct_responses: [{ pattern: 'c' }] },
      ],
    };
    const res = await lrs.app.inject({
      method: 'POST',
      url: `/api/runtime/commit?token=${encodeURIComponent(launched.token)}&terminate=true`,
      headers: { 'content-type': 'application/json', origin: lrs.config.contentUrl },
      payload: { runtimeData: { cmi }, commitSequence: 1 },
    });
    if (res.statusCode >= 300) throw new Error(`commit answered ${res.statusCode}: ${res.body}`);
    registrations.push({ id: launched.registration, userId: person.user.id, courseId: scorm.course.id, format: 'scorm12', createdMs: (await lrs.store.runtime.registration(launched.registration))!.createdMs, unitIris: iris(scorm) });
    users.push(person.user);
  }

  // Statements with a registration the runtime never made (an external tool's): in no report.
  const stranger = randomUUID();
  await post(lrs, { actor: { mbox: 'mailto:visitor@elsewhere.example' }, verb: { id: V('answered') }, object: choiceQuestion('https://elsewhere.example/q1', 'Elsewhere', 'a'), result: { response: 'b', success: false }, context: { registration: stranger } });

  return { courses: { scorm, xapi, cmi5, idle }, users, registrations };
}
