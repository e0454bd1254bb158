/**
 * The analysts' reports: projections of the statements (the progress projection, the answers projection),
 * aggregated by the store, narrowed by course, country, agency and dates, in JSON or CSV.
 *
 * Who reads what is `records.read` (access/policy.ts): analysts and admins; an analyst limited to countries only
 * ever gets numbers about learners of those countries (asking for another is refused, asking for none means
 * theirs). Learners hold `records.read` for their own transcript only: reports refuse them.
 */
import { isCountryCode, type Grant } from '../../access/index.js';
import { AppError, forbidden, invalid, notFound } from '../../errors.js';
import { sumCompletions } from '../../store/completion-counts.js';
import type { CatalogStore, CourseRecord, ReportFilter, ReportsStore, UserRecord } from '../../store/ports.js';
import { neutralizeFormula, toCsv } from '../csv.js';
import { pickLanguage } from '../transcript-service.js';

export interface ReportServiceDeps {
  /** Absent on a store without reports (the MongoDB adapter, for now). */
  readonly reports: ReportsStore | undefined;
  readonly catalog: Pick<CatalogStore, 'listCourses'>;
  readonly now?: () => number;
}

/** The query string every report takes (all optional). */
export interface ReportQuery {
  /** A course slug. */
  readonly course?: string;
  /** ISO 3166-1 alpha-2 codes, separated by commas or spaces. */
  readonly country?: string;
  readonly agency?: string;
  /** `YYYY-MM-DD`, UTC, inclusive. */
  readonly from?: string;
  /** `YYYY-MM-DD`, UTC, inclusive. */
  readonly to?: string;
}

export interface CourseRef {
  readonly id: string;
  readonly slug: string;
  readonly title: string;
}

export interface AppliedFilter {
  readonly course: string | null;
  /** The countries the numbers are about; null: every country. */
  readonly countries: readonly string[] | null;
  readonly agency: string | null;
  readonly from: string | null;
  readonly to: string | null;
}

interface ReportHead {
  readonly filter: AppliedFilter;
  readonly generated: string;
}

export interface CompletionRow {
  readonly course: CourseRef;
  readonly completed: number;
  readonly passed: number;
  /** passed / completed; null when nothing was completed. */
  readonly passRate: number | null;
}

export interface CompletionTotals {
  readonly completed: number;
  readonly passed: number;
  /** passed / completed; null when nothing was completed. */
  readonly passRate: number | null;
}

/**
 * Per course: `byCourse` and `byMonth`. By country and by agency: over the courses the filter selects (all, or the
 * one asked for), because course × agency is tens of thousands of rows at an academy's scale (80 courses, 760
 * agencies), which no one reads as a table: an analyst asks for one course to see its countries and agencies.
 */
export interface CompletionsReport extends ReportHead {
  readonly total: CompletionTotals;
  /** Every month in the range that has completions, all courses together (the chart). */
  readonly months: ReadonlyArray<CompletionTotals & { readonly month: string }>;
  readonly byCourse: readonly CompletionRow[];
  readonly byMonth: ReadonlyArray<CompletionRow & { readonly month: string }>;
  readonly byCountry: ReadonlyArray<CompletionTotals & { readonly country: string }>;
  readonly byAgency: ReadonlyArray<CompletionTotals & { readonly country: string; readonly agency: string }>;
}

export interface ScoreBin {
  /** -1 for scores below 0, else 0..9. */
  readonly bin: number;
  /** Scaled score range [from, to); the last bin includes 1. */
  readonly from: number;
  readonly to: number;
  readonly learners: number;
}

export interface ScoresReport extends ReportHead {
  readonly courses: ReadonlyArray<{ readonly course: CourseRef; readonly learners: number; readonly bins: readonly ScoreBin[] }>;
}

export interface TimeSpentReport extends ReportHead {
  readonly courses: ReadonlyArray<{
    readonly course: CourseRef;
    readonly registrations: number;
    readonly totalMs: number;
    readonly meanMs: number;
    readonly medianMs: number;
    readonly p90Ms: number;
  }>;
}

