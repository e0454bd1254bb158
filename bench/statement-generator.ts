/**
 * Realistic, reproducible xAPI statements for the benchmarks. The same generator feeds the HTTP ingest, the
 * direct-insert ceilings and the query store, so every stage measures the same shape of data.
 *
 * The population looks like an academy's LRS: a few thousand learners (some identified by an account on the
 * platform, some by mbox) whose activity is skewed (a few learners do much more than most), courses made of AUs
 * with questions, one registration per learner and course, and verbs from the ADL vocabulary and the cmi5 and
 * SCORM profiles with cmi5-like context (category, grouping, session extension) and results.
 */
import { seededRandom } from '../src/shared/seeded-random.js';

/** The seeded PRNG: the same seed gives the same statements on every machine. */
export const createRandom: (seed: number) => () => number = seededRandom;

/** A version-4-shaped UUID drawn from the PRNG (not crypto: reproducibility matters here, not secrecy). */
function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(random() * 4)];
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const ADL = 'http://adlnet.gov/expapi/verbs/';
const ADL_W3ID = 'https://w3id.org/xapi/adl/verbs/';

interface VerbSpec {
  readonly id: string;
  readonly display: Record<string, string>;
  /** Relative frequency in the stream. */
  readonly weight: number;
  /** Whether the object is a question inside the AU rather than the AU itself. */
  readonly onQuestion?: boolean;
  readonly result?: 'score' | 'completion' | 'progress' | 'response' | 'duration';
}

/** About fifteen verbs an academy LRS sees, weighted roughly as content emits them. */
export const verbSpecs: readonly VerbSpec[] = [
  { id: `${ADL}launched`, display: { 'en-US': 'launched', 'fr-FR': 'a lancé' }, weight: 6 },
  { id: `${ADL}initialized`, display: { 'en-US': 'initialized', 'fr-FR': 'a initialisé' }, weight: 8 },
  { id: `${ADL}experienced`, display: { 'en-US': 'experienced', 'fr-FR': 'a consulté' }, weight: 14 },
  { id: `${ADL}answered`, display: { 'en-US': 'answered', 'fr-FR': 'a répondu' }, weight: 24, onQuestion: true, result: 'response' },
  { id: `${ADL}interacted`, display: { 'en-US': 'interacted', 'fr-FR': 'a interagi' }, weight: 6, onQuestion: true },
  { id: `${ADL}progressed`, display: { 'en-US': 'progressed', 'fr-FR': 'a progressé' }, weight: 8, result: 'progress' },
  { id: `${ADL}attempted`, display: { 'en-US': 'attempted', 'fr-FR': 'a tenté' }, weight: 4 },
  { id: `${ADL}suspended`, display: { 'en-US': 'suspended', 'fr-FR': 'a suspendu' }, weight: 3, result: 'duration' },
  { id: `${ADL}resumed`, display: { 'en-US': 'resumed', 'fr-FR': 'a repris' }, weight: 3 },
  { id: `${ADL}completed`, display: { 'en-US': 'completed', 'fr-FR': 'a terminé' }, weight: 5, result: 'completion' },
  { id: `${ADL}passed`, display: { 'en-US': 'passed', 'fr-FR': 'a réussi' }, weight: 4, result: 'score' },
  { id: `${ADL}failed`, display: { 'en-US': 'failed', 'fr-FR': 'a échoué' }, weight: 2, result: 'score' },
  { id: `${ADL}terminated`, display: { 'en-US': 'terminated', 'fr-FR': 'a clôturé' }, weight: 8, result: 'duration' },
  { id: `${ADL_W3ID}satisfied`, display: { 'en-US': 'satisfied', 'fr-FR': 'a satisfait' }, weight: 2 },
  { id: `${ADL_W3ID}abandoned`, display: { 'en-US': 'abandoned', 'fr-FR': 'a abandonné' }, weight: 1, result: 'duration' },
  { id: `${ADL_W3ID}waived`, display: { 'en-US': 'waived', 'fr-FR': 'a été dispensé de' }, weight: 1 },
];

