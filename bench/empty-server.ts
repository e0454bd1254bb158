/**
 * The empty-route ceiling for HTTP ingest (STYLE.md §12): a bare Fastify server with one `POST /xapi/statements`
 * route that parses the JSON body with Fastify's own parser (as the LRS does, with the same body limit) and answers
 * `[]`. No auth, validation or storage: what the LRS adds on top of Fastify and the loopback is the gap to it.
 *
 *   PORT=NNNN node dist/bench/empty-server.js    (prints "ready" on stdout once listening on 127.0.0.1)
 */
import Fastify from 'fastify';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('empty-server: PORT must be set\n');
  process.exit(2);
}

const app = Fastify({ logger: false, bodyLimit: 20 * 1024 * 1024 });
app.post('/xapi/statements', async (request, reply) => {
  // Touch the parsed body so the parse cannot be skipped, then answer like the LRS's empty batch.
  if (!Array.isArray(request.body) && (typeof request.body !== 'object' || request.body === null)) return reply.code(400).send([]);
  return reply.code(200).send([]);
});

process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});

await app.listen({ host: '127.0.0.1', port });
process.stdout.write('ready\n');
