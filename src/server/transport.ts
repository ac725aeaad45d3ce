// The real-network HttpTransport: keep-alive connections per authentik origin (one undici Client
// each), so requests do not pay a TCP+TLS handshake each. A connection idle for longer than the
// server keeps it is replaced before use: undici's own idle timer cannot fire while a long
// synchronous plan blocks the event loop, and a create written on a connection the server closed
// meanwhile fails in a way that cannot be retried safely.
import { Client, type Dispatcher } from 'undici';
import type { HttpRequest, HttpResponse, HttpTransport } from '../model/ports.js';
import { normaliseBaseUrl } from './url.js';

export interface UndiciTransportOptions {
  /** Skip TLS verification (`--insecure`). */
  insecure?: boolean;
  /** PEM text of a private CA (`--ca`); like Node's `ca`, it replaces the public roots for this server. */
  ca?: string;
  /** Parallel keep-alive connections to the server. */
  connections?: number;
  /** Headers and body timeouts per request. */
  timeoutMs?: number;
}

export function undiciTransport(baseUrl: string, opts: UndiciTransportOptions = {}): HttpTransport {
  const base = new URL(normaliseBaseUrl(baseUrl));
  const prefix = base.pathname.replace(/\/$/, '');
  const timeout = opts.timeoutMs ?? 30_000;
  const tls: { rejectUnauthorized?: boolean; ca?: string } = {};
  if (opts.insecure) tls.rejectUnauthorized = false;
  if (opts.ca !== undefined) tls.ca = opts.ca;
  const clientOptions = {
    keepAliveTimeout: DEFAULT_IDLE_MS,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connectTimeout: Math.min(timeout, 10_000),
    connect: tls,
  };
  const max = Math.max(1, opts.connections ?? 8);
  const conns: Conn[] = [];
  // The server's own idle limit when it announces one (`Keep-Alive: timeout=N`), less a margin.
  let idleLimitMs = DEFAULT_IDLE_MS;
  let closed = false;

  const fresh = (): Conn => ({ client: new Client(base.origin, clientOptions), inFlight: 0, lastSettled: 0, used: false });
  /** An idle connection (the most recently used, least likely to be stale), a new one, or the least busy. */
  const pick = (): Conn => {
    const now = Date.now();
    let best: Conn | undefined;
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i]!;
      if (c.inFlight > 0) continue;
      if (c.used && now - c.lastSettled >= idleLimitMs) {
        void c.client.destroy().catch(() => undefined);
        conns[i] = fresh();
      }
      if (!best || conns[i]!.lastSettled > best.lastSettled) best = conns[i]!;
    }
    if (best) return best;
    if (conns.length < max) {
      const c = fresh();
      conns.push(c);
      return c;
    }
    return conns.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  };

  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      if (closed) throw Object.assign(new Error('transport closed'), { code: 'UND_ERR_CLOSED' });
      const conn = pick();
      conn.inFlight++;
      // The server may have closed a connection that sat idle while the event loop was busy: its
      // FIN then waits unread, and a request written now is never read (a create sent there cannot
      // be retried safely). One turn of the loop lets undici see the close and connect again.
      if (conn.used && Date.now() - conn.lastSettled >= STALE_CHECK_MS) await new Promise<void>((resolve) => setImmediate(resolve));
      conn.used = true;
      try {
        const res = await exchange(conn.client, { path: prefix + req.path, method: req.method, headers: req.headers, body: req.body ?? null });
        const hint = /timeout=(\d+)/i.exec(res.headers['keep-alive'] ?? '');
        if (hint) idleLimitMs = Math.max(0, Number(hint[1]) * 1000 - IDLE_MARGIN_MS);
        return res;
      } finally {
        conn.inFlight--;
        conn.lastSettled = Date.now();
      }
    },
    // Idempotent: a client and the code that built its transport may both close it.
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all(conns.map((c) => (c.client.closed || c.client.destroyed ? undefined : c.client.close())));
    },
  };
}

/**
 * One exchange through the client's dispatch with a handler that only gathers the answer: what
 * `client.request` adds on top (a readable stream for the body, an async resource, a consumer
 * for `.text()`) was a good part of akbp's CPU per write, and that CPU is what stretches each
 * round trip when 16 requests are in flight. Errors are the ones `request` would reject with.
 */
function exchange(client: Client, opts: Dispatcher.DispatchOptions): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    let status = 0;
    let headers: { [name: string]: string } = {};
    const chunks: Buffer[] = [];
    const handler: Dispatcher.DispatchHandler = {
      // Its presence is what tells undici this handler speaks the current handler interface.
      onRequestStart() {},
      onResponseStart(_controller, statusCode, responseHeaders) {
        // An informational answer (103 Early Hints) comes before the real one, as `request` skips it.
        if (statusCode < 200) return;
        status = statusCode;
        headers = {};
        for (const k of Object.keys(responseHeaders)) {
          const v = responseHeaders[k];
          if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
        }
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        resolve({ status, headers, body: utf8(chunks) });
      },
      onResponseError(_controller, err) {
        reject(err);
      },
    };
    client.dispatch(opts, handler);
  });
}

/** The body as text, as undici's `.text()` decodes it: UTF-8, a leading byte-order mark dropped. */
function utf8(chunks: Buffer[]): string {
  const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  return buf.toString('utf8', bom ? 3 : 0);
}

interface Conn {
  client: Client;
  inFlight: number;
  /** When its last exchange ended (Date.now()). */
  lastSettled: number;
  used: boolean;
}

/**
 * Idle limit when the server announces none: servers and proxies without a hint commonly close
 * after 2–5 s (gunicorn 2 s, uvicorn and node 5 s); a fresh connection costs one handshake.
 */
const DEFAULT_IDLE_MS = 2_000;
/** Idle this long, a connection is given one turn of the event loop to report a close before use. */
const STALE_CHECK_MS = 100;
/** Taken off an announced limit, for clock granularity and the time a request spends in flight. */
const IDLE_MARGIN_MS = 1_000;
