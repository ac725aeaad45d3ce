// Code frames print source lines. A secret passed through `context:` or written under a misspelt
// key must not appear in them, and a 50 MB one-line blueprint must not be printed whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { loadBlueprint } from '../../src/load/index.js';
import { maskSecretValues } from '../../src/pipeline/secrets.js';
import { codeFrame } from '../../src/diag/index.js';

const registry = bundledRegistry('2026.5');

function masked(text: string): string {
  const r = loadBlueprint({
    uri: 'a.yaml',
    path: 'a.yaml',
    bytes: new TextEncoder().encode(text),
    origin: { kind: 'file', uri: 'a.yaml', local: true, root: '/srv' },
  });
  assert.ok(r.blueprint, JSON.stringify(r.diagnostics));
  const out = maskSecretValues(r.blueprint, registry);
  assert.equal(out.length, text.length, 'masking keeps every offset');
  return out;
}

test('a password carried through context: is masked where the context defines it', () => {
  const text = [
    'version: 1',
    'context:',
    '  admin_pw: canary-ctx-pw-1',
    '  other: visible-value',
    '  indirect: !Format ["%s!", !Context deep]',
    '  deep: canary-ctx-pw-2',
    'entries:',
    '  - model: authentik_core.user',
    '    identifiers: {username: admin}',
    '    attrs:',
    '      password: !Context admin_pw',
    '  - model: authentik_core.token',
    '    identifiers: {identifier: t}',
    '    attrs: {key: !Context indirect, user: 1, intent: api}',
    '',
  ].join('\n');
  const out = masked(text);
  assert.doesNotMatch(out, /canary-ctx-pw-1/);
  assert.doesNotMatch(out, /canary-ctx-pw-2/);
  assert.match(out, /visible-value/);
});

test('a secret under a misspelt key (pasword on a user) is masked', () => {
  const text = [
    'version: 1',
    'entries:',
    '  - model: authentik_core.user',
    '    identifiers: {username: u}',
    '    attrs:',
    '      pasword: canary-misspelt-1',
    '      Password: canary-misspelt-2',
    '      name: Visible Name',
    '',
  ].join('\n');
  const out = masked(text);
  assert.doesNotMatch(out, /canary-misspelt/);
  assert.match(out, /Visible Name/);
});

test('a code frame of a 50 MB one-line blueprint shows a window around the column', () => {
  const line = `{"version": 1, "entries": [${'{"model": "authentik_core.group", "identifiers": {"name": "g"}}, '.repeat(800_000)}]}`;
  assert.ok(line.length > 50_000_000);
  const start = Math.floor(line.length / 2);
  const t0 = Date.now();
  const frame = codeFrame({ uri: 'big.yaml', start, end: start + 3 }, (u) => (u === 'big.yaml' ? line : undefined));
  assert.ok(Date.now() - t0 < 10000);
  const rows = frame.split('\n');
  assert.ok(frame.length < 600, `frame is ${frame.length} characters`);
  assert.match(rows[0]!, /…/);
  const src = rows[0]!;
  const caret = rows[1]!;
  assert.equal(src[caret.indexOf('^')], line[start]);
});
