// A hostile blueprint compiled by the daemon: compile runs in a worker thread, so /healthz keeps
// answering while it runs, and a worker that exhausts its memory fails that source only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { startDaemon } from '../../src/gitops/daemon.js';
import { compileInWorker, type CompileWorkerOptions } from '../../src/gitops/compile-worker.js';
import { memoryLogger } from '../../src/gitops/log.js';
import type { RunRecord } from '../../src/gitops/types.js';
import { reconcileOnce, type ReconcileDeps } from '../../src/pipeline/index.js';

function doubling(levels: number): string {
  const lines = ['version: 1', 'context:', "  c0: 'abcdefgh'"];
  for (let i = 1; i <= levels; i++) lines.push(`  c${i}: [!Context c${i - 1}, !Context c${i - 1}]`);
  lines.push('entries:', '  - model: authentik_core.group', '    identifiers: {name: g}', `    attrs: {attributes: {v: !Context c${levels}}}`);
  return `${lines.join('\n')}\n`;
}

function depsFor(file: string, worker: CompileWorkerOptions): ReconcileDeps {
  const registry = bundledRegistry('2026.5');
  return {
    registry,
    env: {},
    now: () => new Date(),
    compile: compileInWorker(worker),
    readSources: async () => ({
      files: [
        {
          uri: file,
          path: 'hostile.yaml',
          bytes: new Uint8Array(readFileSync(file)),
          origin: { kind: 'file', uri: file, local: true, root: join(file, '..') },
        },
      ],
      origins: [],
      diagnostics: [],
    }),
  };
}

async function runWhilePolling(worker: CompileWorkerOptions, text: string): Promise<{ record: RunRecord; worstMs: number; answered: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-hostile-'));
  const file = join(dir, 'hostile.yaml');
  writeFileSync(file, text);
  const deps = depsFor(file, worker);
  const records: RunRecord[] = [];
  const d = await startDaemon({
    sources: [file],
    port: 0,
    mode: 'plan',
    reconcile: (s) => reconcileOnce(s, deps),
    logger: memoryLogger(),
    onRecord: (r) => records.push(r),
  });
  try {
    void d.queue.enqueue({ kind: 'startup', source: file, at: Date.now() });
    let worstMs = 0;
    let answered = 0;
    const deadline = Date.now() + 60_000;
    while (records.length === 0 && Date.now() < deadline) {
      const t0 = Date.now();
      const res = await fetch(`${d.url}/healthz`, { signal: AbortSignal.timeout(5000) });
      assert.equal(res.status, 200);
      await res.text();
      answered++;
      worstMs = Math.max(worstMs, Date.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(records.length, 1, 'the run finished');
    return { record: records[0]!, worstMs, answered };
  } finally {
    await d.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('/healthz keeps answering while the daemon compiles a doubling context, and the source reports AKB3080', async () => {
  const { record, worstMs, answered } = await runWhilePolling({}, doubling(23));
  assert.equal(record.result, 'invalid');
  const codes = record.outcome!.diagnostics.map((d) => d.code);
  assert.deepEqual(codes, ['AKB3080']);
  // In the event loop the compile held /healthz for its whole duration (the daemon once died
  // after 5 s of silence); in a worker it answers throughout, even on a loaded machine.
  assert.ok(answered >= 3, `healthz answered ${answered} time(s) during the run`);
  assert.ok(worstMs < 5000, `worst /healthz latency ${worstMs} ms`);
});

test('a compile that exhausts its worker heap fails its source with AKB3081 and the daemon lives on', async () => {
  // Limits raised out of the way, so only the worker's heap stops it.
  const { record } = await runWhilePolling({ maxMemoryMb: 48, limits: { maxNodes: 1e12, maxOutput: 1e15 } }, doubling(26));
  assert.equal(record.result, 'invalid');
  const d = record.outcome!.diagnostics;
  assert.deepEqual(
    d.map((x) => x.code),
    ['AKB3081'],
  );
  assert.match(d[0]!.summary, /memory/);
  assert.ok(d[0]!.subject, 'the diagnostic names the file');
});
