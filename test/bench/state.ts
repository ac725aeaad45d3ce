// 4. State backends: read + write of a 1,000-object ownership record (300 with password digests)
//    on the file backend, the authentik backend (sandbox over loopback HTTP) and the postgres
//    backend (a throwaway local cluster, when PostgreSQL is installed); the last two as ratios
//    against the file backend, measured in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient, undiciTransport } from '../../src/server/index.js';
import { emptyState, type OwnershipState, type StateStore } from '../../src/state/index.js';
import { FileStateStore } from '../../src/state/file.js';
import { AuthentikStateStore } from '../../src/state/authentik.js';
import { PostgresStateStore } from '../../src/state/postgres.js';
import { pgUnavailable, startPg } from '../state/pg-cluster.js';

type Report = (name: string, value: string, target: string, ok: boolean) => void;

const KEY = 'bench-state-key';

function bigState(): OwnershipState {
  const s = emptyState();
  for (let i = 0; i < 1000; i++) {
    const key = `people/team-${Math.floor(i / 50)}.yaml#authentik_core.user[username=user-${i}]`;
    s.objects[key] = {
      model: i % 3 ? 'authentik_core.group' : 'authentik_core.user',
      pk: `0c6b7a2e-${String(i).padStart(4, '0')}-4d1e-9f00-5a1b2c3d4e5f`,
      identifiers: { name: `object-${i}` },
      adopted: i % 10 === 0,
    };
    if (i % 10 < 3)
      s.secrets[key] = { password: { digest: `s1$${'ab'.repeat(32)}`, setAt: '2026-12-01T00:00:00.000Z', serverChangeDate: '2026-12-01T00:00:00.100Z' } };
  }
  return s;
}

/** Median ms of read + write (each write builds on the version just read), after one warm-up. */
async function readWrite(store: StateStore, state: OwnershipState, rounds = 5): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i <= rounds; i++) {
    const t = performance.now();
    const snap = await store.read();
    await store.write(state, snap.version);
    if (i > 0) ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

export async function stateBench(report: Report): Promise<void> {
  const state = bigState();
  console.log(`\n4. state backends: read + write of ${Object.keys(state.objects).length} objects (${JSON.stringify(state).length} bytes), median of 5`);
  const dir = mkdtempSync(join(tmpdir(), 'akbp-bench-state-'));
  try {
    const fileMs = await readWrite(new FileStateStore(join(dir, 'state.json'), { env: { AKBP_STATE_KEY: KEY } }), state);
    report('state file backend read+write (1,000 objects)', `${fileMs.toFixed(1)} ms`, 'measured', true);

    const registry = bundledRegistry('2026.5');
    const sandbox = await createSandbox({ registry, token: 'bench-token' });
    const http = await sandbox.listen();
    const client = createClient({ baseUrl: `${http.url}/api/v3`, token: 'bench-token', registry, transport: undiciTransport(`${http.url}/api/v3`, {}) });
    try {
      const akMs = await readWrite(new AuthentikStateStore({ client, workspace: 'bench', key: KEY }), state);
      report('state authentik backend vs file', `${(akMs / fileMs).toFixed(1)}× (${akMs.toFixed(1)} ms, loopback HTTP)`, 'measured', true);
    } finally {
      await client.close();
      await http.close();
    }

    const why = (() => {
      try {
        return pgUnavailable();
      } catch (e) {
        return (e as Error).message;
      }
    })();
    if (why) {
      console.log(`  postgres backend not measured: ${why}`);
      return;
    }
    const cluster = await startPg();
    const store = new PostgresStateStore({ url: cluster.url, workspace: 'bench', key: KEY });
    try {
      const pgMs = await readWrite(store, state);
      report('state postgres backend vs file', `${(pgMs / fileMs).toFixed(1)}× (${pgMs.toFixed(1)} ms, local cluster)`, 'measured', true);
    } finally {
      await store.close();
      await cluster.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
