// Real HTTP in front of the in-process handler (node:http): `/api/v3` prefix stripped on the way
// in, a reset fault destroys the socket so the client sees ECONNRESET.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequest, HttpResponse } from '../model/ports.js';

const BASE = '/api/v3';

export async function listenHttp(
  handle: (req: HttpRequest) => Promise<HttpResponse>,
  host: string,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    void serve(handle, req, res);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(handle: (req: HttpRequest) => Promise<HttpResponse>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = req.url ?? '/';
  if (url !== BASE && !url.startsWith(`${BASE}/`)) {
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<h1>Not Found</h1>');
    return;
  }
  const headers: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const body = Buffer.concat(chunks).toString('utf8');
  const hreq: HttpRequest = { method: req.method ?? 'GET', path: url.slice(BASE.length) || '/', headers };
  if (body !== '') hreq.body = body;
  let out: HttpResponse;
  try {
    out = await handle(hreq);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') {
      req.socket.destroy();
      return;
    }
    out = { status: 500, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<h1>Server Error (500)</h1>' };
  }
  res.writeHead(out.status, out.headers);
  res.end(out.body);
}
