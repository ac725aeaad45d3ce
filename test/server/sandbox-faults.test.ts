// Retries against the sandbox's injected faults over real HTTP: nothing is created twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { type FaultKind, type FaultPhase, createSandbox } from '../../src/sandbox/index.js';
import { FaultInjector } from '../../src/sandbox/faults.js';
import { type LogLine, createClient } from '../../src/server/index.js';

const TOKEN = 'sbx-canary-faults-0c9d1e';
const registry = bundledRegistry('2023.6');

/** A seed whose first request faults and the next `clean` do not (the sandbox draws faults per request from the seed). */
function seedFor(faultRate: number, clean: number): number {
  for (let seed = 1; seed < 100_000; seed++) {
    const inj = new FaultInjector({ seed, faultRate, faults: ['reset'], phase: 'after', latencyMs: 0, jitterMs: 0 });
    if (!inj.next()) continue;
    let ok = true;
    for (let i = 0; i < clean && ok; i++) ok = inj.next() === undefined;
    if (ok) return seed;
  }
  throw new Error('no seed found');
}

async function world(opts: { faultRate: number; faults: FaultKind[]; faultPhase: FaultPhase | Partial<Record<FaultKind, FaultPhase>>; seed: number }) {
  const sb = await createSandbox({ registry, token: TOKEN, ...opts });
  const http = await sb.listen('127.0.0.1', 0);
  const logs: LogLine[] = [];
  const c = createClient({ baseUrl: http.url, token: TOKEN, registry, retries: 8, sleep: async () => {}, log: (l) => void logs.push(l) });
  return { sb, http, c, logs };
}

test('POST reset after the write: the object is found, not created again — exactly one exists', async () => {
  const { sb, http, c } = await world({ faultRate: 0.5, faults: ['reset'], faultPhase: 'after', seed: seedFor(0.5, 4) });
  try {
    const u = await c.create('authentik_core.user', { username: 'ruth', name: 'Ruth' });
    assert.equal(u.body.username, 'ruth');
    assert.deepEqual(
      sb.requestLog.map((r) => `${r.method} ${r.status}`),
      ['POST 0', 'GET 200'],
    );
    const inspector = createClient({ baseUrl: 'http://sandbox.invalid', token: TOKEN, registry, transport: sb.transport(), sleep: async () => {}, retries: 8 });
    assert.equal((await inspector.list('authentik_core.user', { filters: { username: 'ruth' } })).length, 1);
    await inspector.close();
  } finally {
    await c.close();
    await http.close();
  }
});

test('POST reset before the write: not found, so sent once more — exactly one exists', async () => {
  const { sb, http, c } = await world({ faultRate: 0.5, faults: ['reset'], faultPhase: 'before', seed: seedFor(0.5, 4) });
  try {
    await c.create('authentik_core.user', { username: 'sam', name: 'Sam' });
    assert.deepEqual(
      sb.requestLog.map((r) => `${r.method} ${r.status}`),
      ['POST 0', 'GET 200', 'POST 201'],
    );
  } finally {
    await c.close();
    await http.close();
  }
});

test('25% faults (reset, 502/503/504 after the write, 429 before it): creates, patches, deletes all land once', async () => {
  const { sb, http, c, logs } = await world({
    faultRate: 0.25,
    faults: ['reset', '502', '503', '504', '429'],
    faultPhase: { reset: 'after', '502': 'after', '503': 'after', '504': 'after', '429': 'before' },
    seed: 20261127,
  });
  try {
    const names = Array.from({ length: 60 }, (_, i) => `st${String(i).padStart(2, '0')}`);
    const made = await Promise.all(names.map((n) => c.create('authentik_core.user', { username: n, name: n.toUpperCase() })));
    assert.deepEqual(
      made.map((m) => m.body.username),
      names,
    );
    await Promise.all(made.map((m) => c.patch('authentik_core.user', m.pk, { name: `patched ${m.body.username}` })));
    await Promise.all(made.filter((_, i) => i % 2 === 0).map((m) => c.delete('authentik_core.user', m.pk)));

    const faulted = sb.requestLog.filter((r) => r.status === 0 || r.status >= 429).length;
    assert.ok(faulted >= 20, `only ${faulted} faults were injected`);
    const live = (await c.list('authentik_core.user')).filter((o) => String(o.body.username).startsWith('st'));
    const usernames = live.map((o) => String(o.body.username)).sort();
    assert.deepEqual(
      usernames,
      names.filter((_, i) => i % 2 === 1),
      'each surviving user exactly once',
    );
    assert.ok(live.every((o) => o.body.name === `patched ${o.body.username}`));
    assert.ok(!JSON.stringify(logs).includes(TOKEN));
    console.log(`# faults: ${faulted} injected over ${sb.requestLog.length} requests; client made ${c.requestCount()}`);
  } finally {
    await c.close();
    await http.close();
  }
});
