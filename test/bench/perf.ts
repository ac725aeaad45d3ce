// npm run bench (after run.ts): start-up and apply's use of --concurrency.
//   1. `akbp --help` and `akbp validate` of a one-entry file vs `node -e 0` (median wall time)  target ≤ 2.5×
//   2. apply of 1,000 creates at 30 ms per request and concurrency 16 vs the round-trip floor
//      Σ over waves ⌈writes in the wave / concurrency⌉ × 30 ms                                    target ≤ 1.2×
//      and the same with the file state backend's journal, as `akbp apply` runs it            (for the record)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { corpus } from './corpus.js';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { loadBlueprint } from '../../src/load/index.js';
import { compileBlueprints } from '../../src/compile/index.js';
import { startThreadSandbox, threadCpuMs } from './sandbox-thread.js';
import { createClient, undiciTransport } from '../../src/server/index.js';
import { observe } from '../../src/observe/index.js';
import { plan } from '../../src/plan/index.js';
import { apply } from '../../src/apply/index.js';
import { emptyState, makeSecretDigest, StateJournal } from '../../src/state/index.js';
import { FileStateStore } from '../../src/state/file.js';
import type { OwnershipState, ParsedBlueprint } from '../../src/model/index.js';

export type Report = (name: string, value: string, target: string, ok: boolean) => void;

const registry = bundledRegistry('2026.5');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function wall(args: string[], rounds: number): number {
  const ts: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    ts.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  }
  return median(ts);
}

