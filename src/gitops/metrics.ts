// Counters and gauges per source, rendered as Prometheus text exposition; and the last run per
// source for /status. Source labels are redacted specs, never with credentials.
import type { Json } from '../model/index.js';
import type { RunRecord } from './types.js';
import { redactSource } from './source-ref.js';

interface SourceStats {
  runs: Map<string, number>;
  changes: number;
  failures: number;
  drift: number;
  lastSuccess?: number;
  last?: RunRecord;
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class Metrics {
  private readonly bySource = new Map<string, SourceStats>();

  constructor(sources: string[] = []) {
    for (const s of sources) this.stats(s);
  }

  private stats(source: string): SourceStats {
    const key = redactSource(source);
    let s = this.bySource.get(key);
    if (!s) this.bySource.set(key, (s = { runs: new Map(), changes: 0, failures: 0, drift: 0 }));
    return s;
  }

  record(run: RunRecord): void {
    const s = this.stats(run.source);
    s.runs.set(run.result, (s.runs.get(run.result) ?? 0) + 1);
    s.changes += run.applied;
    if (run.result === 'failed' || run.result === 'invalid') s.failures += 1;
    if (run.result !== 'skipped') s.drift = run.mode === 'apply' && run.result === 'succeeded' ? 0 : run.pending;
    if (run.result === 'succeeded') s.lastSuccess = run.finishedAt;
    if (run.result !== 'skipped' || !s.last) s.last = run;
  }

  render(): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string, rows: [string, string, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [src, extra, v] of rows) out.push(`${name}{source="${esc(src)}"${extra}} ${v}`);
    };
    const all = [...this.bySource.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    family('akbp_runs_total', 'counter', 'Reconcile runs by source and result.',
      all.flatMap(([src, s]) => [...s.runs.entries()].sort().map(([r, n]): [string, string, number] => [src, `,result="${esc(r)}"`, n])));
    family('akbp_changes_total', 'counter', 'Changes applied.', all.map(([src, s]) => [src, '', s.changes]));
    family('akbp_failures_total', 'counter', 'Runs that failed or found an invalid source.', all.map(([src, s]) => [src, '', s.failures]));
    family('akbp_drift', 'gauge', 'Create/update/delete changes the latest plan found pending.', all.map(([src, s]) => [src, '', s.drift]));
    family('akbp_last_success_timestamp_seconds', 'gauge', 'Unix time of the last successful run.',
      all.filter(([, s]) => s.lastSuccess !== undefined).map(([src, s]) => [src, '', Math.floor(s.lastSuccess! / 1000)]));
    return out.join('\n') + '\n';
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
              startedAt: new Date(r.startedAt).toISOString(),
              finishedAt: new Date(r.finishedAt).toISOString(),
              durationMs: r.finishedAt - r.startedAt,
              ...(r.error ? { error: r.error } : {}),
            }
          : null,
        lastSuccess: s.lastSuccess !== undefined ? new Date(s.lastSuccess).toISOString() : null,
      };
    }
    return out;
  }
}
