import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ExplorerQuery, ReportQuery, ReportService, StatementExplorer } from '../../records/reports/index.js';
import { explorerParameters } from '../../records/reports/index.js';
import { AppError, grantOf, userOf } from '../access-exports.js';
import type { PageKit } from '../page-kit.js';

export interface ReportPagesDeps {
  readonly reports: ReportService;
  readonly explorer: StatementExplorer;
}

const hidden = { hide: true };
const filterFields = ['course', 'country', 'agency', 'from', 'to'] as const;

// ---------------------------------------------------------------------------
// Charts: SVG drawn on the server (no script; CSP keeps `default-src 'none'`). Each chart is an image with a
// title and a description pointing to the table beside it, which holds the same numbers (WCAG 1.1.1).
// ---------------------------------------------------------------------------

/** Series colours, each at least 3:1 against white (WCAG 1.4.11), told apart by the legend's order too. */
const palette = ['#0b4f9c', '#1e6b2e', '#6b4500', '#4a5360'];

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

interface ChartFrame {
  /** Unique in the page: the ids of its title and description. */
  readonly id: string;
  readonly title: string;
  /** What the description says after the title, e.g. "The table below holds the numbers." */
  readonly note: string;
  readonly series: readonly string[];
}

function legend(series: readonly string[], y: number): string {
  return series
    .map((name, i) => `<rect x="${8 + i * 150}" y="${y}" width="12" height="12" fill="${palette[i % palette.length]}"/><text x="${24 + i * 150}" y="${y + 11}" font-size="12" fill="#1b1f24">${escapeXml(clip(name, 20))}</text>`)
    .join('');
}

