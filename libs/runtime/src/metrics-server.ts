import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * A bare `/metrics` endpoint for services that have no HTTP server (matcher, materializer), so
 * Prometheus can scrape them too. Several services in one process are served under
 * `/metrics/<name>`, since each registry carries its own process metrics; one alone is also
 * at `/metrics`.
 */
export async function serveMetrics(registries: Record<string, Registry>, port: number, host = '127.0.0.1'): Promise<{ url: string; close(): Promise<void> }> {
  const names = Object.keys(registries);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const name = path === '/metrics' && names.length === 1 ? names[0]! : path.startsWith('/metrics/') ? path.slice('/metrics/'.length) : '';
    const registry = registries[name];
    if (req.method !== 'GET' || !registry) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: `metrics at ${names.map((n) => `/metrics/${n}`).join(', ')}` } }));
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'metrics_failed', message: String(err) } }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host}:${actual}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
