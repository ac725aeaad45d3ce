import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyState, ensureStateKey, makeSecretDigest, readState, writeStateAtomic, StateError } from '../../src/state/index.js';

const dir = () => mkdtempSync(join(tmpdir(), 'akbp-state-'));

test('a missing state file is an empty state; a written one reads back identically', () => {
  const p = join(dir(), '.akbp', 'state.json');
  assert.deepEqual(readState(p), emptyState());
  const s = emptyState();
  s.key = 'k';
  s.objects['b.yaml#2'] = { model: 'authentik_core.group', pk: 'u-1', identifiers: { name: 'g' }, adopted: false };
  s.objects['a.yaml#1'] = { model: 'authentik_core.user', pk: 7, identifiers: { username: 'u' }, adopted: true };
  s.secrets['a.yaml#1'] = { password: { digest: 'ab', setAt: '2026-01-01T00:00:00.000Z', serverChangeDate: '2026-01-01T00:00:01Z' } };
  writeStateAtomic(p, s);
  assert.deepEqual(readState(p), s);
  assert.ok(readFileSync(p, 'utf8').indexOf('a.yaml#1') < readFileSync(p, 'utf8').indexOf('b.yaml#2'), 'keys sorted for clean diffs');
  assert.equal(statSync(p).mode & 0o777, 0o600, 'holds the HMAC key: owner only');
  assert.deepEqual(readdirSync(join(p, '..')), ['state.json'], 'no temp file left behind');
});

test('a corrupt or foreign state file is an error, never silently reset', () => {
  const d = dir();
  writeFileSync(join(d, 'bad.json'), '{not json');
  assert.throws(() => readState(join(d, 'bad.json')), StateError);
  writeFileSync(join(d, 'v2.json'), JSON.stringify({ formatVersion: 2 }));
  assert.throws(() => readState(join(d, 'v2.json')), /unsupported state format/);
});

test('secret digests are keyed HMACs: per key, per entry and field, never the value', () => {
  const d1 = makeSecretDigest('key-1');
  const d2 = makeSecretDigest('key-2');
  const v = 'CANARY-password';
  assert.equal(d1('e', 'password', v), d1('e', 'password', v));
  assert.notEqual(d1('e', 'password', v), d2('e', 'password', v));
  assert.notEqual(d1('e1', 'password', v), d1('e2', 'password', v));
  assert.match(d1('e', 'password', v), /^[0-9a-f]{64}$/);
  assert.throws(() => makeSecretDigest(''));
});

test('the digest key comes from AKBP_STATE_KEY when given, else is generated once and kept', () => {
  const fromEnv = ensureStateKey(emptyState(), 'env-key');
  assert.equal(fromEnv.key, 'env-key');
  assert.equal(fromEnv.state.key, undefined, 'a key given by the environment is not written to the file');
  const gen = ensureStateKey(emptyState());
  assert.match(gen.key, /^[0-9a-f]{64}$/);
  assert.equal(ensureStateKey(gen.state).key, gen.key);
});
