// The postgres backend against a real PostgreSQL: compare-and-swap between concurrent writers,
// the advisory apply lock, the schema created on first use and `akbp state migrate`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { emptyState, StateError, type OwnershipState } from '../../src/state/index.js';
import { PostgresStateStore } from '../../src/state/postgres.js';
import { runCli } from '../helpers/cli.js';
import { pgUnavailable, startPg, type PgCluster } from './pg-cluster.js';

const skip = pgUnavailable();
let cluster: PgCluster | undefined;
before(async () => {
  if (!skip) cluster = await startPg();
});
after(async () => {
  await cluster?.stop();
});

const KEY = 'CANARY-pg-state-key-1f2e3d4c5b6a';
const store = (workspace = 'ws') => new PostgresStateStore({ url: cluster!.url, workspace, key: KEY });
const withObject = (s: OwnershipState, key: string, pk: number): OwnershipState => {
  const out = structuredClone(s);
  out.objects[key] = { model: 'authentik_core.group', pk, identifiers: { name: key }, adopted: false };
  return out;
};

test('postgres: the schema is created on first use; a record reads back; versions count writes', { skip }, async () => {
  const s = store('first-use');
  try {
    assert.deepEqual(await s.read(), { state: emptyState(), version: 0 });
    const v1 = await s.write(withObject(emptyState(), 'a.yaml#g', 1), 0);
    assert.equal(v1, 1);
    assert.deepEqual(Object.keys((await s.read()).state.objects), ['a.yaml#g']);
    assert.equal(await s.write(withObject((await s.read()).state, 'a.yaml#h', 2), 1), 2);
    assert.deepEqual(await s.workspaces(), ['first-use']);
  } finally {
    await s.close();
  }
});

test('postgres: two concurrent writers of one version — one wins, the other gets AKB9203, nothing lost', { skip }, async () => {
  const seed = store('cas');
  await seed.write(withObject(emptyState(), 'base#0', 0), 0);
  await seed.close();
  for (let round = 0; round < 5; round++) {
    const writers = [store('cas'), store('cas')];
    try {
      const snaps = await Promise.all(writers.map((w) => w.read()));
      assert.equal(snaps[0]!.version, snaps[1]!.version);
      const results = await Promise.allSettled(writers.map((w, i) => w.write(withObject(snaps[i]!.state, `r${round}#${i}`, i), snaps[i]!.version)));
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1, `round ${round}: exactly one writer wins`);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.ok(lost.reason instanceof StateError && lost.reason.code === 'AKB9203', String(lost.reason));
      const winner = results.indexOf(won[0]!);
      const now = await writers[0]!.read();
      assert.ok(now.state.objects[`r${round}#${winner}`], "the winner's write is there");
      assert.ok(now.state.objects['base#0'], 'earlier entries kept');
      // The loser re-reads and retries: its change lands on top, nothing lost.
      const loser = 1 - winner;
      await writers[loser]!.write(withObject(now.state, `r${round}#${loser}`, loser), now.version);
      const final = await writers[0]!.read();
      assert.ok(final.state.objects[`r${round}#0`] && final.state.objects[`r${round}#1`]);
    } finally {
      await Promise.all(writers.map((w) => w.close()));
    }
  }
});

test('postgres: the apply lock is an advisory lock — a second holder waits or is told who holds it; a dead session frees it', { skip }, async () => {
  const a = store('locks');
  const b = store('locks');
  try {
    const held = await a.lock({ purpose: 'apply test' });
    assert.ok(held.ok);
    const busy = await b.lock({ onBusy: 'skip' });
    assert.equal(busy.ok, false);
    if (!busy.ok) {
      assert.equal(busy.reason, 'busy');
      assert.equal(busy.holder?.pid, process.pid);
      assert.equal(busy.holder?.purpose, 'apply test');
    }
    const timed = await b.lock({ onBusy: 'wait', timeoutMs: 300, pollMs: 50 });
    assert.equal(timed.ok, false);
    // Kill the holder's session from the server side: the lock goes with it.
    const admin = new pg.Client({ connectionString: cluster!.url });
    await admin.connect();
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'akbp %apply test'");
    await admin.end();
    const got = await b.lock({ onBusy: 'wait', timeoutMs: 5000, pollMs: 50 });
    assert.ok(got.ok, "taken over once the holder's session is gone");
    if (got.ok) await got.lock.release();
    if (held.ok) await held.lock.release();
  } finally {
    await a.close();
    await b.close();
  }
});

test('postgres: a newer schema is refused; `akbp state migrate` reports the schema; the URL password never appears', { skip }, async () => {
  const url = cluster!.url;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const env = { PATH: process.env.PATH, AKBP_STATE_KEY: KEY };
    const first = await runCli(['state', 'migrate', '--state', url, '--format', 'json'], { env });
    assert.equal(first.code, 0, first.stderr);
    // A schema written by a newer akbp is refused, never half-used.
    await admin.query('UPDATE akbp_schema SET version = 99');
    const newer = await runCli(['state', 'list', '--state', url, '--workspace', 'x'], { env });
    assert.equal(newer.code, 1);
    assert.match(newer.stderr, /AKB9202: .*schema version 99 is newer/);
    await admin.query('UPDATE akbp_schema SET version = 1');
    const migrated = await runCli(['state', 'migrate', '--state', url, '--format', 'json'], { env });
    assert.deepEqual(JSON.parse(migrated.stdout), { backend: 'postgres', from: 1, to: 1 });
    const bad = await runCli(['state', 'list', '--state', url.replace('akbp@', 'akbp:CANARY-db-pw@').replace(/:\d+\//, ':1/'), '--workspace', 'x'], { env });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /AKB9206/);
    assert.ok(!bad.stderr.includes('CANARY-db-pw'), bad.stderr);
  } finally {
    await admin.end();
  }
});