function open(frame: ChartFrame, width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="100%" aria-labelledby="${frame.id}-t ${frame.id}-d"><title id="${frame.id}-t">${escapeXml(frame.title)}</title><desc id="${frame.id}-d">${escapeXml(frame.note)}</desc>`;
}

/** Vertical columns, grouped by category (months, score bins). */
export function columnChart(frame: ChartFrame & { readonly columns: ReadonlyArray<{ readonly label: string; readonly values: readonly number[] }> }): string {
  const width = 640;
  const height = 260;
  const top = 28;
  const bottom = 40;
  const left = 40;
  const plot = height - top - bottom;
  const max = Math.max(1, ...frame.columns.flatMap((column) => column.values));
  const slot = (width - left - 8) / Math.max(1, frame.columns.length);
  const bar = Math.max(2, (slot * 0.8) / Math.max(1, frame.series.length));
  const parts = [open(frame, width, height), legend(frame.series, 6)];
  parts.push(`<line x1="${left}" y1="${top + plot}" x2="${width - 4}" y2="${top + plot}" stroke="#4a5360"/>`);
  parts.push(`<text x="${left - 4}" y="${top + 4}" font-size="11" text-anchor="end" fill="#4a5360">${max}</text><text x="${left - 4}" y="${top + plot}" font-size="11" text-anchor="end" fill="#4a5360">0</text>`);
  frame.columns.forEach((column, i) => {
    const x0 = left + i * slot + slot * 0.1;
    column.values.forEach((value, s) => {
      const h = (value / max) * plot;
      parts.push(`<rect x="${(x0 + s * bar).toFixed(1)}" y="${(top + plot - h).toFixed(1)}" width="${(bar - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${palette[s % palette.length]}"/>`);
    });
    parts.push(`<text x="${(left + i * slot + slot / 2).toFixed(1)}" y="${height - bottom + 16}" font-size="11" text-anchor="middle" fill="#1b1f24">${escapeXml(clip(column.label, Math.max(4, Math.floor(slot / 7))))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Horizontal bars, one group per row (courses, countries), values labelled at the bar's end. */
export function barChart(frame: ChartFrame & { readonly rows: ReadonlyArray<{ readonly label: string; readonly values: readonly number[]; readonly texts: readonly string[] }> }): string {
  const width = 640;
  const left = 190;
  const right = 70;
  const bar = 12;
  const group = frame.series.length * bar + 10;
  const top = 28;
  const height = top + Math.max(1, frame.rows.length) * group + 8;
  const max = Math.max(1, ...frame.rows.flatMap((row) => row.values));
  const plot = width - left - right;
  const parts = [open(frame, width, height), legend(frame.series, 6)];
  frame.rows.forEach((row, i) => {
    const y0 = top + i * group;
    parts.push(`<text x="${left - 6}" y="${y0 + (frame.series.length * bar) / 2 + 4}" font-size="12" text-anchor="end" fill="#1b1f24">${escapeXml(clip(row.label, 28))}</text>`);
    row.values.forEach((value, s) => {
      const w = (value / max) * plot;
      parts.push(`<rect x="${left}" y="${y0 + s * bar}" width="${w.toFixed(1)}" height="${bar - 2}" fill="${palette[s % palette.length]}"/>`);
      parts.push(`<text x="${(left + w + 4).toFixed(1)}" y="${y0 + s * bar + bar - 3}" font-size="10" fill="#1b1f24">${escapeXml(row.texts[s] ?? String(value))}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

// ---------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------

/** `1:02:03` for people. */
const clock = (ms: number) => {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 3600)}:${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
};

const queryOf = (raw: unknown): ReportQuery => {
  const source = (raw ?? {}) as Record<string, unknown>;
  const query: Record<string, string> = {};
  for (const field of filterFields) if (typeof source[field] === 'string' && source[field] !== '') query[field] = source[field] as string;
  return query;
};

const search = (query: Record<string, string | undefined>, extra: Record<string, string> = {}) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...extra })) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
};

/**
 * The analysts' pages: the reports (completions, scores, time, funnel), item analysis, and the statement explorer.
 * They call the same services as `/api/reports/…` and link to their CSV twins; the filter form is a GET form.
 */
export function registerReportPages(app: FastifyInstance, kit: PageKit, deps: ReportPagesDeps): void {
  const formats = (lang: string) => ({
    number: new Intl.NumberFormat(lang),
    percent: new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }),
  });

  /** A client error about the filter becomes the form's message; refusals and the rest go to the error page. */
  async function withFilter<T>(request: FastifyRequest, work: () => Promise<T>): Promise<{ data: T | null; errors: Record<string, string>; status: number }> {
    try {
      return { data: await work(), errors: {}, status: 200 };
    } catch (error) {
      if (error instanceof AppError && (error.kind === 'validation' || error.kind === 'not-found')) {
        const { errors, status } = kit.fieldErrors(request, error);
        return { data: null, errors, status };
      }
      throw error;
    }
  }

  async function common(request: FastifyRequest) {
    const tr = kit.translatorFor(request);
    const query = queryOf(request.query);
    return { tr, query, fmt: formats(tr.lang), courseOptions: await deps.reports.courseOptions(tr.lang) };
  }

  app.get('/reports', { config: { policy: 'records.read' }, schema: hidden, exposeHeadRoute: false }, async (request: FastifyRequest, reply: FastifyReply) => {
    const { tr, query, fmt, courseOptions } = await common(request);
    const user = userOf(request);
    const grant = grantOf(request);
    const { data, errors, status } = await withFilter(request, async () => {
      const [completions, scores, time, funnel] = await Promise.all([
        deps.reports.completions(user, grant, query),
        deps.reports.scores(user, grant, query),
        deps.reports.timeSpent(user, grant, query),
        deps.reports.funnel(user, grant, query),
      ]);
      return { completions, scores, time, funnel };
    });
    const pct = (value: number | null) => (value === null ? '–' : fmt.percent.format(value));
    const note = tr.t('reports.chart-note');
    const charts = data && {
      months: columnChart({
        id: 'chart-months',
        title: tr.t('reports.completions.chart'),
        note,
        series: [tr.t('reports.completed'), tr.t('reports.passed')],
        columns: data.completions.months.map((month) => ({ label: month.month, values: [month.completed, month.passed] })),
      }),
      countries: barChart({
        id: 'chart-countries',
        title: tr.t('reports.by-country.chart'),
        note,
        series: [tr.t('reports.completed'), tr.t('reports.passed')],
        rows: data.completions.byCountry.map((entry) => ({
          label: tr.country(entry.country),
          values: [entry.completed, entry.passed],
          texts: [fmt.number.format(entry.completed), `${fmt.number.format(entry.passed)} (${pct(entry.completed ? entry.passed / entry.completed : null)})`],
        })),
      }),
      scores: data.scores.courses.map((course, i) =>
        columnChart({
          id: `chart-scores-${i}`,
          title: tr.t('reports.scores.chart', { course: course.course.title }),
          note,
          series: [tr.t('reports.learners')],
          columns: course.bins.filter((bin) => bin.bin >= 0 || bin.learners > 0).map((bin) => ({ label: bin.bin < 0 ? '< 0' : `${bin.bin * 10}`, values: [bin.learners] })),
        }),
      ),
      time: barChart({
        id: 'chart-time',
        title: tr.t('reports.time.chart'),
        note,
        series: [tr.t('reports.median'), tr.t('reports.p90')],
        rows: data.time.courses.map((course) => ({
          label: course.course.title,
          values: [course.medianMs, course.p90Ms],
          texts: [clock(course.medianMs), clock(course.p90Ms)],
        })),
      }),
      funnel: barChart({
        id: 'chart-funnel',
        title: tr.t('reports.funnel.chart'),
        note,
        series: [tr.t('reports.enrolled'), tr.t('reports.started'), tr.t('reports.completed'), tr.t('reports.passed')],
        rows: data.funnel.courses.map((course) => {
          const values = [course.enrolled, course.started, course.completed, course.passed];
          return { label: course.course.title, values, texts: values.map((value) => fmt.number.format(value)) };
        }),
      }),
    };
    return kit.render(request, reply, 'reports', {
      title: tr.t('reports.title'),
      tab: 'overview',
      values: query,
      errors,
      courseOptions,
      data,
      charts,
      clock,
      pct,
      num: (value: number) => fmt.number.format(value),
      csv: (name: string) => `/api/reports/${name}${search({ ...query }, { format: 'csv' })}`,
      itemsHref: `/reports/items${search({ ...query })}`,
      overviewHref: `/reports${search({ ...query })}`,
    }, status);
  });

  app.get('/reports/items', { config: { policy: 'records.read' }, schema: hidden, exposeHeadRoute: false }, async (request, reply) => {
    const { tr, query, fmt, courseOptions } = await common(request);
    const { data, errors, status } = await withFilter(request, () => deps.reports.items(userOf(request), grantOf(request), query));
    const pct = (value: number | null) => (value === null ? '–' : fmt.percent.format(value));
    const chart = data && data.questions.length > 0
      ? barChart({
          id: 'chart-items',
          title: tr.t('reports.items.chart'),
          note: tr.t('reports.chart-note'),
          series: [tr.t('reports.items.correct')],
          rows: data.questions.map((question) => ({
            label: question.description || question.name || question.id.replace(/^.*\//, ''),
            values: [Math.round((question.correctRate ?? 0) * 1000) / 10],
            texts: [pct(question.correctRate)],
          })),
        })
      : null;
    return kit.render(request, reply, 'reports-items', {
      title: tr.t('reports.items.title'),
      tab: 'items',
      values: query,
      errors,
      courseOptions,
      data,
      chart,
      pct,
      latency: (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`),
      num: (value: number) => fmt.number.format(value),
      csv: (name: string) => `/api/reports/${name}${search({ ...query }, { format: 'csv' })}`,
      itemsHref: `/reports/items${search({ ...query })}`,
      overviewHref: `/reports${search({ ...query })}`,
    }, status);
  });

  app.get('/reports/explorer', { config: { policy: 'records.read' }, schema: hidden, exposeHeadRoute: false }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    const source = (request.query ?? {}) as Record<string, unknown>;
    const query: ExplorerQuery = {};
    for (const name of [...explorerParameters, 'more'] as const) if (typeof source[name] === 'string' && source[name] !== '') query[name] = source[name] as string;
    const asked = Object.keys(query).length > 0;
    const { data, errors, status } = asked
      ? await withFilter(request, () => deps.explorer.explore(userOf(request), grantOf(request), query))
      : await withFilter(request, () => deps.explorer.explore(userOf(request), grantOf(request), { limit: '25' }));
    const { more, ...form } = query;
    void more;
    return kit.render(request, reply, 'explorer', {
      title: tr.t('explorer.title'),
      tab: 'explorer',
      values: form,
      errors,
      data,
      moreHref: data?.more ? `/reports/explorer?more=${encodeURIComponent(data.more)}` : null,
      overviewHref: '/reports',
      itemsHref: '/reports/items',
    }, status);
  });
}
