import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createAccess, createCredentialService } from './access/index.js';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { createLrs } from './lrs/index.js';
import { createCatalogService, registerPackageRoutes } from './packages/index.js';
import type { Store } from './store/ports.js';
import { createWeb, translate } from './web/index.js';

export interface AppDeps {
  readonly config: Config;
  readonly store: Store;
  readonly now?: () => number;
}

/**
 * The composition root: builds each context from the store and the configuration, and mounts its routes.
 * Tests build it with a temporary store and call `inject()`; `cadet serve` builds it and listens.
 */
export async function buildApp({ config, store, now }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    bodyLimit: config.maxBodyBytes,
    // Large statement batches and slow content must not be cut off; shutdown waits for them.
    requestTimeout: 120_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
  });

  // Graceful shutdown: `close()` waits for open connections, and a keep-alive connection that answered after
  // close began would otherwise sit idle until its timeout (72 s). Ending those connections lets it finish.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('Connection', 'close');
  });

  app.setErrorHandler(async (error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.kind === 'unauthenticated') reply.header('WWW-Authenticate', 'Basic realm="cadet", charset="UTF-8"');
      return reply.code(error.statusCode).send({ error: error.code, message: error.message, ...error.data });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      // Fastify's own client errors: unparseable JSON, unsupported media type, body too large, schema validation.
      return reply.code(status).send({ error: error.code ?? 'bad-request', message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(status === 503 ? 503 : 500).send({ error: 'internal', message: 'the server could not complete the request; it has been logged' });
  });

  const credentials = createCredentialService({ credentials: store.credentials, publicUrl: config.publicUrl, ...(now && { now }) });
  const access = await createAccess({ store, credentials, settings: config, cookieSecret: config.sessionSecret, translate, ...(now && { now }) });
  // Before any route: from here on, a route without an access policy stops the app from starting (src/access/policy.ts).
  await access.installGuard(app);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Cadet',
        version: '0.1.0',
        description: 'E-learning runtime and Learning Record Store. The xAPI resources follow xAPI 1.0.3.',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          basic: { type: 'http', scheme: 'basic' },
          session: { type: 'apiKey', in: 'cookie', name: 'cadet_session', description: 'Set by POST /api/session' },
        },
      },
      security: [{ basic: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const lrs = createLrs({
    statements: store.statements,
    documents: store.documents,
    activities: store.activities,
    credentials,
    publicUrl: config.publicUrl,
    pageSize: config.statementPageSize,
    defaultVersion: config.xapiDefaultVersion,
    ...(now && { now }),
  });
  await app.register(lrs.plugin, { prefix: '/xapi' });
  await app.register(access.api, { prefix: '/api' });
  const catalog = createCatalogService({ catalog: store.catalog, files: store.packageFiles, publicUrl: config.publicUrl, ...(now && { now }) });
  await app.register(async (scope) => registerPackageRoutes(scope, { catalog, files: store.packageFiles, maxBytes: config.packageMaxBytes }), { prefix: '/api' });
  await app.register(createWeb({ access }).plugin);

  app.get('/health', { config: { policy: 'public' }, schema: { tags: ['operations'], summary: 'Liveness and store check for load balancers', security: [] } }, async () => {
    await store.statements.latestSequence();
    return { status: 'ok' };
  });
  return app;
}
