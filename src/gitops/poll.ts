// The interval driver: on every tick, a cheap revision check per source (git ls-remote, OCI
// manifest digest) and then a trigger into the queue — also when nothing changed, because a plan
// at an unchanged revision is how drift on the server side is found.
import type { Logger } from '../model/index.js';
import { parseSourceRef, redactSource } from './source-ref.js';
import type { Trigger } from './types.js';

/** Current revision of a source, or undefined when it has no cheap check (local files). */
export type RevisionCheck = (source: string) => Promise<string | undefined>;

export interface PollerOptions {
  sources: string[];
  intervalMs: number;
  check: RevisionCheck;
  enqueue: (t: Trigger) => void;
  logger: Logger;
  now?: () => number;
}

export interface Poller {
  /** One tick for every source now (also what the timer runs). */
  tick(): Promise<void>;
  /** Last revision each source's check returned. */
  revisions(): Map<string, string>;
  stop(): void;
}

export function startPoller(opts: PollerOptions): Poller {
  const now = opts.now ?? Date.now;
  const known = new Map<string, string>();
  let ticking: Promise<void> | undefined;

  const tickOne = async (source: string): Promise<void> => {
    let revision: string | undefined;
    try {
      revision = await opts.check(source);
    } catch (err) {
      opts.logger.log('warn', 'revision check failed', {
        source: redactSource(source),
        code: 'AKB8005',
        error: err instanceof Error ? err.message : String(err),
      });
    }
    const prev = known.get(source);
    if (revision) known.set(source, revision);
    const changed = revision !== undefined && prev !== undefined && revision !== prev;
    const t: Trigger = { kind: 'timer', source, at: now(), reason: changed ? 'interval: source changed' : 'interval: drift check' };
    if (revision) t.revision = revision;
    opts.enqueue(t);
  };

  const tick = (): Promise<void> => {
    // A slow check must not pile up ticks behind it.
    if (!ticking)
      ticking = Promise.all(opts.sources.map(tickOne)).then(() => {
        ticking = undefined;
      });
    return ticking;
  };
  const timer = setInterval(() => void tick(), opts.intervalMs);
  timer.unref();
  return { tick, revisions: () => new Map(known), stop: () => clearInterval(timer) };
}

/** Parses `30s`, `5m`, `1h`, `1500ms` or plain seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. 30s, 5m, 1h)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}

/**
 * Cheap checks built from injected probes, so the CLI can hand in the sources adapters' own
 * `gitLsRemote` / `ociManifestDigest` (credentials handled there).
 */
export function revisionCheck(probes: {
  git?: (url: string, ref: string | undefined) => Promise<string | undefined>;
  oci?: (reference: string) => Promise<string | undefined>;
}): RevisionCheck {
  return async (source) => {
    const s = parseSourceRef(source);
    if (s.kind === 'git' && probes.git) return probes.git(s.url, s.ref);
    if (s.kind === 'oci' && probes.oci) return probes.oci(source.slice('oci://'.length));
    return undefined;
  };
}
