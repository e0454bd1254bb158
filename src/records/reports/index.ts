/**
 * The analysts' reports and the statement explorer (records context): projections of the statements, filtered by
 * course, country, agency and dates, as JSON, CSV and pages. Its public module.
 */
import type { FastifyInstance } from 'fastify';
import type { CatalogStore, ReportsStore } from '../../store/ports.js';
import { registerReportRoutes } from './report-routes.js';
import { createReportService } from './report-service.js';
import { createStatementExplorer, type StatementQueryPort } from './statement-explorer.js';

export { answerOf, isAnswerVerb, ANSWER_VERBS } from './answer-projection.js';
export { reportNames } from './report-service.js';
export type {
  AppliedFilter,
  CompletionsReport,
  CourseRef,
  FunnelReport,
  ItemsReport,
  QuestionReportRow,
  ReportName,
  ReportQuery,
  ReportService,
  ScoresReport,
  TimeSpentReport,
} from './report-service.js';
export { EXPLORER_PAGE_SIZE, explorerParameters } from './statement-explorer.js';
export type { ExplorerPage, ExplorerQuery, ExplorerRow, StatementExplorer, StatementQueryPort } from './statement-explorer.js';

export interface ReportsDeps {
  readonly store: { readonly reports?: ReportsStore; readonly catalog: Pick<CatalogStore, 'listCourses'> };
  /** The LRS's statement query, in-process (the explorer). */
  readonly statements: StatementQueryPort;
  readonly publicUrl: string;
  readonly now?: () => number;
}

export function createReports({ store, statements, publicUrl, now }: ReportsDeps) {
  const reports = createReportService({ reports: store.reports, catalog: store.catalog, ...(now && { now }) });
  const explorer = createStatementExplorer({ statements, publicUrl });
  return {
    reports,
    explorer,
    /** The JSON and CSV API, to mount at `/api`. */
    routes: async (app: FastifyInstance) => registerReportRoutes(app, { reports }),
  };
}

export type Reports = ReturnType<typeof createReports>;
