import type { FastifyInstance } from 'fastify';
import { grantOf, sendApiError, userOf } from '../../access/index.js';
import { reportNames, type ReportName, type ReportQuery, type ReportService } from './report-service.js';

const courseRef = { type: 'object', properties: { id: { type: 'string' }, slug: { type: 'string' }, title: { type: 'string' } } } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const head = {
  filter: {
    type: 'object',
    properties: {
      course: { type: ['string', 'null'] },
      countries: { type: ['array', 'null'], items: { type: 'string' }, description: 'The countries the numbers are about; null: every country' },
      agency: { type: ['string', 'null'] },
      from: { type: ['string', 'null'] },
      to: { type: ['string', 'null'] },
    },
  },
  generated: { type: 'string' },
} as const;
const totalsProperties = { completed: { type: 'integer' }, passed: { type: 'integer' }, passRate: { ...nullableNumber, description: 'passed / completed' } } as const;

const completionRow = (extra: Record<string, object>) =>
  ({
    type: 'object',
    properties: { course: courseRef, ...extra, completed: { type: 'integer' }, passed: { type: 'integer' }, passRate: { ...nullableNumber, description: 'passed / completed' } },
  }) as const;

/** Response schemas: for the OpenAPI document, and what the serializer keeps. */
const schemas: Readonly<Record<ReportName, { summary: string; body: object }>> = {
  completions: {
    summary: 'Completions and pass rates by course, by course and month of completion, by country and by agency',
    body: {
      type: 'object',
      properties: {
        ...head,
        total: { type: 'object', properties: { completed: { type: 'integer' }, passed: { type: 'integer' }, passRate: nullableNumber } },
        months: {
          type: 'array',
          items: { type: 'object', properties: { month: { type: 'string' }, completed: { type: 'integer' }, passed: { type: 'integer' }, passRate: nullableNumber } },
        },
        byCourse: { type: 'array', items: completionRow({}) },
        byMonth: { type: 'array', items: completionRow({ month: { type: 'string', description: 'YYYY-MM, UTC' } }) },
        byCountry: {
          type: 'array',
          description: 'Over the courses the filter selects',
          items: { type: 'object', properties: { country: { type: 'string' }, ...totalsProperties } },
        },
        byAgency: {
          type: 'array',
          description: 'Over the courses the filter selects',
          items: { type: 'object', properties: { country: { type: 'string' }, agency: { type: 'string' }, ...totalsProperties } },
        },
      },
    },
  },
  scores: {
    summary: "Histogram of learners' best scaled scores per course (registrations enrolled in the date range)",
    body: {
      type: 'object',
      properties: {
        ...head,
        courses: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              course: courseRef,
              learners: { type: 'integer' },
              bins: {
                type: 'array',
                items: { type: 'object', properties: { bin: { type: 'integer' }, from: { type: 'number' }, to: { type: 'number' }, learners: { type: 'integer' } } },
              },
            },
          },
        },
      },
    },
  },
  'time-spent': {
    summary: 'Time spent per course: median and 90th percentile (nearest rank) of registrations that recorded time',
    body: {
      type: 'object',
      properties: {
        ...head,
        courses: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              course: courseRef,
              registrations: { type: 'integer' },
              totalMs: { type: 'integer' },
              meanMs: { type: 'integer' },
              medianMs: { type: 'integer' },
              p90Ms: { type: 'integer' },
            },
          },
        },
      },
    },
  },
  funnel: {
    summary: 'Per course: registrations enrolled, started (any statement), completed, passed',
    body: {
      type: 'object',
      properties: {
        ...head,
        courses: {
          type: 'array',
          items: {
            type: 'object',
            properties: { course: courseRef, enrolled: { type: 'integer' }, started: { type: 'integer' }, completed: { type: 'integer' }, passed: { type: 'integer' } },
          },
        },
      },
    },
  },
  items: {
    summary: 'Item analysis: per question, answers, % correct, most chosen wrong responses, mean latency',
    body: {
      type: 'object',
      properties: {
        ...head,
        questions: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              course: courseRef,
              id: { type: 'string' },
              name: { type: 'string' },
              description: { type: 'string' },
              interactionType: { type: ['string', 'null'] },
              answers: { type: 'integer' },
              learners: { type: 'integer' },
              judged: { type: 'integer' },
              correct: { type: 'integer' },
              correctRate: nullableNumber,
              wrongResponses: {
                type: 'array',
                items: { type: 'object', properties: { response: { type: 'string' }, label: { type: ['string', 'null'] }, count: { type: 'integer' } } },
              },
              timed: { type: 'integer' },
              meanLatencyMs: { type: ['integer', 'null'] },
            },
          },
        },
      },
    },
  },
};

const querystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    course: { type: 'string', description: 'Course slug' },
    country: { type: 'string', description: 'ISO 3166-1 alpha-2 codes, comma-separated' },
    agency: { type: 'string' },
    from: { type: 'string', description: 'YYYY-MM-DD (UTC), inclusive' },
    to: { type: 'string', description: 'YYYY-MM-DD (UTC), inclusive' },
    format: { enum: ['json', 'csv'] },
  },
} as const;

/** The reports' JSON and CSV API, mounted at `/api`. */
export function registerReportRoutes(app: FastifyInstance, deps: { readonly reports: ReportService }): void {
  app.setErrorHandler(sendApiError);
  for (const name of reportNames) {
    app.get<{ Querystring: ReportQuery & { format?: 'json' | 'csv' } }>(`/reports/${name}`, {
      config: { policy: 'records.read' },
      // No HEAD twin: a report is computed to be read.
      exposeHeadRoute: false,
      schema: {
        tags: ['records'],
        summary: `${schemas[name].summary}: JSON or CSV`,
        description: 'Analysts (limited to their countries when their role names some) and admins. Filters: course, country, agency, from, to.',
        security: [{ session: [] }],
        querystring,
        response: { 200: schemas[name].body },
      },
    }, async (request, reply) => {
      const { format = 'json', ...query } = request.query;
      const report = await deps.reports.report(name, userOf(request), grantOf(request), query);
      reply.header('cache-control', 'private, no-store');
      if (format === 'json') return report;
      reply.header('content-disposition', `attachment; filename="report-${name}.csv"`);
      return reply.type('text/csv; charset=utf-8').serializer((body: string) => body).send(deps.reports.toCsv(name, report));
    });
  }
}
