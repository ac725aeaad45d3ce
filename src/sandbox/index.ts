// The authentik-API emulator: built from a registry, answering in-process (`handle`, `transport`)
// or over real HTTP (`listen`), with injected latency/faults and an optional state file.
import type { Registry } from '../authentik/registry.js';
import type { HttpRequest, HttpResponse, HttpTransport } from '../model/ports.js';
import { Api } from './api.js';
import { ALL_FAULTS, FaultInjector, faultResponse, ResetError, ScriptedFaults, type FaultKind, type FaultPhase, type FaultRule } from './faults.js';
import { listenHttp } from './http.js';
import type { World } from './render.js';
import { Schema } from './schema.js';
import { SEED_TOKEN_IDENTIFIER, seed } from './seed.js';
import { readStateFile, Store, writeStateFile } from './store.js';
export { ALL_FAULTS, type FaultKind, type FaultPhase } from './faults.js';

export interface SandboxOptions {
  registry: Registry;
  /** The API token accepted as `Authorization: Bearer <token>` (akadmin's token). */
  token: string;
  /** Persisted atomically (temp file + fsync + rename) after every write; loaded when it exists. */
  statePath?: string;
  latencyMs?: number;
  jitterMs?: number;
  /** Probability per request of a fault from `faults`. */
  faultRate?: number;
  faults?: FaultKind[];
  /** When a fault hits a write: refuse it untouched (`before`, default) or apply it and lose the answer. */
  faultPhase?: FaultPhase | Partial<Record<FaultKind, FaultPhase>>;
  seed?: number;
  /** Page-size cap; defaults to the registry's (null = uncapped, as 2023.6). */
  maxPageSize?: number | null;
  /** Faults at chosen requests (they win over a drawn fault; the seeded draw still advances). */
  faultRules?: FaultRule[];
}

interface RequestLogEntry {
  method: string;
  /** Path below /api/v3 including the query. */
  path: string;
  /** 0 when the connection was reset. */
  status: number;
}

export interface Sandbox {
  handle(req: HttpRequest): Promise<HttpResponse>;
  transport(): HttpTransport;
  listen(host?: string, port?: number): Promise<{ url: string; close(): Promise<void> }>;
  readonly requestLog: RequestLogEntry[];
  clearLog(): void;
  /** Aims a fault at chosen requests from now on (see FaultRule); `clearFaults` removes them. */
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  readonly version: string;
  /** The whole state (records, counters) for tests; token keys redacted, password hashes kept. */
  snapshot(): unknown;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function createSandbox(opts: SandboxOptions): Promise<Sandbox> {
  if (!opts.token) throw new Error('sandbox needs a token');
  const schema = new Schema(opts.registry);
  const version = opts.registry.authentikVersion;
  const loaded = opts.statePath ? await readStateFile(opts.statePath, version) : undefined;
  const store = loaded ? Store.fromState(loaded) : new Store(version);
  const world: World = { schema, store };
  if (!loaded) {
    seed(world, opts.token);
    if (opts.statePath) await writeStateFile(opts.statePath, store.toState());
  } else if (!store.all('authentik_core.token').some((t) => t.secret.key === opts.token)) {
    // A reopened state keeps its objects; the token asked for now must still work.
    const seeded = store.all('authentik_core.token').find((t) => t.data.identifier === SEED_TOKEN_IDENTIFIER);
    if (seeded) seeded.secret.key = opts.token;
  }

  const api = new Api(world, opts.maxPageSize === undefined ? opts.registry.maxPageSize : opts.maxPageSize);
  const faults = new FaultInjector({
    seed: opts.seed ?? 1,
    faultRate: opts.faultRate ?? 0,
    faults: opts.faults ?? ALL_FAULTS,
    phase: opts.faultPhase ?? 'before',
    latencyMs: opts.latencyMs ?? 0,
    jitterMs: opts.jitterMs ?? 0,
  });
  const scripted = new ScriptedFaults();
  for (const r of opts.faultRules ?? []) scripted.add(r);
  const requestLog: RequestLogEntry[] = [];
  // Requests run one at a time, so each write and its persistence are atomic.
  let chain: Promise<unknown> = Promise.resolve();

  async function process(req: HttpRequest): Promise<HttpResponse> {
    const drawn = faults.next();
    const delay = faults.delayMs();
    // The answer is due `delay` after the request came in, as from a server that many clients
    // share: the work is done on arrival and the wait is what is left of the delay. Waiting
    // first and working after would add the work of every request that woke at the same time
    // (they run one at a time) to the latency of the last: a client with 16 requests in flight
    // would see this thread's queue, not the latency it asked for.
    const due = delay > 0 ? performance.now() + delay : 0;
    const method = req.method.toUpperCase();
    const fault = scripted.next(method, req.path, req.body) ?? drawn;
    // The work waits for the loop's check phase, so that requests read in the same poll phase
    // (from other connections) take their arrival time before this one's work delays them.
    if (due) await new Promise((r) => setImmediate(r));
    const run = async (): Promise<HttpResponse> => {
      if (fault && fault.phase === 'before') {
        if (fault.kind === 'reset') throw new ResetError();
        return faultResponse(fault.kind);
      }
      const out = await api.dispatch(req);
      if (out.mutated && MUTATING.has(method) && opts.statePath) await writeStateFile(opts.statePath, store.toState());
      if (fault) {
        if (fault.kind === 'reset') throw new ResetError();
        return faultResponse(fault.kind);
      }
      return out.res;
    };
    const p = chain.then(run, run);
    chain = p.catch(() => undefined);
    const settled = await p.then(
      (res) => ({ res }),
      (err: unknown) => ({ err }),
    );
    const left = due - performance.now();
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    if ('res' in settled) {
      requestLog.push({ method, path: req.path, status: settled.res.status });
      return settled.res;
    }
    requestLog.push({ method, path: req.path, status: 0 });
    throw settled.err;
  }

  const sandbox: Sandbox = {
    handle: process,
    transport: () => ({ request: process, close: async () => undefined }),
    listen: (host = '127.0.0.1', port = 0) => listenHttp(process, host, port),
    requestLog,
    clearLog: () => {
      requestLog.length = 0;
    },
    injectFault: (rule) => scripted.add(rule),
    clearFaults: () => scripted.clear(),
    version,
    // Token keys stay in the store (and its file); a snapshot only says whether one is set.
    snapshot: () => {
      const state = structuredClone(store.toState());
      for (const r of state.records) if (r.secret.key !== undefined) r.secret.key = '(set)';
      return state;
    },
  };
  return sandbox;
}
