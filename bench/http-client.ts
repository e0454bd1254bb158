import http from 'node:http';

/**
 * A minimal keep-alive HTTP client on `node:http`. The client shares the two cores with the server, so it
 * should cost as little as possible: `node:http` with a keep-alive agent adds less per request than the
 * global `fetch` (undici's web-streams layer), which matters for sub-millisecond query latencies.
 */
export interface HttpResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

export function createHttpClient(baseUrl: string, headers: Readonly<Record<string, string>>, maxSockets: number) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets });

  /** One request; `extra` headers are added to the client's (a session cookie, say). */
  function request(method: 'GET' | 'POST' | 'PUT', path: string, body?: string, extra?: Readonly<Record<string, string>>): Promise<HttpResponse> {
    const base = extra === undefined ? headers : { ...headers, ...extra };
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: body === undefined ? base : { ...base, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
          res.on('error', reject);
        },
      );
      // A stuck server must not hang the bench: every request is bounded.
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out after 30 s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  return {
    get: (path: string) => request('GET', path),
    post: (path: string, body: string) => request('POST', path, body),
    put: (path: string, body: string) => request('PUT', path, body),
    request,
    close: () => agent.destroy(),
  };
}

export type HttpClient = ReturnType<typeof createHttpClient>;
