// Real HTTP in front of the in-process handler (node:http): `/api/v3` prefix stripped on the way
// in, a reset fault destroys the socket so the client sees ECONNRESET.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { HttpRequest, HttpResponse } from '../model/ports.js';

const BASE = '/api/v3';
/** How long an idle keep-alive connection stays open (announced in `Keep-Alive: timeout=5`). */
const KEEP_ALIVE_MS = 5000;
/** What an idle close waits after the limit for a request the client sent while the loop stalled. */
const GRACE_MS = 25;
/** Far above any API call akbp or authentik's UI makes; a body past it is refused, not buffered. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function listenHttp(
  handle: (req: HttpRequest) => Promise<HttpResponse>,
  host: string,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  // Idle keep-alive connections are closed after KEEP_ALIVE_MS, as authentik's server does, but
  // by us and not by node's keepAliveTimeout: node's timer runs in the timers phase, before the
  // poll phase reads what arrived, so after the event loop stalled (an in-process client planning
  // 20k entries) it closed connections that already held, or were about to receive, the
  // client's next request, and the client saw ECONNRESET on a create it cannot retry. A server
  // in its own process reads a request as it arrives; a close that waits for the poll phase
  // after the limit sees what the stalled client sent, as that server would have.
  const idle = new WeakMap<Socket, { timer?: NodeJS.Timeout; busy: number }>();
  const server = createServer((req, res) => {
    const socket = req.socket;
    const st = idle.get(socket) ?? { busy: 0 };
    idle.set(socket, st);
    if (st.timer) clearTimeout(st.timer);
    st.timer = undefined;
    st.busy += 1;
    res.setHeader('keep-alive', `timeout=${KEEP_ALIVE_MS / 1000}`);
    res.once('close', () => {
      st.busy -= 1;
      if (st.busy > 0 || socket.destroyed) return;
      const close = (): void => {
        if (st.busy === 0 && st.timer !== undefined) socket.destroy();
      };
      // After the limit: one more turn of the loop (the client may have queued its write in the
      // same turn the timer fired) and a poll phase to read it, then close when still idle.
      st.timer = setTimeout(() => setImmediate(() => setTimeout(close, GRACE_MS).unref()), KEEP_ALIVE_MS);
      st.timer.unref();
    });
    // A request that fails (a client gone mid-body) must never take the server down with it.
    serve(handle, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 0;
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
