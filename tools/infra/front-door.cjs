// One base URL for the local platform, split as the Kubernetes HTTPRoute splits it
// (k8s/components/gateway-api): `POST /v1/events` to ingest, the rest of `/v1`, `/docs` and the
// customer portal (`/portal`) to subscription, anything else 404. Loopback only; a development convenience, not a production proxy.
const http = require('node:http');

/** Services behind the front door, as `route()` names them. */
const BACKENDS = ['ingest', 'subscription'];

/**
 * The service a request goes to, or undefined when the front door does not route it.
 * @param {string} method
 * @param {string} url path and query, as in the request line
 * @returns {'ingest' | 'subscription' | undefined}
 */
function route(method, url) {
  const path = url.split('?')[0];
  if (method === 'POST' && path === '/v1/events') return 'ingest';
  const under = (prefix) => path === prefix || path.startsWith(`${prefix}/`);
  if (under('/v1') || under('/docs') || under('/portal')) return 'subscription';
  return undefined;
}

/**
 * Starts the front door on `host:port`, or on a free port when that one is taken.
 * @param {{ port: number, host?: string, targets: Record<'ingest' | 'subscription', string>, log?: (line: string) => void }} options
 *   targets: each service's base URL
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>}
 */
async function startFrontDoor({ port, host = '127.0.0.1', targets, log = () => undefined }) {
  for (const backend of BACKENDS) if (!targets[backend]) throw new Error(`no target for ${backend}`);
  const server = http.createServer((request, response) => {
    const backend = route(request.method ?? 'GET', request.url ?? '/');
    if (backend === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ error: 'not_found', message: 'the front door routes /v1, /docs and /portal only' }),
      );
      return;
    }
    const target = new URL(targets[backend]);
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: {
          ...request.headers,
          'x-forwarded-for': request.socket.remoteAddress ?? '',
          'x-forwarded-host': request.headers.host ?? '',
          'x-forwarded-proto': 'http',
        },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      if (response.headersSent) return response.destroy(error);
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'bad_gateway', message: `${backend} is not answering` }));
    });
    request.pipe(upstream);
  });
  const listen = (candidate) =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(candidate, host, () => {
        server.off('error', reject);
        resolve(server.address().port);
      });
    });
  let bound;
  try {
    bound = await listen(port);
  } catch (error) {
    if (error.code !== 'EADDRINUSE') throw error;
    bound = await listen(0);
    log(`port ${port} is taken; the front door listens on ${bound} instead`);
  }
  // A wildcard listener is reached through loopback.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
  return {
    url: `http://${hostPart}:${bound}`,
    port: bound,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

module.exports = { route, startFrontDoor };
