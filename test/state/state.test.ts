// The ownership record's format, its digests and the file backend: what a user relies on when a
// run is repeated, interrupted, or pointed at the same record by another name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyState, makeSecretDigest, StateError } from '../../src/state/index.js';
import { FileStateStore } from '../../src/state/file.js';
import { deriveWorkspace, openStateStore } from '../../src/state/open.js';
import { lockPathFor } from '../../src/state/lock.js';

const dir = () => mkdtempSync(join(tmpdir(), 'akbp-state-'));

test('file backend: a missing record is empty (version 0); a written one reads back identically, sorted, 0600, no temp files', async () => {
  const p = join(dir(), '.akbp', 'state.json');
  const store = new FileStateStore(p, { env: {} });
  assert.deepEqual(await store.read(), { state: emptyState(), version: 0 });
  const s = emptyState();
  s.objects['b.yaml#g'] = { model: 'authentik_core.group', pk: 'u-1', identifiers: { name: 'g' }, adopted: false };
  s.objects['a.yaml#u'] = { model: 'authentik_core.user', pk: 7, identifiers: { username: 'u' }, adopted: true };
  s.secrets['a.yaml#u'] = { password: { digest: 's1$ab', setAt: '2026-01-01T00:00:00.000Z', serverChangeDate: '2026-01-01T00:00:01Z' } };
  assert.equal(await store.write(s, 0), 1);
  assert.deepEqual(await store.read(), { state: s, version: 1 });
  const text = readFileSync(p, 'utf8');
  assert.ok(text.indexOf('a.yaml#u') < text.indexOf('b.yaml#g'), 'keys sorted for clean diffs');
  assert.equal(statSync(p).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(join(p, '..')).sort(), ['state.json']);
});

test('file backend: a write against a stale version is refused with AKB9203 and changes nothing', async () => {
  const p = join(dir(), 'state.json');
  const a = new FileStateStore(p, { env: {} });
  const b = new FileStateStore(p, { env: {} });
  const s1 = emptyState();
  s1.objects['x#1'] = { model: 'authentik_core.group', pk: 1, identifiers: {}, adopted: false };
  await a.write(s1, 0);
  const s2 = emptyState();
  s2.objects['x#2'] = { model: 'authentik_core.group', pk: 2, identifiers: {}, adopted: false };
  await assert.rejects(b.write(s2, 0), (e: unknown) => e instanceof StateError && e.code === 'AKB9203' && /another akbp run/.test(e.message));
  assert.deepEqual(Object.keys((await a.read()).state.objects), ['x#1']);
});

test('file backend: two concurrent writers of one version — exactly one wins, the other gets AKB9203, nothing lost', async () => {
  const p = join(dir(), 'state.json');
  const stores = [0, 1, 2, 3].map(() => new FileStateStore(p, { env: {} }));
  const results = await Promise.allSettled(
    stores.map((st, i) => {
      const s = emptyState();
      s.objects[`w#${i}`] = { model: 'authentik_core.group', pk: i, identifiers: {}, adopted: false };
      return st.write(s, 0);
    }),
  );
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as StateError).code, 'AKB9203');
  const winner = results.findIndex((r) => r.status === 'fulfilled');
  assert.deepEqual(Object.keys((await stores[0]!.read()).state.objects), [`w#${winner}`]);
});

test('file backend: a corrupt or foreign record is a coded error naming the file, never an internal error or a reset', async () => {
  const d = dir();
  writeFileSync(join(d, 'bad.json'), '{not json');
  await assert.rejects(
    new FileStateStore(join(d, 'bad.json'), { env: {} }).read(),
    (e: unknown) => e instanceof StateError && e.code === 'AKB9201' && e.message.includes('bad.json'),
  );
  writeFileSync(join(d, 'v9.json'), JSON.stringify({ formatVersion: 9 }));
  await assert.rejects(new FileStateStore(join(d, 'v9.json'), { env: {} }).read(), (e: unknown) => e instanceof StateError && e.code === 'AKB9202');
  writeFileSync(join(d, 'obj.json'), JSON.stringify({ formatVersion: 2, objects: { k: { pk: 1 } } }));
  await assert.rejects(new FileStateStore(join(d, 'obj.json'), { env: {} }).read(), /object record "k" is malformed/);
});

