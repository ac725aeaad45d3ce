// One JSON-pointer helper (RFC 6901) for every stage: keys with `/` and `~` survive the round trip,
// including the order trap (`~1` in a key is not a slash).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapePointer, pointerOf, pointerTokens, unescapePointer } from '../../src/values/index.js';
import { loadBlueprint } from '../../src/load/index.js';

test('keys with / and ~ round-trip through one pointer helper, and load records their ranges under those pointers', () => {
  for (const key of ['plain', 'a/b', '~', '~1', 'x~0/y', '/', '']) {
    assert.equal(unescapePointer(escapePointer(key)), key, key);
    assert.deepEqual(pointerTokens(pointerOf('', 'entries', 0, key)), ['entries', '0', key], key);
  }
  assert.equal(escapePointer('~1'), '~01');
  assert.equal(pointerOf('/entries/0', 'attrs', 'a/b~c'), '/entries/0/attrs/a~1b~0c');

  const text = 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: g}\n    attrs:\n      attributes: {"team/x~1": 5}\n';
  const bp = loadBlueprint({ uri: 'p.yaml', path: 'p.yaml', bytes: new TextEncoder().encode(text), origin: { kind: 'file', uri: 'p.yaml', local: true } })
    .blueprint!;
  const r = bp.pointers.get(pointerOf('/entries/0/attrs/attributes', 'team/x~1'))!;
  assert.equal(text.slice(r.start, r.end), '5');
});
