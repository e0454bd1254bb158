/**
 * Transcripts: a learner's courses as their statements say (the progress projection), in JSON, CSV or PDF.
 * Who may read whose transcript is `records.read` in access/policy.ts, narrowed here with `covers`.
 */
import { covers, type Grant } from '../access/index.js';
import { forbidden, notFound } from '../errors.js';
import type { CourseModel } from '../packages/index.js';
import type {
  CatalogStore,
  CourseRecord,
  CourseVersionRecord,
  ProgressStatus,
  ProgressSuccess,
  RecordsStore,
  RegistrationProgressRecord,
  UserRecord,
  UserStore,
} from '../store/ports.js';
import { neutralizeFormula, toCsv } from './csv.js';
import { renderPdf, type PdfBlock } from './pdf.js';
import { unitActivityId } from '../packages/index.js';

export interface TranscriptServiceDeps {
  readonly records: Pick<RecordsStore, 'registrationsOf'>;
  readonly catalog: Pick<CatalogStore, 'courseById' | 'version'>;
  readonly users: Pick<UserStore, 'get'>;
  readonly now?: () => number;
}

export interface TranscriptUnit {
  readonly id: string;
  readonly title: string;
  readonly activityId: string;
  readonly status: ProgressStatus;
  readonly success: ProgressSuccess;
  readonly bestScore: number | null;
  readonly lastScore: number | null;
  readonly attempts: number;
  readonly timeSpent: string;
  readonly timeSpentSeconds: number;
  readonly firstAccess: string | null;
  readonly lastAccess: string | null;
  readonly completed: string | null;
}

export interface TranscriptCourse {
  readonly course: { readonly id: string; readonly slug: string | null; readonly format: CourseRecord['format'] | null };
  readonly title: string;
  readonly format: CourseRecord['format'] | null;
  readonly registration: string;
  readonly version: number | null;
  readonly enrolled: string;
  readonly status: ProgressStatus;
  readonly success: ProgressSuccess;
  /** Scaled, -1..1 (see RegistrationProgressRecord.score). */
  readonly score: number | null;
  readonly firstAccess: string | null;
  readonly lastAccess: string | null;
  readonly completed: string | null;
  /** ISO 8601 duration. */
  readonly timeSpent: string;
  readonly timeSpentSeconds: number;
  readonly units: readonly TranscriptUnit[];
}