test('a symlinked state file: both names take one lock and see one record; the link stays a link', async () => {
  const d = dir();
  const real = join(d, 'a.json');
  const link = join(d, 'link-to-a.json');
  symlinkSync('a.json', link);
  assert.equal(lockPathFor(link), lockPathFor(real), 'the lock is keyed on the resolved path');
  const viaLink = new FileStateStore(link, { env: {} });
  const s = emptyState();
  s.objects['k#1'] = { model: 'authentik_core.group', pk: 1, identifiers: {}, adopted: false };
  await viaLink.write(s, 0);
  assert.ok(lstatSync(link).isSymbolicLink(), 'the atomic rename went to the target, not over the link');
  assert.deepEqual((await new FileStateStore(real, { env: {} }).read()).state, s);
  const held = await viaLink.lock({ onBusy: 'skip' });
  assert.ok(held.ok);
  const other = await new FileStateStore(real, { env: {} }).lock({ onBusy: 'skip' });
  assert.equal(other.ok, false, 'the same record under another name is the same lock');
  if (held.ok) await held.lock.release();
});

test('the digest key is AKBP_STATE_KEY, else a 0600 key file beside the record; never inside it', async () => {
  const d = dir();
  const p = join(d, 'state.json');
  assert.equal(await new FileStateStore(p, { env: { AKBP_STATE_KEY: 'env-key' } }).digestKey(), 'env-key');
  const store = new FileStateStore(p, { env: {} });
  const k = await store.digestKey();
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(statSync(`${p}.key`).mode & 0o777, 0o600);
  assert.equal(await new FileStateStore(p, { env: {} }).digestKey(), k, 'created once, reused');
  await store.write(emptyState(), 0);
  assert.ok(!readFileSync(p, 'utf8').includes(k), 'the key is not in the record');
});

test('a format-1 record migrates on read: its key moves to the key file, the note is given, positional keys are kept for apply to re-key', async () => {
  const d = dir();
  const p = join(d, 'state.json');
  writeFileSync(
    p,
    JSON.stringify({
      formatVersion: 1,
      key: 'legacy-key',
      objects: { 'a.yaml#0': { model: 'authentik_core.group', pk: 'g1', identifiers: { name: 'g' }, adopted: false } },
      secrets: {},
    }),
  );
  const store = new FileStateStore(p, { env: {} });
  const snap = await store.read();
  assert.ok(snap.migrated?.some((m) => /format 1 → 2/.test(m)));
  assert.deepEqual(Object.keys(snap.state.objects), ['a.yaml#0']);
  assert.equal(await store.digestKey(), 'legacy-key');
  await store.write(snap.state, snap.version);
  const again = await new FileStateStore(p, { env: {} }).read();
  assert.equal(again.migrated, undefined, 'said once: the record is current after it is written back');
  assert.ok(!readFileSync(p, 'utf8').includes('legacy-key'));
});

test('secret digests: salted per entry and field, keyed, slow, never the value; a format-1 digest never matches', () => {
  const d1 = makeSecretDigest('key-1');
  const d2 = makeSecretDigest('key-2');
  const v = 'CANARY-password';
  assert.equal(d1('e', 'password', v), d1('e', 'password', v));
  assert.notEqual(d1('e', 'password', v), d2('e', 'password', v));
  assert.notEqual(d1('e1', 'password', v), d1('e2', 'password', v), 'equal passwords of two users differ');
  assert.match(d1('e', 'password', v), /^s1\$[0-9a-f]{64}$/);
  assert.ok(!d1('e', 'password', v).includes(v));
  const fresh = makeSecretDigest('key-3');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 5; i++) fresh('e', 'password', `guess-${i}`);
  const perGuessMs = Number(process.hrtime.bigint() - t0) / 5e6;
  assert.ok(perGuessMs > 5, `each guess costs a KDF run (${perGuessMs.toFixed(1)} ms), not a bare HMAC`);
  assert.throws(
    () => makeSecretDigest(''),
    (e: unknown) => e instanceof StateError && e.code === 'AKB9204',
  );
});

