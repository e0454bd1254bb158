import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createAccess, createCredentialService } from './access/index.js';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { createLrs, parseStatementRequest, type StatementResult } from './lrs/index.js';
import { createCatalogService, registerPackageRoutes } from './packages/index.js';
import { createRecords } from './records/index.js';
import { createCertificates } from './records/certificates/index.js';
import { createReports } from './records/reports/index.js';
import { createRuntime, type Runtime } from './runtime/index.js';
import { createMailDelivery } from './access/mail/index.js';
import { randomToken } from './access/passwords.js';
import type { Store } from './store/ports.js';
import { createWeb, translate } from './web/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The content origin (package files and the player), listening on CONTENT_PORT beside the app. */
    contentServer: FastifyInstance;
  }
}

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
  // SMTP when configured: the outbox stays the record, and this sender delivers from it after each commit and on
  // start (anything left unsent). Without SMTP_HOST, mail stays in the outbox for admins to read.
  const mail = createMailDelivery({ settings: config, outbox: store.outbox, log: app.log, ...(now && { now }) });
  if (mail) {
    app.addHook('onReady', async () => mail.start());
    app.addHook('onClose', async () => mail.stop());
  }

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

  // Built after the LRS, whose write path it uses; the LRS reaches it only when content presents a launch token.
  let runtime: Runtime;
  /**
   * Who calls the LRS: content with its launch token (`Bearer <token>` from xAPI launches, or cmi5's auth token,
   * HTTP Basic with the user name `launch`), or a tool with LRS credentials.
   */
  const authenticateLrs = async (header: string | undefined) => {
    if (header?.startsWith('Bearer ')) return runtime.service.principalFor(header.slice(7).trim());
    const basic = /^Basic\s+(\S+)$/i.exec(header ?? '');
    const decoded = basic ? Buffer.from(basic[1], 'base64').toString('utf8') : '';
    if (decoded.startsWith('launch:')) return runtime.service.principalFor(decoded.slice('launch:'.length));
    return credentials.authenticate(header);
  };
  const lrs = createLrs({
    statements: store.statements,
    documents: store.documents,
    activities: store.activities,
    // Content launched by the runtime presents its launch token (DESIGN.md); tools use LRS credentials.
    credentials: { authenticate: (header: string | undefined) => authenticateLrs(header) },
    publicUrl: config.publicUrl,
    pageSize: config.statementPageSize,
    defaultVersion: config.xapiDefaultVersion,
    ...(now && { now }),
  });
  await app.register(lrs.plugin, { prefix: '/xapi' });
  await app.register(access.api, { prefix: '/api' });
  const catalog = createCatalogService({ catalog: store.catalog, files: store.packageFiles, publicUrl: config.publicUrl, ...(now && { now }) });
  await app.register(async (scope) => registerPackageRoutes(scope, { catalog, files: store.packageFiles, maxBytes: config.packageMaxBytes }), { prefix: '/api' });
  runtime = createRuntime({
    catalog,
    store,
    prepareStatements: (statements, principal) => lrs.statements.prepare(statements, principal),
    publicUrl: config.publicUrl,
    contentUrl: config.contentUrl,
    // Launch tokens and session cookies share the store's signing secret; each signs a different domain.
    tokenSecret: config.sessionSecret || (await store.sessions.signingSecret(randomToken)),
    tokenTtlMinutes: config.launchTokenTtlMinutes,
    logLevel: config.logLevel,
    ...(now && { now }),
  });
  await app.register(runtime.routes, { prefix: '/api' });
  // Transcripts (and later certificates, reports): projections of the statements (DESIGN.md "The one rule").
  const records = createRecords({ store, ...(now && { now }) });
  await app.register(records.routes, { prefix: '/api' });
  // Certificates: issued by the store in the transaction of the statements that earn them, through the LRS's write path.
  const certificates = await createCertificates({
    store,
    learners: records.transcripts,
    prepareStatements: (statements, principal) => lrs.statements.prepare(statements, principal),
    publicUrl: config.publicUrl,
    ...(now && { now }),
    onIssueFailed: (error, registrationId) => app.log.error({ err: error, registrationId }, 'a certificate could not be issued; the next statement of the registration tries again'),
  });
  await app.register(certificates.api, { prefix: '/api' });
  await app.register(certificates.keyRoutes);
  // Analysts' reports, and the statement explorer that runs the LRS's own query in-process (no HTTP, no credential).
  const reports = createReports({
    store,
    statements: {
      query: async (params, principal, languages) => (await lrs.statements.read(parseStatementRequest({ ...params }), principal, languages)) as StatementResult,
      more: (token, principal, languages) => lrs.statements.more(token, principal, languages),
    },
    publicUrl: config.publicUrl,
    ...(now && { now }),
  });
  await app.register(reports.routes, { prefix: '/api' });
  // The content origin is a server of its own (CONTENT_PORT), closed with the app.
  const content = await runtime.contentServer();
  app.decorate('contentServer', content);
  app.addHook('onClose', async () => {
    await content.close();
  });
  await app.register(
    createWeb({
      access,
      courses: {
        catalog,
        runtime: runtime.service,
        latestRegistration: (userId, courseId) => store.runtime.latestRegistration(userId, courseId),
        contentUrl: config.contentUrl,
        maxPackageBytes: config.packageMaxBytes,
      },
      reports: { reports: reports.reports, explorer: reports.explorer },
      certificates: certificates.service,
    }).plugin,
  );

  app.get('/health', { config: { policy: 'public' }, schema: { tags: ['operations'], summary: 'Liveness and store check for load balancers', security: [] } }, async () => {
    await store.statements.latestSequence();
    return { status: 'ok' };
  });
  return app;
}
