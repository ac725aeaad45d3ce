// A hostile blueprint compiled by the daemon: compile runs in a worker thread, so /healthz keeps
// answering while it runs, and a worker that exhausts its memory fails that source only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { startDaemon } from '../../src/gitops/daemon.js';
import { compileInWorker, type CompileWorkerOptions } from '../../src/gitops/compile-worker.js';
import { memoryLogger } from '../../src/gitops/log.js';
import type { RunRecord } from '../../src/gitops/types.js';
import { reconcileOnce, type ReconcileDeps } from '../../src/pipeline/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';

function doubling(levels: number): string {
  const lines = ['version: 1', 'context:', "  c0: 'abcdefgh'"];
  for (let i = 1; i <= levels; i++) lines.push(`  c${i}: [!Context c${i - 1}, !Context c${i - 1}]`);
  lines.push('entries:', '  - model: authentik_core.group', '    identifiers: {name: g}', `    attrs: {attributes: {v: !Context c${levels}}}`);
  return `${lines.join('\n')}\n`;
}

async function depsFor(files: string[], worker: CompileWorkerOptions): Promise<ReconcileDeps> {
  const registry = bundledRegistry('2026.5');
  const token = 'eval-daemon-token';
  const sandbox = await createSandbox({ registry, token });
  return {
    registry,
    client: createClient({ baseUrl: 'http://sandbox.invalid/api/v3', token, registry, transport: sandbox.transport() }),
    env: {},
    now: () => new Date(),
    compile: compileInWorker(worker),
    readSources: async () => ({
      files: files.map((file) => ({
        uri: file,
        path: basename(file),
        bytes: new Uint8Array(readFileSync(file)),
        origin: { kind: 'file', uri: file, local: true, root: join(file, '..') },
      })),
      origins: [],
      diagnostics: [],
    }),
  };
}

async function runWhilePolling(
  worker: CompileWorkerOptions,
  text: string,
  others: { [name: string]: string } = {},
  mode: 'plan' | 'apply' = 'plan',
): Promise<{ record: RunRecord; worstMs: number; answered: number; deps: ReconcileDeps }> {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-hostile-'));
  const file = join(dir, 'hostile.yaml');
  writeFileSync(file, text);
  for (const [name, t] of Object.entries(others)) writeFileSync(join(dir, name), t);
  const deps = await depsFor([file, ...Object.keys(others).map((n) => join(dir, n))], worker);
  const records: RunRecord[] = [];
  const d = await startDaemon({
    sources: [file],
    port: 0,
    mode,
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
    return { record: records[0]!, worstMs, answered, deps };
  } finally {
    await d.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('/healthz keeps answering while the daemon compiles a doubling context, and the source reports AKB3080', async () => {
  const { record, worstMs, answered } = await runWhilePolling({}, doubling(23));
  assert.equal(record.result, 'invalid');
  const errors = record.outcome!.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
  assert.deepEqual(errors, ['AKB3080']);
  assert.deepEqual(
    record.outcome!.blocked?.map((b) => b.path),
    ['hostile.yaml'],
    'the file is left out of the run',
  );
  // In the event loop the compile held /healthz for its whole duration (the daemon once died
  // after 5 s of silence); in a worker it answers throughout, even on a loaded machine.
  assert.ok(answered >= 3, `healthz answered ${answered} time(s) during the run`);
  assert.ok(worstMs < 5000, `worst /healthz latency ${worstMs} ms`);
});

test('a compile that exhausts its worker heap fails its source with AKB3081 and the daemon lives on', async () => {
  // Limits raised out of the way, so only the worker's heap stops it.
  const { record } = await runWhilePolling({ maxMemoryMb: 48, limits: { maxNodes: 1e12, maxOutput: 1e15 } }, doubling(26));
  assert.equal(record.result, 'invalid');
  const d = record.outcome!.diagnostics.filter((x) => x.severity === 'error');
  assert.deepEqual(
    d.map((x) => x.code),
    ['AKB3081'],
  );
  assert.match(d[0]!.summary, /^compile of hostile\.yaml ran out of memory/);
  assert.match(d[0]!.subject?.uri ?? '', /hostile\.yaml$/, 'the diagnostic names the file');
});

test('a worker that dies in one file blocks that file and its dependents; the daemon applies the other files', async () => {
  const group = (name: string) => `  - model: authentik_core.group\n    identifiers: {name: ${name}}\n`;
  const { record, deps } = await runWhilePolling(
    { maxMemoryMb: 48, limits: { maxNodes: 1e12, maxOutput: 1e15 } },
    doubling(26),
    {
      'good.yaml': `version: 1\nentries:\n${group('worker-good')}`,
      'needs-hostile.yaml': `version: 1\nentries:\n  - model: authentik_blueprints.metaapplyblueprint\n    attrs:\n      identifiers: {path: hostile.yaml}\n${group('worker-dependent')}`,
    },
    'apply',
  );
  assert.equal(record.result, 'invalid', 'blocked files make the run fail');
  const errors = record.outcome!.diagnostics.filter((x) => x.severity === 'error');
  assert.deepEqual(errors.map((x) => x.code).sort(), ['AKB3081', 'AKB3090']);
  assert.deepEqual(
    record.outcome!.blocked?.map((b) => [b.path, b.cause.code]),
    [
      ['hostile.yaml', 'AKB3081'],
      ['needs-hostile.yaml', 'AKB3090'],
    ],
  );
  const names = (await deps.client!.list('authentik_core.group')).map((g) => String(g.body.name));
  assert.ok(names.includes('worker-good'), names.join(', '));
  assert.ok(!names.includes('g') && !names.includes('worker-dependent'), names.join(', '));
});