export interface FunnelReport extends ReportHead {
  readonly courses: ReadonlyArray<{
    readonly course: CourseRef;
    readonly enrolled: number;
    readonly started: number;
    readonly completed: number;
    readonly passed: number;
  }>;
}

export interface QuestionReportRow {
  readonly course: CourseRef;
  /** The interaction activity IRI. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly interactionType: string | null;
  readonly answers: number;
  readonly learners: number;
  readonly judged: number;
  readonly correct: number;
  /** correct / judged; null when no answer was judged. */
  readonly correctRate: number | null;
  /** Up to three, most chosen first; `label`: the choice's description when the response is one choice id. */
  readonly wrongResponses: ReadonlyArray<{ readonly response: string; readonly label: string | null; readonly count: number }>;
  readonly timed: number;
  /** Mean latency (result.duration) in whole milliseconds; null when no answer had one. */
  readonly meanLatencyMs: number | null;
}

export interface ItemsReport extends ReportHead {
  readonly questions: readonly QuestionReportRow[];
}

export type ReportName = 'completions' | 'scores' | 'time-spent' | 'funnel' | 'items';
export const reportNames: readonly ReportName[] = ['completions', 'scores', 'time-spent', 'funnel', 'items'];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole);

function dateParameter(value: string | undefined, name: 'from' | 'to'): number | undefined {
  if (value === undefined || value === '') return undefined;
  const match = DATE.exec(value);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw invalid('report-date', `${name} must be a date YYYY-MM-DD, got "${value}"`, { parameter: name });
  }
  return ms;
}

/** `0.3` → `30`, for CSV readers who want percentages; null stays empty. */
const percent = (value: number | null) => (value === null ? null : value * 100);

