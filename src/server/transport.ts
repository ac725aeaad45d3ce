// The real-network HttpTransport: one undici Pool per authentik origin, so requests share
// keep-alive connections instead of paying a TCP+TLS handshake each.
import { Pool } from 'undici';
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
  const pool = new Pool(base.origin, {
    connections: opts.connections ?? 8,
    keepAliveTimeout: 10_000,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connectTimeout: Math.min(timeout, 10_000),
    connect: tls,
  });

  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const res = await pool.request({
        origin: base.origin,
        path: prefix + req.path,
        method: req.method as 'GET',
        headers: req.headers,
        body: req.body ?? null,
      });
      const body = await res.body.text();
      const headers: { [name: string]: string } = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v === undefined) continue;
        headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      }
      return { status: res.statusCode, headers, body };
    },
    // Idempotent: a client and the code that built its transport may both close it.
    async close(): Promise<void> {
      if (pool.closed || pool.destroyed) return;
      await pool.close();
    },
  };
}
