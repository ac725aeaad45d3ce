// Injected trouble for clients to survive: latency with jitter and faults (5xx, 429, connection
// reset) drawn from seeded PRNGs, so a seed replays the same sequence. Faults and latency use
// separate streams: changing the latency never changes which requests fail.
import type { HttpResponse } from '../model/ports.js';

export type FaultKind = '500' | '502' | '503' | '504' | '429' | 'reset';
/** `before`: the request is refused untouched; `after`: it is applied, then the answer is lost. */
export type FaultPhase = 'before' | 'after';

export const ALL_FAULTS: FaultKind[] = ['500', '502', '503', '504', '429', 'reset'];

/** mulberry32: small, fast, good enough to pick faults; same seed → same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultPlan {
  kind: FaultKind;
  phase: FaultPhase;
}

export class FaultInjector {
  private readonly faultRand: () => number;
  private readonly latencyRand: () => number;

  constructor(
    private readonly opts: {
      seed: number;
      faultRate: number;
      faults: FaultKind[];
      phase: FaultPhase | Partial<Record<FaultKind, FaultPhase>>;
      latencyMs: number;
      jitterMs: number;
    },
  ) {
    this.faultRand = prng(opts.seed);
    this.latencyRand = prng(opts.seed ^ 0x5bd1e995);
  }

  /** Decides the fate of the next request; always draws, so the sequence depends only on the request count. */
  next(): FaultPlan | undefined {
    const r = this.faultRand();
    const pick = this.faultRand();
    if (this.opts.faultRate <= 0 || this.opts.faults.length === 0 || r >= this.opts.faultRate) return undefined;
    const kind = this.opts.faults[Math.min(this.opts.faults.length - 1, Math.floor(pick * this.opts.faults.length))]!;
    const phase = typeof this.opts.phase === 'string' ? this.opts.phase : (this.opts.phase[kind] ?? 'before');
    return { kind, phase };
  }

  delayMs(): number {
    const j = this.opts.jitterMs > 0 ? this.latencyRand() * this.opts.jitterMs : 0;
    return Math.max(0, this.opts.latencyMs + j);
  }
}

export function faultResponse(kind: Exclude<FaultKind, 'reset'>): HttpResponse {
  switch (kind) {
    case '429':
      return {
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '1' },
        body: JSON.stringify({ detail: 'Request was throttled. Expected available in 1 second.' }),
      };
    case '500':
      return { status: 500, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<h1>Server Error (500)</h1>' };
    case '502':
      return { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' };
    case '503':
      return { status: 503, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>503 Service Unavailable</h1></body></html>' };
    case '504':
      return { status: 504, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>504 Gateway Time-out</h1></body></html>' };
  }
}

export class ResetError extends Error {
  readonly code = 'ECONNRESET';
  constructor() {
    super('socket hang up (sandbox fault: connection reset)');
    this.name = 'ResetError';
  }
}

/**
 * A fault aimed at chosen requests rather than drawn at random: the `nth` request (1-based,
 * counted among those that match) and the `times - 1` matching requests after it get `kind`.
 * Tests use it to fail exactly the write they mean (the 3rd write, the create of one object).
 */
export interface FaultRule {
  /** Upper-case method; omitted: every write (POST, PUT, PATCH, DELETE). */
  method?: string;
  /** Matched against the path below /api/v3, query included. */
  path?: RegExp;
  /** Matched against the request body text. */
  body?: RegExp;
  nth?: number;
  /** Consecutive matching requests that fail from the nth on (default 1; Infinity = all). */
  times?: number;
  kind: FaultKind;
  phase?: FaultPhase;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ScriptedFaults {
  private readonly rules: { rule: FaultRule; seen: number }[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ rule, seen: 0 });
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** The fault of the first rule whose window this request falls in; every matching rule counts it. */
  next(method: string, path: string, body: string | undefined): FaultPlan | undefined {
    let out: FaultPlan | undefined;
    for (const r of this.rules) {
      const { rule } = r;
      if (rule.method ? rule.method !== method : !WRITES.has(method)) continue;
      if (rule.path && !rule.path.test(path)) continue;
      if (rule.body && !rule.body.test(body ?? '')) continue;
      r.seen++;
      const first = rule.nth ?? 1;
      if (!out && r.seen >= first && r.seen < first + (rule.times ?? 1)) out = { kind: rule.kind, phase: rule.phase ?? 'before' };
    }
    return out;
  }
}