export function createReportService(deps: ReportServiceDeps) {
  const now = deps.now ?? Date.now;

  function store(): ReportsStore {
    if (!deps.reports) throw new AppError('unavailable', 'reports-unavailable', 'this store has no reports yet (SQLite has them)');
    return deps.reports;
  }

  /** The store's filter for a reader, and what it means, or the refusal. */
  async function resolve(grant: Grant, query: ReportQuery): Promise<{ filter: ReportFilter; applied: AppliedFilter; listed: readonly CourseRecord[] }> {
    if (grant.scope === 'own') throw forbidden('reports-forbidden', 'reports are for analysts and administrators');
    const requested = (query.country ?? '')
      .split(/[\s,;]+/)
      .map((code) => code.trim().toUpperCase())
      .filter(Boolean);
    const unknown = requested.find((code) => !isCountryCode(code));
    if (unknown) throw invalid('report-country', `"${unknown}" is not an ISO 3166-1 alpha-2 country code`, { parameter: 'country' });
    let countries: readonly string[] | undefined = requested.length > 0 ? [...new Set(requested)].sort() : undefined;
    if (grant.scope === 'country') {
      const outside = requested.find((code) => !grant.countries.includes(code));
      if (outside) throw forbidden('records-forbidden', `${outside} is outside your grant (${grant.countries.join(', ')})`, { parameter: 'country' });
      countries ??= [...grant.countries].sort();
    }
    const fromMs = dateParameter(query.from, 'from');
    const toDay = dateParameter(query.to, 'to');
    if (fromMs !== undefined && toDay !== undefined && fromMs > toDay) throw invalid('report-dates', 'from is after to', { parameter: 'from' });
    const listed = await deps.catalog.listCourses();
    let courseId: string | undefined;
    if (query.course) {
      const found = listed.find((course) => course.slug === query.course);
      if (!found) throw notFound('course-not-found', `no course ${query.course}`, { parameter: 'course' });
      courseId = found.id;
    }
    const agency = query.agency?.trim() || undefined;
    const filter: ReportFilter = {
      ...(courseId !== undefined && { courseId }),
      ...(countries !== undefined && { countries }),
      ...(agency !== undefined && { agency }),
      ...(fromMs !== undefined && { fromMs }),
      ...(toDay !== undefined && { toMs: toDay + DAY_MS }),
    };
    return {
      filter,
      applied: {
        course: query.course || null,
        countries: countries ?? null,
        agency: agency ?? null,
        from: query.from || null,
        to: query.to || null,
      },
      listed,
    };
  }

  async function context(reader: Pick<UserRecord, 'language'>, grant: Grant, query: ReportQuery) {
    const resolved = await resolve(grant, query);
    const language = reader.language || 'en';
    // Titles in the reader's language, from the catalog (a course no longer in it shows its id).
    const courses = new Map<string, CourseRef>(
      resolved.listed.map((course) => [course.id, { id: course.id, slug: course.slug, title: pickLanguage(course.title, language) || course.slug }]),
    );
    const ref = (id: string): CourseRef => courses.get(id) ?? { id, slug: id, title: id };
    // Courses ranked once by title in the reader's language (then id), so sorting tens of thousands of rows
    // compares numbers, not strings under a locale.
    const collator = new Intl.Collator(language);
    const titleOf = (id: string) => ref(id).title;
    const rank = new Map<string, number>();
    const rankOf = (id: string): number => {
      let found = rank.get(id);
      if (found === undefined) {
        const ordered = [...new Set([...courses.keys(), id, ...rank.keys()])].sort((a, b) => collator.compare(titleOf(a), titleOf(b)) || (a < b ? -1 : a > b ? 1 : 0));
        ordered.forEach((courseId, index) => rank.set(courseId, index));
        found = rank.get(id) as number;
      }
      return found;
    };
    const byTitle = <T extends { course: CourseRef }>(a: T, b: T) => rankOf(a.course.id) - rankOf(b.course.id);
    return { ...resolved, courses, ref, byTitle, collator, head: { filter: resolved.applied, generated: new Date(now()).toISOString() } };
  }

  async function completions(reader: Pick<UserRecord, 'language'>, grant: Grant, query: ReportQuery): Promise<CompletionsReport> {
    const { filter, ref, byTitle, collator, head } = await context(reader, grant, query);
    const counts = await store().completions(filter);
    // Months (YYYY-MM) and country codes (A–Z) sort the same by code unit as by any locale, and much faster.
    const plain = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const totals = (group: { completed: number; passed: number }): CompletionTotals => ({ completed: group.completed, passed: group.passed, passRate: rate(group.passed, group.completed) });
    const sum = sumCompletions;
    const months = sum(counts.byMonth, (row) => row.month);
    const total = months.reduce((acc, group) => ({ completed: acc.completed + group.completed, passed: acc.passed + group.passed }), { completed: 0, passed: 0 });
    return {
      ...head,
      total: totals(total),
      months: months.map((group) => ({ month: group.first.month, ...totals(group) })).sort((a, b) => plain(a.month, b.month)),
      byCourse: sum(counts.byMonth, (row) => row.courseId)
        .map((group) => ({ course: ref(group.first.courseId), ...totals(group) }))
        .sort(byTitle),
      byMonth: counts.byMonth.map((row) => ({ course: ref(row.courseId), month: row.month, ...totals(row) })).sort((a, b) => byTitle(a, b) || plain(a.month, b.month)),
      byCountry: sum(counts.byCountry, (row) => row.country)
        .map((group) => ({ country: group.first.country, ...totals(group) }))
        .sort((a, b) => plain(a.country, b.country)),
      byAgency: sum(counts.byAgency, (row) => `${row.country}\n${row.agency}`)
        .map((group) => ({ country: group.first.country, agency: group.first.agency, ...totals(group) }))
        .sort((a, b) => plain(a.country, b.country) || collator.compare(a.agency, b.agency)),
    };
  }

  async function scores(reader: Pick<UserRecord, 'language'>, grant: Grant, query: ReportQuery): Promise<ScoresReport> {
    const { filter, ref, byTitle, head } = await context(reader, grant, query);
    const rows = await store().scoreBins(filter);
    const byCourse = new Map<string, Map<number, number>>();
    for (const row of rows) {
      const bins = byCourse.get(row.courseId) ?? new Map<number, number>();
      bins.set(row.bin, row.learners);
      byCourse.set(row.courseId, bins);
    }
    const courses = [...byCourse].map(([courseId, counts]) => {
      const bins: ScoreBin[] = [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((bin) => ({
        bin,
        from: bin === -1 ? -1 : bin / 10,
        to: bin === -1 ? 0 : (bin + 1) / 10,
        learners: counts.get(bin) ?? 0,
      }));
      return { course: ref(courseId), learners: bins.reduce((n, bin) => n + bin.learners, 0), bins };
    });
    return { ...head, courses: courses.sort(byTitle) };
  }

  async function timeSpent(reader: Pick<UserRecord, 'language'>, grant: Grant, query: ReportQuery): Promise<TimeSpentReport> {
    const { filter, ref, byTitle, head } = await context(reader, grant, query);
    const rows = await store().timeSpent(filter);
    const courses = rows.map((row) => ({
      course: ref(row.courseId),
      registrations: row.registrations,
      totalMs: row.totalMs,
      meanMs: Math.round(row.totalMs / row.registrations),
      medianMs: row.medianMs,
      p90Ms: row.p90Ms,
    }));
    return { ...head, courses: courses.sort(byTitle) };
  }

  async function funnel(reader: Pick<UserRecord, 'language'>, grant: Grant, query: ReportQuery): Promise<FunnelReport> {
    const { filter, ref, byTitle, head, courses: known } = await context(reader, grant, query);
    const rows = new Map((await store().funnel(filter)).map((row) => [row.courseId, row]));
    // Every course asked about, those nobody enrolled in included (with zeros).
    const ids = new Set([...(filter.courseId !== undefined ? [filter.courseId] : known.keys()), ...rows.keys()]);
    const courses = [...ids].map((id) => {
      const row = rows.get(id);
      return { course: ref(id), enrolled: row?.enrolled ?? 0, started: row?.started ?? 0, completed: row?.completed ?? 0, passed: row?.passed ?? 0 };
    });
    return { ...head, courses: courses.sort(byTitle) };
  }

  async function items(reader: Pick<UserRecord, 'language'>, grant: Grant, query: ReportQuery): Promise<ItemsReport> {
    const { filter, ref, byTitle, head } = await context(reader, grant, query);
    const language = reader.language || 'en';
    const rows = await store().questions(filter);
    const questions = rows.map((row): QuestionReportRow => {
      const definition = (row.definition ?? {}) as {
        name?: Record<string, string>;
        description?: Record<string, string>;
        interactionType?: string;
        choices?: Array<{ id?: string; description?: Record<string, string> }>;
      };
      const choices = new Map((Array.isArray(definition.choices) ? definition.choices : []).map((choice) => [choice.id, pickLanguage(choice.description, language)]));
      return {
        course: ref(row.courseId),
        id: row.questionId,
        name: pickLanguage(definition.name, language),
        description: pickLanguage(definition.description, language),
        interactionType: typeof definition.interactionType === 'string' ? definition.interactionType : null,
        answers: row.answers,
        learners: row.learners,
        judged: row.judged,
        correct: row.correct,
        correctRate: rate(row.correct, row.judged),
        wrongResponses: row.wrongResponses.map((wrong) => ({ response: wrong.response, label: choices.get(wrong.response) || null, count: wrong.count })),
        timed: row.timed,
        meanLatencyMs: row.timed === 0 ? null : Math.round(row.latencyTotalMs / row.timed),
      };
    });
    return { ...head, questions: questions.sort((a, b) => byTitle(a, b) || a.id.localeCompare(b.id)) };
  }

  const text = (value: string) => neutralizeFormula(value);

  return {
    /** The catalog's courses for the filter form, by title in the reader's language. */
    async courseOptions(language: string): Promise<ReadonlyArray<{ readonly slug: string; readonly title: string }>> {
      const listed = await deps.catalog.listCourses();
      return listed
        .map((course) => ({ slug: course.slug, title: pickLanguage(course.title, language) || course.slug }))
        .sort((a, b) => a.title.localeCompare(b.title, language));
    },
    completions,
    scores,
    timeSpent,
    funnel,
    items,

    /** The report by name, for the routes. */
    report(name: ReportName, reader: Pick<UserRecord, 'language'>, grant: Grant, query: ReportQuery) {
      switch (name) {
        case 'completions':
          return completions(reader, grant, query);
        case 'scores':
          return scores(reader, grant, query);
        case 'time-spent':
          return timeSpent(reader, grant, query);
        case 'funnel':
          return funnel(reader, grant, query);
        case 'items':
          return items(reader, grant, query);
      }
    },

    /** One CSV per report (UTF-8 with BOM, CRLF); rates as percentages; text cells that could run as formulas neutralised. */
    toCsv(name: ReportName, report: CompletionsReport | ScoresReport | TimeSpentReport | FunnelReport | ItemsReport): string {
      switch (name) {
        case 'completions': {
          const view = report as CompletionsReport;
          const header = ['breakdown', 'course_slug', 'course', 'month', 'country', 'agency', 'completed', 'passed', 'pass_rate_percent'];
          const row = (breakdown: string, r: CompletionTotals, course: CourseRef | null, month: string | null, country: string | null, agency: string | null) => [
            breakdown, course?.slug ?? null, course === null ? null : text(course.title), month, country, agency === null ? null : text(agency), r.completed, r.passed, percent(r.passRate),
          ];
          return toCsv([
            header,
            ...view.byCourse.map((r) => row('course', r, r.course, null, null, null)),
            ...view.byMonth.map((r) => row('month', r, r.course, r.month, null, null)),
            ...view.byCountry.map((r) => row('country', r, null, null, r.country, null)),
            ...view.byAgency.map((r) => row('agency', r, null, null, r.country, r.agency)),
          ]);
        }
        case 'scores': {
          const view = report as ScoresReport;
          return toCsv([
            ['course_slug', 'course', 'score_from', 'score_to', 'learners'],
            ...view.courses.flatMap((c) => c.bins.map((bin) => [c.course.slug, text(c.course.title), bin.from, bin.to, bin.learners])),
          ]);
        }
        case 'time-spent': {
          const view = report as TimeSpentReport;
          return toCsv([
            ['course_slug', 'course', 'registrations', 'total_seconds', 'mean_seconds', 'median_seconds', 'p90_seconds'],
            ...view.courses.map((c) => [c.course.slug, text(c.course.title), c.registrations, c.totalMs / 1000, c.meanMs / 1000, c.medianMs / 1000, c.p90Ms / 1000]),
          ]);
        }
        case 'funnel': {
          const view = report as FunnelReport;
          return toCsv([
            ['course_slug', 'course', 'enrolled', 'started', 'completed', 'passed'],
            ...view.courses.map((c) => [c.course.slug, text(c.course.title), c.enrolled, c.started, c.completed, c.passed]),
          ]);
        }
        case 'items': {
          const view = report as ItemsReport;
          const wrong = [1, 2, 3].flatMap((n) => [`wrong_${n}`, `wrong_${n}_count`]);
          return toCsv([
            ['course_slug', 'course', 'question', 'description', 'interaction_type', 'answers', 'learners', 'judged', 'correct', 'correct_percent', ...wrong, 'timed', 'mean_latency_seconds'],
            ...view.questions.map((q) => [
              q.course.slug, text(q.course.title), q.id, text(q.description), q.interactionType, q.answers, q.learners, q.judged, q.correct, percent(q.correctRate),
              ...[0, 1, 2].flatMap((i) => {
                const entry = q.wrongResponses[i];
                return entry ? [text(entry.response), entry.count] : [null, null];
              }),
              q.timed, q.meanLatencyMs === null ? null : q.meanLatencyMs / 1000,
            ]),
          ]);
        }
      }
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
