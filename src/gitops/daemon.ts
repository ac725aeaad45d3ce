// `akbp serve` without the CLI: an HTTP server for webhooks, health, metrics and status, an
// interval poller, and the one queue they all feed. Everything it needs is passed in.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Json, Logger } from '../model/index.js';
import { Metrics } from './metrics.js';
import { startPoller, type Poller, type RevisionCheck } from './poll.js';
import { createQueue, type ReconcileQueue } from './queue.js';
import { createRunner, type RunnerOptions } from './runner.js';
import { parseSourceRef, redactSource, refMatches, sameRepo } from './source-ref.js';
import type { RunRecord, Trigger } from './types.js';
import { DeliveryLog, deliveryId, parseEvent, providers, verifySignature, type Provider, type PushEvent } from './webhook.js';

export interface DaemonOptions extends Omit<RunnerOptions, 'onRecord' | 'now'> {
  sources: string[];
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** Shared secret for every provider; without one every hook is refused. */
  secret?: string;
  intervalMs?: number;
  check?: RevisionCheck;
  maxBodyBytes?: number;
  deliveryCapacity?: number;
  /** Enqueue one run per source at start (the CLI does; tests that count runs do not). */
  runOnStart?: boolean;
  now?: () => number;
  onRecord?: (run: RunRecord) => void;
  /** True while this replica stands by for another (leader election): /readyz says ready. */
  standby?: () => boolean;
  /** Replicas sharing one state backend: `leader` reconciles, `standby` waits (shown on /status). */
  role?: () => 'leader' | 'standby';
}