export interface Transcript {
  readonly learner: { readonly id: string; readonly name: string; readonly country: string; readonly agency: string };
  readonly generated: string;
  readonly courses: readonly TranscriptCourse[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** An ISO 8601 duration to the second (`PT1H2M3S`). */
export function isoDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `PT${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}${s > 0 || (h === 0 && m === 0) ? `${s}S` : ''}`;
}

/** `1:02:03` for people. */
export function clockDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 3600)}:${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The entry of a language map for a reader: their language, its base (`fr` for `fr-CA`), English, then any. */
export function pickLanguage(map: Readonly<Record<string, string>> | undefined, language: string): string {
  if (!map) return '';
  const entries = Object.entries(map);
  const lower = language.toLowerCase();
  const base = lower.split('-')[0];
  const find = (test: (tag: string) => boolean) => entries.find(([tag]) => test(tag.toLowerCase()))?.[1];
  return find((tag) => tag === lower) ?? find((tag) => tag.split('-')[0] === base) ?? find((tag) => tag.split('-')[0] === 'en') ?? entries[0]?.[1] ?? '';
}

const percent = (score: number | null) => (score === null ? null : Math.round(score * 10_000) / 100);

export function createTranscriptService(deps: TranscriptServiceDeps) {
  const now = deps.now ?? Date.now;

  /** The learner whose records are asked for, if the reader's grant covers them (own, their countries, all). */
  async function learnerFor(reader: Pick<UserRecord, 'id'>, grant: Grant, userId: string): Promise<UserRecord> {
    const learner = await deps.users.get(userId);
    // Learners asking about someone else learn nothing, not even whether the account exists.
    if (!learner) {
      if (grant.scope === 'own' && userId !== reader.id) throw forbidden('records-forbidden', 'you may read only your own records');
      throw notFound('user-not-found', `no user ${userId}`, { parameter: 'id' });
    }
    if (!covers(grant, reader.id, { ownerId: learner.id, country: learner.country })) {
      throw forbidden('records-forbidden', grant.scope === 'own' ? 'you may read only your own records' : "this learner's country is outside your grant", {
        parameter: 'id',
      });
    }
    return learner;
  }

  function unitsOf(
    progress: RegistrationProgressRecord | null,
    course: CourseRecord | null,
    version: CourseVersionRecord | null,
    language: string,
  ): TranscriptUnit[] {
    const model = version?.model as CourseModel | undefined;
    const titles = new Map((model?.units ?? []).map((unit) => [unit.identifier, pickLanguage(unit.title, language)]));
    if (progress) {
      return progress.units.map((unit) => ({
        id: unit.unitId,
        title: titles.get(unit.unitId) || unit.unitId,
        activityId: unit.activityId,
        status: unit.status,
        success: unit.success,
        bestScore: unit.bestScore,
        lastScore: unit.lastScore,
        attempts: unit.attempts,
        timeSpent: isoDuration(unit.timeSpentMs),
        timeSpentSeconds: Math.round(unit.timeSpentMs / 1000),
        firstAccess: iso(unit.firstAccessMs),
        lastAccess: iso(unit.lastAccessMs),
        completed: iso(unit.completedMs),
      }));
    }
    // No statement yet: every unit of the version, not attempted.
    return (model?.units ?? []).map((unit) => ({
      id: unit.identifier,
      title: titles.get(unit.identifier) || unit.identifier,
      activityId: course && model ? unitActivityId(course.activityId, model.format, unit.identifier) : unit.identifier,
      status: 'not-attempted',
      success: 'unknown',
      bestScore: null,
      lastScore: null,
      attempts: 0,
      timeSpent: isoDuration(0),
      timeSpentSeconds: 0,
      firstAccess: null,
      lastAccess: null,
      completed: null,
    }));
  }

  async function transcript(reader: Pick<UserRecord, 'id' | 'language'>, grant: Grant, userId: string): Promise<Transcript> {
    const learner = await learnerFor(reader, grant, userId);
    const language = reader.language || learner.language || 'en';
    const courses: TranscriptCourse[] = [];
    for (const { registration, progress } of await deps.records.registrationsOf(learner.id)) {
      const [course, version] = await Promise.all([deps.catalog.courseById(registration.courseId), deps.catalog.version(registration.versionId)]);
      const format = course?.format ?? null;
      courses.push({
        course: { id: registration.courseId, slug: course?.slug ?? null, format },
        title: course ? pickLanguage(course.title, language) : registration.courseId,
        format,
        registration: registration.id,
        version: version?.number ?? null,
        enrolled: new Date(registration.createdMs).toISOString(),
        status: progress?.status ?? 'not-attempted',
        success: progress?.success ?? 'unknown',
        score: progress?.score ?? null,
        firstAccess: iso(progress?.firstAccessMs ?? null),
        lastAccess: iso(progress?.lastAccessMs ?? null),
        completed: iso(progress?.completedMs ?? null),
        timeSpent: isoDuration(progress?.timeSpentMs ?? 0),
        timeSpentSeconds: Math.round((progress?.timeSpentMs ?? 0) / 1000),
        units: unitsOf(progress, course, version, language),
      });
    }
    return {
      learner: { id: learner.id, name: learner.name, country: learner.country, agency: learner.agency },
      generated: new Date(now()).toISOString(),
      courses,
    };
  }

  return {
    transcript,

    /**
     * Whose records a reader may see (own, their countries, all: `records.read` narrowed by `covers`): the learner,
     * or a forbidden / not-found error. Certificates apply the same rule.
     */
    learnerFor,

    /** One row per course; text cells a spreadsheet could run as formulas are neutralised. */
    toCsv(view: Transcript): string {
      const header = [
        'learner_id', 'learner_name', 'country', 'agency', 'course', 'course_slug', 'format', 'registration', 'version', 'enrolled',
        'status', 'success', 'score_percent', 'first_access', 'last_access', 'completed', 'time_spent_seconds', 'time_spent', 'units', 'units_completed',
      ];
      const rows = view.courses.map((course) => [
        view.learner.id,
        neutralizeFormula(view.learner.name),
        view.learner.country,
        neutralizeFormula(view.learner.agency),
        neutralizeFormula(course.title),
        course.course.slug,
        course.format,
        course.registration,
        course.version,
        course.enrolled,
        course.status,
        course.success,
        percent(course.score),
        course.firstAccess,
        course.lastAccess,
        course.completed,
        course.timeSpentSeconds,
        clockDuration(course.timeSpentSeconds * 1000),
        course.units.length,
        course.units.filter((unit) => unit.status === 'completed').length,
      ]);
      return toCsv([header, ...rows]);
    },

    /** An A4 PDF: the learner, then a table of courses and one of each course's units. Names and titles in any script the embedded font draws (pdf.ts). */
    toPdf(view: Transcript): Buffer {
      const date = (value: string | null) => (value === null ? '' : value.slice(0, 10));
      const score = (value: number | null) => (value === null ? '' : `${percent(value)} %`);
      const blocks: PdfBlock[] = [
        { kind: 'heading', text: 'Transcript' },
        { kind: 'text', text: `${view.learner.name} (${view.learner.agency}, ${view.learner.country})`, bold: true, size: 11 },
        { kind: 'text', text: `Generated ${view.generated.replace('T', ' ').slice(0, 16)} UTC from the learning record store.`, size: 9 },
        { kind: 'space', height: 10 },
        {
          kind: 'table',
          columns: [
            { header: 'Course', weight: 30 },
            { header: 'Status', weight: 11 },
            { header: 'Result', weight: 9 },
            { header: 'Score', weight: 8, align: 'right' },
            { header: 'First access', weight: 11 },
            { header: 'Last access', weight: 11 },
            { header: 'Completed', weight: 11 },
            { header: 'Time', weight: 9, align: 'right' },
          ],
          rows: view.courses.map((course) => [
            course.title,
            course.status.replace('-', ' '),
            course.success === 'unknown' ? '' : course.success,
            score(course.score),
            date(course.firstAccess),
            date(course.lastAccess),
            date(course.completed),
            clockDuration(course.timeSpentSeconds * 1000),
          ]),
        },
      ];
      if (view.courses.length === 0) blocks.push({ kind: 'text', text: 'No course taken yet.', size: 10 });
      for (const course of view.courses) {
        if (course.units.length < 2) continue;
        blocks.push({ kind: 'space', height: 14 }, { kind: 'text', text: course.title, bold: true, size: 10 }, {
          kind: 'table',
          columns: [
            { header: 'Unit', weight: 36 },
            { header: 'Status', weight: 12 },
            { header: 'Result', weight: 10 },
            { header: 'Best', weight: 8, align: 'right' },
            { header: 'Attempts', weight: 9, align: 'right' },
            { header: 'Completed', weight: 12 },
            { header: 'Time', weight: 10, align: 'right' },
          ],
          rows: course.units.map((unit) => [
            unit.title,
            unit.status.replace('-', ' '),
            unit.success === 'unknown' ? '' : unit.success,
            score(unit.bestScore),
            String(unit.attempts),
            date(unit.completed),
            clockDuration(unit.timeSpentSeconds * 1000),
          ]),
        });
      }
      return renderPdf({ title: `Transcript of ${view.learner.name}`, blocks, footer: `${view.learner.name} - page {page} of {pages}`, createdMs: Date.parse(view.generated) });
    },
  };
}

export type TranscriptService = ReturnType<typeof createTranscriptService>;
