// The daemon's last applied revision goes through the StateStore port, so every backend keeps it:
// the file, the authentik server (a signed blueprint instance, on the sandbox) and PostgreSQL (a
// real cluster when its binaries are installed). A fresh store object stands for a restarted
// process; an apply's own state write (objects changed) must not lose it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { appliedRevisions } from '../../src/state/applied.js';
import { AuthentikStateStore } from '../../src/state/authentik.js';
import { FileStateStore } from '../../src/state/file.js';
import { PostgresStateStore } from '../../src/state/postgres.js';
import type { StateStore } from '../../src/state/index.js';
import { pgUnavailable, startPg, type PgCluster } from '../state/pg-cluster.js';

const KEY = 'CANARY-applied-revision-key-5e6f7a8b';
const TOKEN = 'akbp-applied-token-1f2e3d4c5b6a';
const SOURCE = 'git::https://git.example.com/iam.git//blueprints?ref=main';
const skipPg = pgUnavailable();
let cluster: PgCluster | undefined;
before(async () => {
  if (!skipPg) cluster = await startPg();
});
after(async () => {
  await cluster?.stop();
});

async function roundTrip(open: () => StateStore): Promise<void> {
  const first = open();
  const at = new Date('2026-12-03T10:00:00.000Z');
  await appliedRevisions(first).save(SOURCE, 'a'.repeat(40), at);
  // An apply writes its own record afterwards, from what it read: the revision stays.
  const snap = await first.read();
  snap.state.objects['groups.yaml#0'] = { model: 'authentik_core.group', pk: 1, identifiers: { name: 'x' }, adopted: false };
  await first.write(snap.state, snap.version);
  await first.close();

  const restarted = open();
  assert.deepEqual(await appliedRevisions(restarted).load(SOURCE), { revision: 'a'.repeat(40), at: at.toISOString() });
  assert.equal(await appliedRevisions(restarted).load('another-source'), undefined);
  await appliedRevisions(restarted).save(SOURCE, 'b'.repeat(40), new Date('2026-12-03T11:00:00.000Z'));
  assert.equal((await appliedRevisions(restarted).load(SOURCE))?.revision, 'b'.repeat(40));
  assert.equal(Object.keys((await restarted.read()).state.objects).length, 1, 'the objects are untouched');
  await restarted.close();
}

test('file backend keeps the last applied revision across store instances', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-applied-'));
  try {
    await roundTrip(() => new FileStateStore(join(dir, 'state.json'), { env: { AKBP_STATE_KEY: KEY } }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('authentik backend keeps the last applied revision in its signed record', async () => {
  const registry = bundledRegistry('2026.5');
  const sandbox = await createSandbox({ registry, token: TOKEN });
  await roundTrip(
    () =>
      new AuthentikStateStore({
        client: createClient({ baseUrl: 'http://sandbox.invalid/api/v3', token: TOKEN, registry, transport: sandbox.transport() }),
        workspace: 'prod',
        key: KEY,
      }),
  );
});

test('postgres backend keeps the last applied revision', { skip: skipPg }, async () => {
  await roundTrip(() => new PostgresStateStore({ url: cluster!.url, workspace: 'applied', key: KEY }));
});

test('two writers saving at once: both revisions land, neither write is lost', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-applied-race-'));
  try {
    const open = () => new FileStateStore(join(dir, 'state.json'), { env: { AKBP_STATE_KEY: KEY } });
    const at = new Date('2026-12-03T10:00:00.000Z');
    await Promise.all([appliedRevisions(open()).save('one', '1'.repeat(40), at), appliedRevisions(open()).save('two', '2'.repeat(40), at)]);
    const store = open();
    assert.equal((await appliedRevisions(store).load('one'))?.revision, '1'.repeat(40));
    assert.equal((await appliedRevisions(store).load('two'))?.revision, '2'.repeat(40));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
