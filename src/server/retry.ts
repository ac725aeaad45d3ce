// When a failed exchange may be tried again, how long to wait, and how many run at once.

/**
 * What a transport failure tells us about the server's state:
 * - `not-sent`: the request never left (refused, connect timeout) — any method may be retried;
 * - `uncertain`: it may have been processed (reset, timeout while waiting) — only idempotent
 *   methods may simply be retried; a create must be checked first;
 * - `fatal`: retrying cannot help (TLS trust, unknown host).
 */
type FailureKind = 'not-sent' | 'uncertain' | 'fatal';

const NOT_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);
const FATAL = new Set(['ENOTFOUND', 'ERR_INVALID_URL', 'UND_ERR_INVALID_ARG', 'ERR_INVALID_ARG_TYPE']);
const TLS = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/;

export interface TransportFailure {
  kind: FailureKind;
  code: string;
  /** Short cause for people; built from the code, not from the library's message text. */
  cause: string;
  tls: boolean;
}

function errorCode(err: unknown): string {
  let e: unknown = err;
  // undici wraps the socket error as `cause`; the useful code may sit one level down.
  for (let i = 0; i < 3 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR' && code !== '') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return 'UNKNOWN';
}

export function classifyFailure(err: unknown): TransportFailure {
  const code = errorCode(err);
  if (TLS.test(code)) {
    return { kind: 'fatal', code, tls: true, cause: `TLS verification failed (${code}); pass --ca FILE for a private CA or --insecure to skip verification` };
  }
  if (FATAL.has(code))
    return { kind: 'fatal', code, tls: false, cause: code === 'ENOTFOUND' ? 'host name not found (ENOTFOUND)' : `request could not be made (${code})` };
  if (NOT_SENT.has(code)) return { kind: 'not-sent', code, tls: false, cause: `could not connect (${code})` };
  const timeout = /TIMEOUT/.test(code);
  return { kind: 'uncertain', code, tls: false, cause: timeout ? `no answer in time (${code})` : `connection lost before an answer (${code})` };
}

/**
 * Statuses worth another try: throttled, or a proxy/gateway that could not reach authentik. A
 * 500 on a read is often a passing hiccup (a worker restarting, a database failover) and a read
 * changes nothing; on a write it may come after the change was made, so writes are not retried.
 */
export function retryableStatus(status: number, method = 'GET'): boolean {
  if (status === 500) return method === 'GET' || method === 'HEAD';
  return status === 429 || status === 502 || status === 503 || status === 504;
}

const BASE_MS = 250;
const CAP_MS = 8_000;
const RETRY_AFTER_CAP_MS = 60_000;

/** Delay before retry number `n` (1-based): exponential with "equal jitter", or the server's Retry-After. */
export function backoffMs(n: number, random: () => number, retryAfter?: string, now = Date.now()): number {
  const ra = parseRetryAfter(retryAfter, now);
  if (ra !== undefined) return Math.min(ra, RETRY_AFTER_CAP_MS);
  const exp = Math.min(CAP_MS, BASE_MS * 2 ** (n - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export function parseRetryAfter(v: string | undefined, now = Date.now()): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