export interface Daemon {
  url: string;
  queue: ReconcileQueue<RunRecord>;
  metrics: Metrics;
  poller?: Poller;
  /** Routes an already authenticated push event to the sources it concerns, as the webhook routes do. */
  dispatchPush(event: PushEvent, deliveryId?: string): { status: number; body: { [k: string]: Json } };
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

class TooLarge extends Error {}

function readBody(req: IncomingMessage, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > cap) return reject(new TooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > cap) {
        req.removeAllListeners('data');
        reject(new TooLarge());
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: Json | string, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function headersOf(req: IncomingMessage): { [k: string]: string | undefined } {
  const out: { [k: string]: string | undefined } = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v[0] : v;
  return out;
}

export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const now = opts.now ?? Date.now;
  const log: Logger = opts.logger;
  const metrics = new Metrics(opts.sources);
  const deliveries = new DeliveryLog(opts.deliveryCapacity ?? 1000);
  const cap = opts.maxBodyBytes ?? MiB;
  const runner = createRunner({
    ...(opts.check ? { resolveRevision: opts.check } : {}),
    ...opts,
    now,
    onRecord: (r) => {
      metrics.record(r);
      opts.onRecord?.(r);
    },
  });
  const queue = createQueue<RunRecord>(runner);
  const enqueue = (t: Trigger) => void queue.enqueue(t);

  const dispatchPush = (event: PushEvent, delivery?: string): { status: number; body: { [k: string]: Json } } => {
    const lanes = opts.sources.filter((s) => {
      const ref = parseSourceRef(s);
      return ref.kind === 'git' && event.repoUrls.some((u) => sameRepo(u, ref.url)) && refMatches(ref.ref, event.ref, event.defaultBranch);
    });
    if (lanes.length === 0) {
      const reason = opts.sources.some((s) => {
        const ref = parseSourceRef(s);
        return ref.kind === 'git' && event.repoUrls.some((u) => sameRepo(u, ref.url));
      })
        ? `ref ${event.ref} is not followed by any source`
        : 'repository is not a configured source';
      log.log('info', 'webhook ignored', { provider: event.provider, delivery: delivery ?? null, reason });
      return { status: 202, body: { status: 'ignored', reason } };
    }
    for (const source of lanes) {
      // The payload's sha only triggers: the runner reads the followed ref's tip itself, so a
      // replayed (validly signed) old body cannot pick an old commit to apply.
      const t: Trigger = { kind: 'webhook', source, at: now(), reason: `${event.provider} push ${event.ref} (payload names ${event.after.slice(0, 12)})` };
      if (delivery) t.deliveryId = delivery;
      enqueue(t);
    }
    log.log('info', 'webhook queued', { provider: event.provider, delivery: delivery ?? null, payloadRevision: event.after, sources: lanes.map(redactSource) });
    return { status: 202, body: { status: 'queued', sources: lanes.map(redactSource) } };
  };

  const onHook = async (provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw: Buffer;
    try {
      raw = await readBody(req, cap);
    } catch (err) {
      if (err instanceof TooLarge) {
        log.log('warn', 'webhook refused', { provider, status: 413, reason: 'body too large' });
        res.setHeader('connection', 'close');
        return send(res, 413, { status: 'refused', reason: `body larger than ${cap} bytes` });
      }
      throw err;
    }
    const headers = headersOf(req);
    const secret = opts.secret ?? '';
    if (!verifySignature(provider, headers, raw, secret)) {
      log.log('warn', 'webhook refused', { provider, status: 401, reason: secret ? 'missing or bad signature' : 'no webhook secret configured' });
      return send(res, 401, { status: 'refused', reason: 'missing or bad signature' });
    }
    const delivery = deliveryId(provider, headers);
    const parsed = parseEvent(provider, headers, raw);
    if (parsed.kind === 'invalid') return send(res, 400, { status: 'refused', reason: parsed.reason });
    // Recorded only after the signature held, so unsigned junk cannot evict real ids.
    if (delivery !== undefined && !deliveries.record(`${provider}:${delivery}`)) {
      log.log('warn', 'webhook refused', { provider, status: 409, delivery, reason: 'duplicate delivery' });
      return send(res, 409, { status: 'refused', reason: 'duplicate delivery', delivery });
    }
    if (parsed.kind === 'ignored') {
      log.log('info', 'webhook ignored', { provider, delivery: delivery ?? null, reason: parsed.reason });
      return send(res, 202, { status: 'ignored', reason: parsed.reason });
    }
    const r = dispatchPush(parsed.event, delivery);
    send(res, r.status, r.body);
  };

  const busyByLabel = (label: string): { [k: string]: Json } => {
    const source = opts.sources.find((s) => redactSource(s) === label);
    if (!source) return {};
    const p = queue.pending(source);
    const applied = runner.lastApplied?.(source);
    return {
      running: queue.busy(source),
      pending: p ? { trigger: p.kind, revision: p.revision ?? null } : null,
      lastApplied: applied ? { revision: applied.revision, at: applied.at } : null,
    };
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const m = /^\/hooks\/([a-z]+)\/?$/.exec(path);
    if (m && (providers as readonly string[]).includes(m[1]!)) {
      if (req.method !== 'POST') return send(res, 405, { status: 'refused', reason: 'POST only' });
      onHook(m[1] as Provider, req, res).catch((err) => {
        log.log('error', 'webhook handler failed', { error: err instanceof Error ? err.message : String(err) });
        if (!res.headersSent) send(res, 500, { status: 'error' });
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { status: 'refused', reason: 'GET only' });
    // Liveness: the process answers. Readiness: every source's last run succeeded, or this
    // replica is a standby that is not meant to run.
    if (path === '/healthz') return send(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      if (opts.standby?.() || opts.role?.() === 'standby') return send(res, 200, { status: 'ready', standby: true });
      const failing = metrics.notReady();
      return send(res, failing.length ? 503 : 200, failing.length ? { status: 'not ready', sources: failing } : { status: 'ready' });
    }
    if (path === '/metrics') {
      metrics.render().then(
        (text) => send(res, 200, text, metrics.contentType),
        (err: Error) => send(res, 500, { status: 'error', error: err.message }),
      );
      return;
    }
    if (path === '/status') return send(res, 200, { mode: opts.mode, ...(opts.role ? { role: opts.role() } : {}), sources: metrics.status(busyByLabel) });
    send(res, 404, { status: 'not found' });
  });
  // Slow-loris bodies must not hold a socket forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  log.log('info', 'daemon listening', { url, mode: opts.mode, sources: opts.sources.map(redactSource), intervalMs: opts.intervalMs ?? null });

  let poller: Poller | undefined;
  if (opts.intervalMs && opts.intervalMs > 0) {
    poller = startPoller({ sources: opts.sources, intervalMs: opts.intervalMs, check: opts.check ?? (async () => undefined), enqueue, logger: log, now });
  }
  if (opts.runOnStart) {
    if (poller) void poller.tick();
    else for (const s of opts.sources) enqueue({ kind: 'startup', source: s, at: now() });
  }

  return {
    url,
    queue,
    metrics,
    ...(poller ? { poller } : {}),
    dispatchPush,
    async close() {
      poller?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await queue.close();
      log.log('info', 'daemon stopped', {});
    },
  };
}
