// Prometheus metrics through prom-client (one registry per daemon, so tests can run several), and
// the last run per source for /status and /readyz. Source labels are redacted specs, never with
// credentials.
import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Json } from '../model/index.js';
import { locate } from '../diag/index.js';
import type { RunRecord } from './types.js';
import { redactSource } from './source-ref.js';

interface SourceStats {
  lastSuccess?: number;
  last?: RunRecord;
}

const ACTIONS = ['create', 'update', 'delete', 'noop', 'conflict'] as const;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Diagnostics of a run as people read them: code, file:line:col, message. */
export function runDiagnostics(run: RunRecord, limit = 50): { [k: string]: Json }[] {
  const o = run.outcome;
  if (!o) return [];
  const texts = (uri: string) => o.texts.get(uri);
  return o.diagnostics.slice(0, limit).map((d) => {
    const loc = d.subject ? locate(d.subject, texts) : undefined;
    return {
      code: d.code,
      severity: d.severity,
      ...(loc ? { file: loc.uri, line: loc.line, column: loc.col, at: `${loc.uri}:${loc.line}:${loc.col}` } : d.subject ? { file: d.subject.uri } : {}),
      message: d.summary,
      ...(d.detail ? { detail: d.detail } : {}),
    };
  });
}

export class Metrics {
  readonly registry = new Registry();
  private readonly bySource = new Map<string, SourceStats>();
  private readonly runs: Counter<'source' | 'result'>;
  private readonly duration: Histogram<'source' | 'result'>;
  private readonly changes: Counter<'source'>;
  private readonly failures: Counter<'source'>;
  private readonly drift: Gauge<'source'>;
  private readonly objects: Gauge<'source' | 'action'>;
  private readonly lastSuccess: Gauge<'source'>;

  constructor(sources: string[] = [], opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.runs = new Counter({ name: 'akbp_runs_total', help: 'Reconcile runs by source and result.', labelNames: ['source', 'result'], registers });
    this.duration = new Histogram({
      name: 'akbp_run_duration_seconds',
      help: 'Wall time of a reconcile run by source and result.',
      labelNames: ['source', 'result'],
      registers,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    });
    this.changes = new Counter({ name: 'akbp_changes_total', help: 'Changes applied.', labelNames: ['source'], registers });
    this.failures = new Counter({ name: 'akbp_failures_total', help: 'Runs that failed or found an invalid source.', labelNames: ['source'], registers });
    this.drift = new Gauge({
      name: 'akbp_drift',
      help: 'Changes the latest run found on the server at an unchanged source revision.',
      labelNames: ['source'],
      registers,
    });
    this.objects = new Gauge({ name: 'akbp_objects', help: 'Objects of the latest plan by planned action.', labelNames: ['source', 'action'], registers });
    this.lastSuccess = new Gauge({
      name: 'akbp_last_success_timestamp_seconds',
      help: 'Unix time of the last successful run.',
      labelNames: ['source'],
      registers,
    });
    const info = new Gauge({ name: 'akbp_build_info', help: 'akbp version and Node.js version; always 1.', labelNames: ['version', 'node'], registers });
    info.set({ version: packageVersion(), node: process.version }, 1);
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    for (const s of sources) this.stats(s);
  }

  private stats(source: string): SourceStats {
    const key = redactSource(source);
    let s = this.bySource.get(key);
    if (!s) {
      this.bySource.set(key, (s = {}));
      // Zero series from the start, so "no failures yet" is 0 rather than absent.
      this.changes.inc({ source: key }, 0);
      this.failures.inc({ source: key }, 0);
      this.drift.set({ source: key }, 0);
    }
    return s;
  }

  record(run: RunRecord): void {
    const s = this.stats(run.source);
    const source = redactSource(run.source);
    this.runs.inc({ source, result: run.result });
    this.duration.observe({ source, result: run.result }, Math.max(0, run.finishedAt - run.startedAt) / 1000);
    this.changes.inc({ source }, run.applied);
    if (run.result === 'failed' || run.result === 'invalid') this.failures.inc({ source });
    if (run.result !== 'skipped') this.drift.set({ source }, run.drifted?.length ?? 0);
    if (run.summary) for (const a of ACTIONS) this.objects.set({ source, action: a }, run.summary[a]);
    if (run.result === 'succeeded') {
      s.lastSuccess = run.finishedAt;
      this.lastSuccess.set({ source }, Math.floor(run.finishedAt / 1000));
    }
    if (run.result !== 'skipped' || !s.last) s.last = run;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Sources whose last run did not succeed (or that have not run yet): why /readyz says no. */
  notReady(): { source: string; reason: string }[] {
    const out: { source: string; reason: string }[] = [];
    for (const [src, s] of this.bySource) {
      if (!s.last) out.push({ source: src, reason: 'no run finished yet' });
      else if (s.last.result !== 'succeeded') out.push({ source: src, reason: `last run ${s.last.result}${s.last.code ? ` (${s.last.code})` : ''}` });
    }
    return out;
  }

  status(extra: (source: string) => { [k: string]: Json } = () => ({})): { [source: string]: Json } {
    const out: { [source: string]: Json } = {};
    for (const [src, s] of this.bySource) {
      const r = s.last;
      out[src] = {
        ...extra(src),
        lastRun: r
          ? {
              runId: r.runId,
              trigger: r.trigger.kind,
              revision: r.revision ?? null,
              mode: r.mode,
              result: r.result,
              summary: r.summary ? { ...r.summary } : null,
              applied: r.applied,
              drift: r.drift,
              ...(r.drifted?.length ? { drifted: r.drifted.map((d) => ({ ...d, fields: [...d.fields] })) } : {}),
              diagnostics: runDiagnostics(r),
              startedAt: new Date(r.startedAt).toISOString(),
              finishedAt: new Date(r.finishedAt).toISOString(),
              durationMs: r.finishedAt - r.startedAt,
              ...(r.code ? { code: r.code } : {}),
              ...(r.error ? { error: r.error } : {}),
            }
          : null,
        lastSuccess: s.lastSuccess !== undefined ? new Date(s.lastSuccess).toISOString() : null,
      };
    }
    return out;
  }
}
