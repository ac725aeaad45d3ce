// The authentik backend against the sandbox: compare-and-swap between concurrent writers, a
// record edited on the server is refused, the apply lock, workspaces side by side, and the
// `akbp state` commands on it and on the file backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { emptyState, StateError, type OwnershipState } from '../../src/state/index.js';
import { AuthentikStateStore } from '../../src/state/authentik.js';
import { runCli } from '../helpers/cli.js';

const TOKEN = 'akbp-state-test-token-77aa88bb99cc';
const KEY = 'CANARY-authentik-state-key-0a9b8c7d';

async function server(version: '2023.6' | '2026.5' = '2026.5') {
  const registry = bundledRegistry(version);
  const sandbox = await createSandbox({ registry, token: TOKEN });
  const client = () => createClient({ baseUrl: 'http://sandbox.invalid/api/v3', token: TOKEN, registry, transport: sandbox.transport() });
  return { sandbox, client };
}

const withObject = (s: OwnershipState, key: string, pk: number): OwnershipState => {
  const out = structuredClone(s);
  out.objects[key] = { model: 'authentik_core.group', pk, identifiers: { name: key }, adopted: false };
  return out;
};

for (const version of ['2023.6', '2026.5'] as const) {
  test(`authentik ${version}: two concurrent writers of one version — one wins, the loser gets AKB9203, nothing lost`, async () => {
    const { client } = await server(version);
    const a = new AuthentikStateStore({ client: client(), workspace: 'prod', key: KEY });
    const b = new AuthentikStateStore({ client: client(), workspace: 'prod', key: KEY });
    await a.write(withObject(emptyState(), 'base#0', 0), 0);
    for (let round = 0; round < 3; round++) {
      const [sa, sb] = await Promise.all([a.read(), b.read()]);
      const results = await Promise.allSettled([
        a.write(withObject(sa.state, `r${round}#a`, 1), sa.version),
        b.write(withObject(sb.state, `r${round}#b`, 2), sb.version),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}`);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.ok(lost.reason instanceof StateError && lost.reason.code === 'AKB9203', String(lost.reason));
      const now = await a.read();
      const winner = results[0]!.status === 'fulfilled' ? 'a' : 'b';
      assert.ok(now.state.objects[`r${round}#${winner}`] && now.state.objects['base#0']);
      const loser = winner === 'a' ? b : a;
      await loser.write(withObject(now.state, `r${round}#${winner === 'a' ? 'b' : 'a'}`, 3), now.version);
      const final = await a.read();
      assert.ok(final.state.objects[`r${round}#a`] && final.state.objects[`r${round}#b`], 'the loser re-read and retried: nothing lost');
    }
  });
}

test('authentik: a record edited on the server, or read with another key, is refused (AKB9211); AKBP_STATE_KEY is required', async () => {
  const { client } = await server();
  const store = new AuthentikStateStore({ client: client(), workspace: 'ws', key: KEY });
  await store.write(withObject(emptyState(), 'a#1', 1), 0);
  const c = client();
  const [inst] = (await c.list('authentik_blueprints.blueprintinstance')).filter((o) => String(o.body.name).startsWith('akbp-state:ws:'));
  const ctx = structuredClone(inst!.body.context) as { akbp_state: { state: { objects: Record<string, unknown> } } };
  ctx.akbp_state.state.objects['victim#1'] = { model: 'authentik_core.group', pk: 'admins', identifiers: {}, adopted: false };
  await c.patch('authentik_blueprints.blueprintinstance', inst!.pk, { content: inst!.body.content!, context: ctx as never });
  await assert.rejects(store.read(), (e: unknown) => e instanceof StateError && e.code === 'AKB9211');
  await assert.rejects(
    new AuthentikStateStore({ client: client(), workspace: 'ws', key: 'other' }).read(),
    (e: unknown) => e instanceof StateError && e.code === 'AKB9211',
  );
  assert.throws(
    () => new AuthentikStateStore({ client: client(), workspace: 'ws', key: '' }),
    (e: unknown) => e instanceof StateError && e.code === 'AKB9204',
  );
});

test('authentik: the apply lock excludes a second holder, names the first, and a lapsed lease is taken over', async () => {
  const { client } = await server();
  const a = new AuthentikStateStore({ client: client(), workspace: 'ws', key: KEY, leaseMs: 60_000 });
  const b = new AuthentikStateStore({ client: client(), workspace: 'ws', key: KEY, leaseMs: 60_000 });
  const held = await a.lock({ purpose: 'apply' });
  assert.ok(held.ok);
  const busy = await b.lock({ onBusy: 'skip' });
  assert.ok(!busy.ok && busy.reason === 'busy' && busy.holder?.purpose === 'apply');
  if (held.ok) await held.lock.release();
  const got = await b.lock({ onBusy: 'skip' });
  assert.ok(got.ok);
  // A holder that died: its lease runs out and the next run takes over.
  const short = new AuthentikStateStore({ client: client(), workspace: 'other', key: KEY, leaseMs: 1 });
  const dead = await short.lock({});
  assert.ok(dead.ok);
  await new Promise((r) => setTimeout(r, 20));
  const next = await new AuthentikStateStore({ client: client(), workspace: 'other', key: KEY }).lock({ onBusy: 'skip' });
  assert.ok(next.ok && next.tookOverFrom?.pid === process.pid);
  if (got.ok) await got.lock.release();
});

test('akbp state commands on the authentik backend (embedded sandbox) and the file backend: list, show, mv, rm, pull, push with the version check', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-statecli-'));
  writeFileSync(
    join(dir, 'g.yaml'),
    'version: 1\nentries:\n  - model: authentik_core.group\n    id: team\n    identifiers: {name: state-cli-team}\n  - model: authentik_core.user\n    identifiers: {username: state-cli-user}\n    attrs: {name: U, password: CANARY-user-pw}\n',
  );
  const sandboxFile = join(dir, 'sandbox.json');
  const backends: [string, string[], { [k: string]: string | undefined }][] = [
    ['file', ['--state', join(dir, 'state.json')], {}],
    ['authentik', ['--state', 'authentik', '--sandbox', sandboxFile], { AKBP_STATE_KEY: KEY }],
  ];
  for (const [name, flags, extra] of backends) {
    const env = { PATH: process.env.PATH, HOME: dir, ...extra };
    const target = name === 'file' ? ['--sandbox', join(dir, 'sandbox-file.json')] : [];
    const applied = await runCli(['apply', 'g.yaml', '--yes', ...flags, ...target], { cwd: dir, env });
    assert.equal(applied.code, 0, `${name}: ${applied.stdout}${applied.stderr}`);
    const list = await runCli(['state', 'list', ...flags, '--format', 'json'], { cwd: dir, env });
    assert.equal(list.code, 0, `${name}: ${list.stderr}`);
    const listed = JSON.parse(list.stdout) as { backend: string; version: number; entries: { key: string; owner: string; secrets: string[] }[] };
    assert.equal(listed.backend, name);
    assert.deepEqual(
      listed.entries.map((e) => e.key),
      ['g.yaml#authentik_core.user[username=state-cli-user]', 'g.yaml#team'],
    );
    assert.deepEqual(listed.entries[0]!.secrets, ['password']);
    const show = await runCli(['state', 'show', 'g.yaml#team', ...flags, '--format', 'json'], { cwd: dir, env });
    assert.equal((JSON.parse(show.stdout) as { owner: string }).owner, 'created');
    const missing = await runCli(['state', 'show', 'nope', ...flags], { cwd: dir, env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /AKB9210/);

    const pulled = await runCli(['state', 'pull', ...flags], { cwd: dir, env });
    writeFileSync(join(dir, `${name}-backup.json`), pulled.stdout);
    const mv = await runCli(['state', 'mv', 'g.yaml#team', 'g.yaml#crew', ...flags, '--format', 'json'], { cwd: dir, env });
    assert.equal(mv.code, 0, mv.stderr);
    const rm = await runCli(['state', 'rm', 'g.yaml#crew', ...flags], { cwd: dir, env });
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stdout, /the objects stay on the server/);
    const stale = await runCli(['state', 'push', `${name}-backup.json`, ...flags], { cwd: dir, env });
    assert.equal(stale.code, 1, 'the record changed since the pull');
    assert.match(stale.stderr, /AKB9203/);
    const forced = await runCli(['state', 'push', `${name}-backup.json`, '--force', ...flags, '--format', 'json'], { cwd: dir, env });
    assert.equal(forced.code, 0, forced.stderr);
    const back = JSON.parse((await runCli(['state', 'list', ...flags, '--format', 'json'], { cwd: dir, env })).stdout) as { entries: { key: string }[] };
    assert.ok(
      back.entries.some((e) => e.key === 'g.yaml#team'),
      'restored from the backup',
    );
    for (const out of [list.stdout, show.stdout, mv.stdout, rm.stdout])
      assert.ok(!out.includes('CANARY') && !out.includes('s1$'), 'no secrets and no digests outside pull');
  }
});