test('--state picks the backend; authentik and postgres need AKBP_STATE_KEY; unknown schemes are coded errors', () => {
  const d = dir();
  mkdirSync(join(d, 'x'));
  assert.equal(openStateStore({ cwd: d, env: {} }).kind, 'file');
  assert.equal(openStateStore({ cwd: d, env: { AKBP_STATE: 'x/s.json' } }).description, join(d, 'x', 's.json'));
  assert.throws(
    () => openStateStore({ state: 'postgres://u:pw@127.0.0.1/db', cwd: d, env: {} }),
    (e: unknown) => e instanceof StateError && e.code === 'AKB9204' && !e.message.includes('pw'),
  );
  assert.throws(
    () => openStateStore({ state: 's3://bucket/x', cwd: d, env: {} }),
    (e: unknown) => e instanceof StateError && e.code === 'AKB9207',
  );
  assert.throws(() => openStateStore({ state: 'authentik', cwd: d, env: { AKBP_STATE_KEY: 'k' } }), /--server/);
});

test('the default workspace comes from the sources, whatever the checkout path or ref', () => {
  assert.equal(deriveWorkspace(['blueprints/']), 'blueprints');
  assert.equal(deriveWorkspace(['/runner/a/work/repo/blueprints']), 'blueprints');
  assert.equal(deriveWorkspace(['git::https://git.example.com/iam.git//blueprints?ref=v1']), 'blueprints');
  assert.equal(deriveWorkspace(['oci://registry.example.com:5050/iam/blueprints:prod']), 'blueprints');
  assert.equal(deriveWorkspace(['bp/people.yaml', 'bp/apps.yaml']), 'bp');
  assert.equal(deriveWorkspace([]), 'default');
});

test('CLI: a format-1 state file is migrated by the first plan, which says so once; --lock-timeout bounds the wait for a held lock', async () => {
  const { runCli } = await import('../helpers/cli.js');
  const d = dir();
  writeFileSync(join(d, 'g.yaml'), 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: migrated}\n');
  writeFileSync(join(d, 'state.json'), JSON.stringify({ formatVersion: 1, key: 'legacy-key', objects: {}, secrets: {} }));
  const env = { PATH: process.env.PATH, HOME: d };
  const first = await runCli(['plan', 'g.yaml', '--sandbox', '--state', 'state.json'], { cwd: d, env });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /AKB9208/);
  const second = await runCli(['plan', 'g.yaml', '--sandbox', '--state', 'state.json'], { cwd: d, env });
  assert.doesNotMatch(second.stdout, /AKB9208/, 'said once');
  const held = await new FileStateStore(join(d, 'state.json'), { env: {} }).lock({ purpose: 'other run' });
  assert.ok(held.ok);
  const t0 = Date.now();
  const blocked = await runCli(['apply', 'g.yaml', '--sandbox', '--state', 'state.json', '--yes', '--lock-timeout', '300ms'], { cwd: d, env });
  assert.equal(blocked.code, 1);
  assert.match(blocked.stderr, /AKB9205: another akbp run holds the apply lock .*timeout: pid \d+/);
  assert.ok(Date.now() - t0 < 10_000);
  if (held.ok) await held.lock.release();
});

test('CLI: a corrupt state file is a coded error naming the file (exit 1), never an internal error', async () => {
  const { runCli } = await import('../helpers/cli.js');
  const d = dir();
  writeFileSync(join(d, 'g.yaml'), 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: c}\n');
  writeFileSync(join(d, 'state.json'), '{"formatVersion": 2, "objects": {');
  for (const cmd of ['plan', 'apply']) {
    const out = await runCli([cmd, 'g.yaml', '--sandbox', '--state', 'state.json', ...(cmd === 'apply' ? ['--yes'] : [])], {
      cwd: d,
      env: { PATH: process.env.PATH, HOME: d },
    });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /akbp: AKB9201: .*state\.json: not valid JSON/);
    assert.doesNotMatch(out.stderr, /internal error/);
  }
  assert.equal(readFileSync(join(d, 'state.json'), 'utf8'), '{"formatVersion": 2, "objects": {', 'left as it was');
});