/** `akbp` as users run it: compiled JavaScript, bin → main (the bench build, `.bench/akbp.mjs`). */
export function startupBench(report: Report): void {
  const launcher = fileURLToPath(new URL('../../akbp.mjs', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'akbp-startup-bench-'));
  try {
    const one = join(dir, 'one.yaml');
    writeFileSync(one, 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: one}\n');
    wall([launcher, '--help'], 2); // warm the file cache
    const node = wall(['-e', '0'], 9);
    const help = wall([launcher, '--help'], 9);
    const validate = wall([launcher, 'validate', one], 9);
    console.log(`  node -e 0 ${node.toFixed(0)} ms, akbp --help ${help.toFixed(0)} ms, akbp validate (1 entry) ${validate.toFixed(0)} ms (medians of 9)`);
    report('akbp --help / node -e 0', `${(help / node).toFixed(2)}×`, '≤ 2.5×', help / node <= 2.5);
    report('akbp validate of one entry / node -e 0', `${(validate / node).toFixed(2)}×`, '≤ 2.5×', validate / node <= 2.5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Apply's wall time is about ⌈writes in a wave / concurrency⌉ round trips per wave. */
export async function concurrencyBench(report: Report, latencyMs = 30, concurrency = 16, journaled = false): Promise<void> {
  const bps: ParsedBlueprint[] = [];
  for (const f of corpus(50)) {
    const r = loadBlueprint(f);
    if (r.blueprint) bps.push(r.blueprint);
  }
  const entries = compileBlueprints(bps, { registry, env: {} }).entries;
  const token = 'bench-token';
  const server = await startThreadSandbox({ version: registry.authentikVersion, token, latencyMs });
  const client = createClient({ baseUrl: server.url, token, registry, transport: undiciTransport(server.url, { connections: concurrency }), concurrency });
  const digest = makeSecretDigest('bench');
  try {
    const obs = await observe(entries, client, registry, { concurrency });
    const p = plan({
      entries,
      dropped: [],
      snapshot: obs.snapshot,
      registry,
      state: emptyState(),
      now: new Date(),
      source: { uris: ['bench/'], digest: 'sha256:bench' },
      server: { url: server.url, version: registry.authentikVersion },
      options: { secretDigest: digest },
    });
    const perWave = new Map<number, number>();
    for (const c of p.changes) if (c.action !== 'noop') perWave.set(c.wave, (perWave.get(c.wave) ?? 0) + 1);
    const floor = [...perWave.values()].reduce((s, w) => s + Math.ceil(w / concurrency), 0) * latencyMs;
    // As `akbp apply` runs with the default (file) state backend: the apply lock held, every
    // landed write journaled before its worker sends the next.
    const journal = journaled ? await fileJournal() : undefined;
    await server.takeCounts();
    const sandbox0 = await server.cpuMs();
    const load0 = loadavg()[0]!;
    const main0 = threadCpuMs();
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    const applied = await apply(p, client, {
      registry,
      entries,
      state: emptyState(),
      secretDigest: digest,
      now: () => new Date(),
      concurrency,
      ...(journal ? { journal: (s: OwnershipState) => journal.journal.record(s) } : {}),
    });
    const ms = performance.now() - t;
    await journal?.done();
    const cpu = process.cpuUsage(cpu0);
    const akbpMs = threadCpuMs() - main0;
    const sandboxMs = (await server.cpuMs()) - sandbox0;
    const counts = await server.takeCounts();
    const writes = Object.entries(counts).reduce((s, [m, n]) => s + (m === 'GET' ? 0 : n), 0);
    // The CPU of one write holds up the other requests in flight: with c in flight, each round trip
    // stretches by about c × that CPU. The sandbox answers from its own thread (authentik is another
    // process), but both threads share this machine's cores, so the figure is akbp's plus the sandbox's.
    const cpuPerWrite = (cpu.user + cpu.system) / 1000 / Math.max(1, writes);
    console.log(
      `  ${writes} writes in ${perWave.size} waves (${[...perWave.values()].join(', ')}); floor ${floor} ms at ${latencyMs} ms per request, concurrency ${concurrency}; ` +
        `CPU ${cpuPerWrite.toFixed(2)} ms per write (akbp + sandbox), ${concurrency} in flight = ${((concurrency * cpuPerWrite) / latencyMs).toFixed(2)} of the latency`,
    );
    // By thread: akbp's event loop, the sandbox's; the rest is GC and libuv helper threads.
    const per = (x: number) => (x / Math.max(1, writes)).toFixed(2);
    console.log(
      `  CPU per write by thread: akbp ${per(akbpMs)} ms, sandbox ${per(sandboxMs)} ms, other ${per((cpu.user + cpu.system) / 1000 - akbpMs - sandboxMs)} ms; ` +
        `load average ${load0.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`,
    );
    if (journal) {
      console.log(
        `  with the file state backend's journal (${journal.journal.writes} record writes): ${applied.result.phase}, ${(ms / 1000).toFixed(2)} s = ${(ms / floor).toFixed(2)}× the floor (no target)`,
      );
      return;
    }
    report(
      `apply of ${p.summary.create} creates at ${latencyMs} ms, --concurrency ${concurrency} / round-trip floor`,
      `${applied.result.phase}, ${(ms / 1000).toFixed(2)} s = ${(ms / floor).toFixed(2)}×`,
      '≤ 1.2×',
      applied.result.phase === 'succeeded' && ms / floor <= 1.2,
    );
  } finally {
    await client.close();
    await server.close();
  }
}

async function fileJournal(): Promise<{ journal: StateJournal; done(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-apply-journal-bench-'));
  const store = new FileStateStore(join(dir, 'state.json'), { env: {} });
  const got = await store.lock({ purpose: 'bench apply' });
  if (!got.ok) throw new Error(`bench: state lock ${got.reason}`);
  return {
    journal: new StateJournal(store, 0),
    done: async () => {
      await got.lock.release();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const results: boolean[] = [];
const collect: Report = (name, value, target, ok) => {
  results.push(ok);
  console.log(`${ok ? 'ok  ' : 'MISS'} ${name}: ${value} (target ${target})`);
};

// --apply-concurrency [--apply-runs N]: only the apply part, N times (npm run bench -- --apply-concurrency).
const only = process.argv.includes('--apply-concurrency');
const r = process.argv.indexOf('--apply-runs');
const runs = only && r >= 0 ? Math.max(1, Number(process.argv[r + 1]) || 1) : 1;
if (!only) startupBench(collect);
for (let n = 0; n < runs; n++) await concurrencyBench(collect);
await concurrencyBench(collect, 30, 16, true);
const missed = results.filter((r) => !r).length;
console.log(`\n${results.length - missed} of ${results.length} start-up and concurrency targets met.`);
