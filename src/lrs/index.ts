import type { FastifyInstance } from 'fastify';
import type { CredentialService } from '../access/index.js';
import { notFound } from '../errors.js';
import type { XapiVersion } from './statements/statement-validator.js';
import type { ActivityStore, DocumentStore, StatementStore } from '../store/ports.js';
import { createDocumentService } from './documents/document-service.js';
import { registerDocumentRoutes } from './documents/document-routes.js';
import { registerStatementRoutes } from './statements/statement-routes.js';
import { createStatementService } from './statements/statement-service.js';
import {
  answerPreflight,
  applyAlternateSyntax,
  checkVersionHeader,
  registerBodyParsers,
  setProtocolHeaders,
  supportedVersions,
} from './xapi-protocol.js';

export { actorIdentity } from './statements/statement-keys.js';
export { parseStatementRequest } from './statements/statement-query.js';
export type { StatementResult } from './statements/statement-service.js';
export type { Actor, Statement } from './statements/statement-types.js';
export type { StatementService } from './statements/statement-service.js';

export interface LrsDeps {
  readonly statements: StatementStore;
  readonly documents: DocumentStore;
  readonly activities: ActivityStore;
  readonly credentials: Pick<CredentialService, 'authenticate'>;
  readonly publicUrl: string;
  readonly pageSize: number;
  /** Version named in answers to requests that name none (or a bad one). */
  readonly defaultVersion: XapiVersion;
  readonly now?: () => number;
}

/** The xAPI resources under `/xapi`: a service for internal callers and the Fastify plugin that serves it. */
export function createLrs({ statements, documents, activities, credentials, publicUrl, pageSize, defaultVersion, now }: LrsDeps) {
  const basePath = new URL(publicUrl).pathname.replace(/\/+$/, '');
  const statementService = createStatementService({
    statements,
    pageSize,
    statementsPath: `${basePath}/xapi/statements`,
    ...(now && { now }),
  });
  const documentService = createDocumentService({ documents, ...(now && { now }) });

  async function plugin(app: FastifyInstance): Promise<void> {
    registerBodyParsers(app);
    app.addHook('onRequest', async (request, reply) => setProtocolHeaders(request, reply, defaultVersion));
    app.addHook('preValidation', async (request) => {
      if (request.method === 'POST') applyAlternateSyntax(request);
    });
    app.addHook('preHandler', async (request, reply) => {
      if (request.method === 'OPTIONS' || request.routeOptions.url === '/xapi/about') return;
      request.xapiVersion = checkVersionHeader(request, reply);
      request.principal = await credentials.authenticate(request.headers.authorization);
    });

    app.options('/*', { schema: { hide: true } }, async (_request, reply) => answerPreflight(reply));
    app.get('/about', { schema: { tags: ['xAPI'], summary: 'Versions this LRS speaks (no credentials needed)' } }, async () => ({
      version: [...supportedVersions],
      extensions: {},
    }));
    registerStatementRoutes(app, statementService);
    registerDocumentRoutes(app, documentService, activities);
    app.setNotFoundHandler(async (request) => {
      throw notFound('xapi-resource-not-found', `no xAPI resource at ${request.method} ${request.url.split('?')[0]}`);
    });
  }

  return { statements: statementService, documents: documentService, plugin };
}
