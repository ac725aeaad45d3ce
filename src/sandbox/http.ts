// Real HTTP in front of the in-process handler (node:http): `/api/v3` prefix stripped on the way
// in, a reset fault destroys the socket so the client sees ECONNRESET.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequest, HttpResponse } from '../model/ports.js';

const BASE = '/api/v3';
/** Far above any API call akbp or authentik's UI makes; a body past it is refused, not buffered. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function listenHttp(
  handle: (req: HttpRequest) => Promise<HttpResponse>,
  host: string,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    // A request that fails (a client gone mid-body) must never take the server down with it.
    serve(handle, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
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

function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(413, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ detail: `Request body exceeds ${MAX_BODY_BYTES} bytes.` }));
  // The rest is read and dropped (a client still sending would otherwise never see the answer),
  // but not for long: a client that keeps sending is cut off.
  req.resume();
  const cut = setTimeout(() => req.socket.destroy(), 5000);
  cut.unref();
  req.once('end', () => clearTimeout(cut));
}

/** The request body, or undefined after answering 413 or when the client went away mid-body. */
async function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    tooLarge(req, res);
    return undefined;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const c of req) {
      total += (c as Buffer).length;
      if (total > MAX_BODY_BYTES) {
        tooLarge(req, res);
        return undefined;
      }
      chunks.push(c as Buffer);
    }
  } catch {
    // Aborted by the client: nobody is left to answer.
    req.socket.destroy();
    return undefined;
  }
  return Buffer.concat(chunks);
}

async function serve(handle: (req: HttpRequest) => Promise<HttpResponse>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req, res);
  if (raw === undefined) return;
  const url = req.url ?? '/';
  if (url !== BASE && !url.startsWith(`${BASE}/`)) {
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<h1>Not Found</h1>');
    return;
  }
  const headers: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const body = raw.toString('utf8');
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
