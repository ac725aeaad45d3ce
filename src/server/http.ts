// One authenticated exchange with authentik, retried when that is safe, counted and logged.
// This is the only place that holds the token; every text that leaves it is scrubbed of it.
import { ApiError } from '../model/errors.js';
import type { HttpResponse, HttpTransport } from '../model/ports.js';
import type { Json } from '../model/types.js';
import { Semaphore } from '../values/index.js';
import { backoffMs, classifyFailure, retryableStatus } from './retry.js';

export interface LogLine {
  method: string;
  path: string;
  status: number;
  ms: number;
  attempt: number;
}

export interface HttpOptions {
  transport: HttpTransport;
  token: string;
  /** Bounded in-flight requests (default 8). */
  concurrency?: number;
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: (line: LogLine) => void;
}

/**
 * `safe`: may be repeated without changing the outcome (GET, PATCH, PUT, DELETE, the set_* actions).
 * `create`: a POST that makes a new object; after an uncertain failure it is not repeated here —
 * the caller gets an ApiError with `uncertain` set and must look before trying again.
 */
export type RetryMode = 'safe' | 'create';

const MAX_ERROR_TEXT = 2000;

export class Http {
  private readonly sem: Semaphore;
  private readonly retries: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private sent = 0;

  constructor(private readonly o: HttpOptions) {
    this.sem = new Semaphore(Math.max(1, o.concurrency ?? 8));
    this.retries = Math.max(0, o.retries ?? 4);
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = o.random ?? Math.random;
  }

  get count(): number {
    return this.sent;
  }

  /** Replaces the token wherever a server or library might have echoed it. */
  scrub(text: string): string {
    const t = this.o.token;
    return t && text.includes(t) ? text.split(t).join('***') : text;
  }

  /** The answer as JSON (null for an empty body); ApiError for any status ≥ 300. */
  async json(method: string, path: string, body?: Json, mode: RetryMode = 'safe'): Promise<{ status: number; body: Json }> {
    const res = await this.send(method, path, body, mode);
    // Only error answers are scrubbed: data must come back byte for byte (a slug may contain
    // the token's characters, a token's own `view_key` answer is the secret the caller asked for).
    if (res.status >= 300) throw new ApiError(res.status, method, this.errorPath(path), this.parse(res), mode === 'create' && res.status >= 500);
    return { status: res.status, body: this.parseData(res) };
  }

  async send(method: string, path: string, body: Json | undefined, mode: RetryMode): Promise<HttpResponse> {
    const headers: { [k: string]: string } = {
      authorization: `Bearer ${this.o.token}`,
      accept: 'application/json',
      'user-agent': 'akbp',
    };
    const req = { method, path, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    for (let attempt = 1; ; attempt++) {
      const release = await this.sem.acquire();
      const t0 = Date.now();
      let res: HttpResponse | undefined;
      let err: unknown;
      try {
        this.sent++;
        res = await this.withTimeout(this.o.transport.request(req));
      } catch (e) {
        err = e;
      } finally {
        release();
      }
      this.o.log?.({ method, path: this.scrub(path), status: res?.status ?? 0, ms: Date.now() - t0, attempt });
      const last = attempt > this.retries;
      if (res) {
        // A throttled create was refused, not processed, so it is as safe to repeat as a GET.
        const retry = res.status === 429 || (mode === 'safe' && retryableStatus(res.status, method));
        if (!retry || last) return res;
        await this.sleep(backoffMs(attempt, this.random, res.headers['retry-after']));
        continue;
      }
      const f = classifyFailure(err);
      const canRetry = f.kind === 'not-sent' || (f.kind === 'uncertain' && mode === 'safe');
      if (!canRetry || last) {
        throw new ApiError(0, method, this.errorPath(path), { detail: this.scrub(f.cause), code: f.code }, f.kind === 'uncertain' && mode === 'create');
      }
      await this.sleep(backoffMs(attempt, this.random));
    }
  }

  /** A success body: JSON, or the text as it came (never clipped or scrubbed, unlike errors). */
  parseData(res: HttpResponse): Json {
    const text = res.body ?? '';
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text) as Json;
    } catch {
      return text;
    }
  }

  parse(res: HttpResponse): Json {
    const text = res.body ?? '';
    if (text.trim() === '') return null;
    try {
      const v = JSON.parse(text) as Json;
      return this.o.token && text.includes(this.o.token) ? scrubJson(v, (s) => this.scrub(s)) : v;
    } catch {
      const clipped = text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
      return this.scrub(clipped);
    }
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    if (!(this.timeoutMs > 0)) return p;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(Object.assign(new Error('request timed out'), { code: 'AKBP_TIMEOUT' }));
      }, this.timeoutMs);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  /** The path an ApiError carries: no query (filter values need not be repeated), no token (a slug may hold it). */
  private errorPath(path: string): string {
    const q = path.indexOf('?');
    return this.scrub(q < 0 ? path : path.slice(0, q));
  }
}

function scrubJson(v: Json, scrub: (s: string) => string): Json {
  if (typeof v === 'string') return scrub(v);
  if (Array.isArray(v)) return v.map((x) => scrubJson(x, scrub));
  if (v && typeof v === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) out[k] = scrubJson(x, scrub);
    return out;
  }
  return v;
}
