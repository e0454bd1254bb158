import type { FastifyInstance } from 'fastify';
import { grantOf, sendApiError, userOf } from '../access/index.js';
import type { TranscriptService } from './transcript-service.js';

const unitSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    activityId: { type: 'string' },
    status: { enum: ['not-attempted', 'in-progress', 'completed'] },
    success: { enum: ['passed', 'failed', 'unknown'] },
    bestScore: { type: ['number', 'null'], description: 'Scaled, -1..1' },
    lastScore: { type: ['number', 'null'], description: 'Scaled, -1..1; the latest by statement timestamp' },
    attempts: { type: 'integer', description: 'SCORM: attempts; cmi5: sessions; xAPI: initialized or launched statements' },
    timeSpent: { type: 'string', description: 'ISO 8601 duration' },
    timeSpentSeconds: { type: 'integer' },
    firstAccess: { type: ['string', 'null'] },
    lastAccess: { type: ['string', 'null'] },
    completed: { type: ['string', 'null'] },
  },
} as const;

const transcriptSchema = {
  type: 'object',
  properties: {
    learner: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, country: { type: 'string' }, agency: { type: 'string' } } },
    generated: { type: 'string' },
    courses: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          course: { type: 'object', properties: { id: { type: 'string' }, slug: { type: ['string', 'null'] }, format: { type: ['string', 'null'] } } },
          title: { type: 'string' },
          format: { type: ['string', 'null'] },
          registration: { type: 'string' },
          version: { type: ['integer', 'null'] },
          enrolled: { type: 'string' },
          status: { enum: ['not-attempted', 'in-progress', 'completed'] },
          success: { enum: ['passed', 'failed', 'unknown'] },
          score: { type: ['number', 'null'], description: "Scaled: the mean of the units' best scores" },
          firstAccess: { type: ['string', 'null'] },
          lastAccess: { type: ['string', 'null'] },
          completed: { type: ['string', 'null'], description: "When the course's completion rule was met" },
          timeSpent: { type: 'string' },
          timeSpentSeconds: { type: 'integer' },
          units: { type: 'array', items: unitSchema },
        },
      },
    },
  },
} as const;

/** The records context's JSON API, mounted at `/api`. */
export function registerTranscriptRoutes(app: FastifyInstance, deps: { readonly transcripts: TranscriptService }): void {
  app.setErrorHandler(sendApiError);
  app.get<{ Params: { id: string }; Querystring: { format?: 'json' | 'csv' | 'pdf' } }>('/users/:id/transcript', {
    config: { policy: 'records.read' },
    // No HEAD twin: a transcript is computed to be read, and HEAD could not tell a refusal from the guard's.
    exposeHeadRoute: false,
    schema: {
      tags: ['records'],
      summary: "A learner's transcript from the LRS: JSON, CSV (one row per course, UTF-8 with BOM) or PDF",
      description: 'Learners read their own; analysts all, or the learners of their countries; admins all.',
      security: [{ session: [] }],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      querystring: { type: 'object', additionalProperties: false, properties: { format: { enum: ['json', 'csv', 'pdf'] } } },
      response: { 200: transcriptSchema },
    },
  }, async (request, reply) => {
    const view = await deps.transcripts.transcript(userOf(request), grantOf(request), request.params.id);
    const format = request.query.format ?? 'json';
    if (format === 'json') return view;
    const name = `transcript-${view.learner.id}.${format}`;
    reply.header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'private, no-store');
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').serializer((body: string) => body).send(deps.transcripts.toCsv(view));
    return reply.type('application/pdf').send(deps.transcripts.toPdf(view));
  });
}