const ACADEMY = 'https://academy.example.org';
const CMI5_CATEGORY = { id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5', definition: { type: 'http://adlnet.gov/expapi/activities/profile' } };
const MOVEON_CATEGORY = { id: 'https://w3id.org/xapi/cmi5/context/categories/moveon' };
const SCORM_CATEGORY = { id: 'https://w3id.org/xapi/scorm', definition: { type: 'http://adlnet.gov/expapi/activities/profile' } };
const SESSION_EXTENSION = 'https://w3id.org/xapi/cmi5/context/extensions/sessionid';
const PROGRESS_EXTENSION = 'https://w3id.org/xapi/cmi5/result/extensions/progress';
const TOPICS = [
  ['Evidence handling', 'Traitement des preuves'],
  ['Interview techniques', "Techniques d'audition"],
  ['Crime scene safety', 'Sécurité sur les lieux'],
  ['Digital forensics', 'Criminalistique numérique'],
  ['Report writing', 'Rédaction de rapports'],
  ['Use of force', 'Usage de la force'],
  ['First aid', 'Premiers secours'],
  ['Community policing', 'Police de proximité'],
] as const;

export interface Agent {
  readonly objectType: 'Agent';
  readonly name: string;
  readonly mbox?: string;
  readonly account?: { readonly homePage: string; readonly name: string };
}

interface Course {
  readonly id: string;
  readonly title: readonly [string, string];
  readonly isScorm: boolean;
  readonly aus: ReadonlyArray<{ readonly id: string; readonly title: string }>;
}

export interface GeneratorOptions {
  readonly seed?: number;
  readonly agents?: number;
  readonly courses?: number;
  /** AUs (or SCOs) per course. */
  readonly unitsPerCourse?: number;
  /** Questions per AU. */
  readonly questionsPerUnit?: number;
}

/** What a generated statement can be found by: handy for choosing queries that match something. */
export interface StatementTags {
  readonly agent: Agent;
  readonly verbId: string;
  readonly activityId: string;
  readonly registration: string;
}

export interface GeneratedStatement {
  readonly statement: Record<string, unknown>;
  readonly tags: StatementTags;
}

/**
 * A stream of statements. `next()` returns one statement with a fresh id; timestamps advance a few seconds each,
 * starting from a fixed date, so the whole stream is reproducible from the seed.
 */
export function createStatementGenerator(options: GeneratorOptions = {}) {
  const { seed = 1, agents: agentCount = 3000, courses: courseCount = 40, unitsPerCourse = 6, questionsPerUnit = 8 } = options;
  const random = createRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

  const agents: Agent[] = Array.from({ length: agentCount }, (_, i) => {
    const name = `Learner ${String(i).padStart(5, '0')}`;
    // Platform users carry an account (DESIGN.md "Identity"); outside tools often identify people by mbox.
    return i % 10 < 7
      ? { objectType: 'Agent', name, account: { homePage: ACADEMY, name: `user-${i}` } }
      : { objectType: 'Agent', name, mbox: `mailto:learner.${i}@police.example.net` };
  });
  // Zipf-like weights (1/rank^0.8): a few learners are very active, most produce a few dozen statements.
  const agentCumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= agentCount; rank++) agentCumulative.push((total += 1 / rank ** 0.8));
  const pickAgent = (): number => {
    const target = random() * total;
    let low = 0;
    let high = agentCount - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (agentCumulative[mid] < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };

  const courses: Course[] = Array.from({ length: courseCount }, (_, c) => {
    const topic = TOPICS[c % TOPICS.length];
    const level = Math.floor(c / TOPICS.length) + 1;
    const id = `${ACADEMY}/courses/${topic[0].toLowerCase().replace(/\W+/g, '-')}-${level}`;
    return {
      id,
      title: [`${topic[0]} ${level}`, `${topic[1]} ${level}`],
      isScorm: c % 3 === 0,
      aus: Array.from({ length: unitsPerCourse }, (_, u) => ({ id: `${id}/au-${u + 1}`, title: `Module ${u + 1}` })),
    };
  });

  const verbCumulative: number[] = [];
  let verbTotal = 0;
  for (const verb of verbSpecs) verbCumulative.push((verbTotal += verb.weight));
  const pickVerb = (): VerbSpec => {
    const target = random() * verbTotal;
    return verbSpecs[verbCumulative.findIndex((c) => c > target)] ?? verbSpecs[0];
  };

  // One registration per (learner, course), drawn lazily: a learner is enrolled in a handful of courses.
  const registrations = new Map<number, string>();
  const sessions = new Map<number, string>();
  const enrolments: number[][] = agents.map(() => []);
  let clockMs = Date.parse('2026-01-05T08:00:00.000Z');

  const isoDuration = (seconds: number) => `PT${Math.floor(seconds / 60)}M${(seconds % 60).toFixed(2)}S`;

  function next(): GeneratedStatement {
    const agentIndex = pickAgent();
    const agent = agents[agentIndex];
    // Mostly keep working on a course already started; sometimes enrol in another.
    const enrolled = enrolments[agentIndex];
    let courseIndex: number;
    if (enrolled.length > 0 && random() < 0.85) courseIndex = pick(enrolled);
    else {
      courseIndex = Math.floor(random() * courseCount);
      if (!enrolled.includes(courseIndex)) enrolled.push(courseIndex);
    }
    const course = courses[courseIndex];
    const enrolmentKey = agentIndex * courseCount + courseIndex;
    let registration = registrations.get(enrolmentKey);
    if (registration === undefined) registrations.set(enrolmentKey, (registration = uuidFrom(random)));
    if (!sessions.has(enrolmentKey) || random() < 0.1) sessions.set(enrolmentKey, uuidFrom(random));

    const unitIndex = Math.floor(random() * course.aus.length);
    const unit = course.aus[unitIndex];
    const verb = pickVerb();
    const unitActivity = {
      objectType: 'Activity',
      id: unit.id,
      definition: {
        name: { 'en-US': `${course.title[0]}: ${unit.title}`, 'fr-FR': `${course.title[1]} : ${unit.title}` },
        description: { 'en-US': `${unit.title} of ${course.title[0]}` },
        type: course.isScorm ? 'http://adlnet.gov/expapi/activities/lesson' : 'http://adlnet.gov/expapi/activities/module',
      },
    };
    let object: Record<string, unknown> = unitActivity;
    const question = Math.floor(random() * questionsPerUnit) + 1;
    if (verb.onQuestion) {
      object = {
        objectType: 'Activity',
        id: `${unit.id}/q${question}`,
        definition: {
          name: { 'en-US': `Question ${question}`, 'fr-FR': `Question ${question}` },
          description: { 'en-US': 'Which of these steps comes first?', 'fr-FR': 'Laquelle de ces étapes vient en premier ?' },
          type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
          interactionType: 'choice',
          correctResponsesPattern: ['secure'],
          choices: [
            { id: 'secure', description: { 'en-US': 'Secure the scene', 'fr-FR': 'Sécuriser les lieux' } },
            { id: 'photograph', description: { 'en-US': 'Photograph', 'fr-FR': 'Photographier' } },
            { id: 'collect', description: { 'en-US': 'Collect evidence', 'fr-FR': 'Collecter les preuves' } },
          ],
        },
      };
    }

    let result: Record<string, unknown> | undefined;
    const seconds = 30 + random() * 1800;
    switch (verb.result) {
      case 'score': {
        const raw = Math.round(random() * 100);
        result = { score: { scaled: raw / 100, raw, min: 0, max: 100 }, success: verb.id.endsWith('passed'), completion: true, duration: isoDuration(seconds) };
        break;
      }
      case 'completion':
        result = { completion: true, duration: isoDuration(seconds) };
        break;
      case 'progress':
        result = { extensions: { [PROGRESS_EXTENSION]: Math.floor(random() * 100) } };
        break;
      case 'response': {
        const response = pick(['secure', 'photograph', 'collect']);
        result = { response, success: response === 'secure', duration: isoDuration(seconds / 20) };
        break;
      }
      case 'duration':
        result = { duration: isoDuration(seconds) };
        break;
    }

    const parent = verb.onQuestion ? [{ id: unit.id, objectType: 'Activity' }] : [{ id: course.id, objectType: 'Activity' }];
    const grouping = [{ id: course.id, definition: { name: { 'en-US': course.title[0], 'fr-FR': course.title[1] }, type: 'http://adlnet.gov/expapi/activities/course' } }];
    const category = course.isScorm ? [SCORM_CATEGORY] : verb.result === 'score' || verb.result === 'completion' ? [CMI5_CATEGORY, MOVEON_CATEGORY] : [CMI5_CATEGORY];

    clockMs += 500 + Math.floor(random() * 4000);
    const statement: Record<string, unknown> = {
      id: uuidFrom(random),
      actor: agent,
      verb: { id: verb.id, display: verb.display },
      object,
      ...(result && { result }),
      context: {
        registration,
        contextActivities: { parent, grouping, category },
        platform: course.isScorm ? 'cadet SCORM runtime' : 'cadet cmi5 player',
        language: pick(['en-US', 'en-GB', 'fr-FR']),
        extensions: { [SESSION_EXTENSION]: sessions.get(enrolmentKey) },
      },
      timestamp: new Date(clockMs).toISOString(),
    };
    return { statement, tags: { agent, verbId: verb.id, activityId: String(object.id), registration } };
  }

  return { next, agents: agents as readonly Agent[] };
}
