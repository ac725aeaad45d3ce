// Export of a 1,000-object server (the bench corpus applied to a sandbox) with 10 ms latency:
// requests against the floor (Σ pages per model read), wall time (median of 3), and that the
// export plans back to zero changes against the server it came from.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { corpus } from './corpus.js';
import type { Report } from './watch.js';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient, undiciTransport } from '../../src/server/index.js';
import { reconcileOnce } from '../../src/pipeline/index.js';
import { exportServer } from '../../src/export/index.js';
import type { SourceFile } from '../../src/model/index.js';

export async function exportBench(report: Report): Promise<void> {
  const registry = bundledRegistry('2026.5');
  const token = 'bench-export-token';
  const dir = mkdtempSync(join(tmpdir(), 'akbp-export-bench-'));
  const statePath = join(dir, 'sandbox.json');
  try {
    // Fill the server without latency, then reopen its state behind 10 ms per request.
    const filling = await createSandbox({ registry, token, statePath });
    const fillClient = createClient({ baseUrl: 'http://sandbox.invalid/api/v3', token, registry, transport: filling.transport() });
    const files = corpus(50);
    const filled = await reconcileOnce(
      { sources: ['bench/'], mode: 'apply' },
      {
        readSources: async () => ({ files, library: [] as SourceFile[], origins: [files[0]!.origin], diagnostics: [] }),
        registry,
        client: fillClient,
        env: {},
        now: () => new Date(),
      },
    );
    await fillClient.close();
    if (!filled.ok)
      throw new Error(
        `filling the export bench server failed: ${filled.diagnostics
          .map((d) => d.summary)
          .slice(0, 3)
          .join('; ')}`,
      );

    const sandbox = await createSandbox({ registry, token, statePath, latencyMs: 10 });
    const server = await sandbox.listen('127.0.0.1', 0);
    const client = createClient({ baseUrl: server.url, token, registry, transport: undiciTransport(server.url, {}), concurrency: 10 });
    try {
      const times: number[] = [];
      let out = await exportServer(client, registry, { concurrency: 10 });
      for (let i = 0; i < 3; i++) {
        sandbox.clearLog();
        const t = performance.now();
        out = await exportServer(client, registry, { concurrency: 10 });
        times.push(performance.now() - t);
      }
      const requests = sandbox.requestLog.length;
      const ms = [...times].sort((a, b) => a - b)[1]!;
      console.log(`  export: ${out.counts.objects} objects of ${out.counts.models} models read, ${out.counts.exported} declared in ${out.files.length} files`);
      report(
        'export requests / floor (Σ pages per model)',
        `${requests} / ${out.floor} = ${(requests / out.floor).toFixed(2)}×`,
        '≤ 1.1×',
        requests <= 1.1 * out.floor,
      );
      report('export of a 1,000-object server, 10 ms latency', `${(ms / 1000).toFixed(2)} s (median of 3)`, '≤ 2 s', ms <= 2000 && out.counts.objects >= 1000);

      const origin = { kind: 'file' as const, uri: 'exported/', root: join(dir, 'exported'), local: true };
      const exported: SourceFile[] = out.files.map((f) => ({ uri: `exported/${f.path}`, path: f.path, bytes: new TextEncoder().encode(f.text), origin }));
      const planned = await reconcileOnce(
        { sources: ['exported/'], mode: 'plan' },
        {
          readSources: async () => ({ files: exported, library: [], origins: [origin], diagnostics: [] }),
          registry,
          client,
          env: {},
          now: () => new Date(),
        },
      );
      const changes = planned.plan ? planned.plan.summary.create + planned.plan.summary.update + planned.plan.summary.delete : -1;
      report(
        'changes in a plan of the export against its server',
        planned.plan ? String(changes) : `no plan: ${planned.diagnostics[0]?.summary ?? ''}`,
        '0',
        changes === 0,
      );
    } finally {
      await client.close();
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
