// The compact pointer map of a loaded blueprint (src/load/pointers.ts) answers exactly as the
// Map<string, SourceRange> it replaced: same ranges, same keys, also for keys that themselves
// end in `#key` and for ranges of another file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { SourceRange } from '../../src/model/types.js';
import { PointerMap, revivePointerMap } from '../../src/values/pointer-map.js';
import { load } from './helpers.js';

const URI = 'f.yaml';
const pointer = fc.constantFrom('', '/a', '/a/b', '/a#key', '/a/b#key', '/a#key#key', '#key', '/entries/0', '/entries/0#key', '/x~1y', '/x~1y#key');
const op = fc.oneof(
  fc.tuple(fc.constant('put' as const), pointer, fc.nat(5000), fc.nat(50)),
  fc.tuple(fc.constant('putKey' as const), pointer, fc.nat(5000), fc.nat(50)),
  fc.tuple(fc.constant('set' as const), pointer, fc.nat(5000), fc.nat(50)),
  fc.tuple(fc.constant('foreign' as const), pointer, fc.nat(5000), fc.nat(50)),
);

test('the pointer map answers as a Map of ranges does', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const map = new PointerMap(URI);
      const ref = new Map<string, SourceRange>();
      for (const [kind, p, start, len] of ops) {
        const r = { uri: kind === 'foreign' ? 'other.yaml' : URI, start, end: start + len };
        if (kind === 'put') map.put(p, r.start, r.end);
        else if (kind === 'putKey') map.putKey(p, r.start, r.end);
        else map.set(p, r);
        ref.set(kind === 'putKey' ? `${p}#key` : p, r);
      }
      assert.equal(map.size, ref.size);
      assert.deepEqual(new Set(map.keys()), new Set(ref.keys()));
      assert.deepEqual(new Map(map), ref);
      for (const p of ['', '/a', '/a#key', '/a#key#key', '/a/b', '/a/b#key', '/none', '/none#key', '#key']) {
        assert.deepEqual(map.get(p), ref.get(p), p);
        assert.equal(map.has(p), ref.has(p), p);
      }
    }),
    { numRuns: 500, seed: 20261203 },
  );
});

test('a key spelt `name#key` keeps the range its value had before', () => {
  const text = 'version: 1\nentries:\n  - model: a.b\n    attrs: {name: x, "name#key": y}\n';
  const bp = load(text).blueprint!;
  const at = (p: string) => {
    const r = bp.pointers.get(p)!;
    return text.slice(r.start, r.end);
  };
  assert.equal(at('/entries/0/attrs/name'), 'x');
  // `/attrs/name#key` names both the key `name` and the value of `name#key`: the later one wins.
  assert.equal(at('/entries/0/attrs/name#key'), 'y');
  assert.equal(at('/entries/0/attrs/name#key#key'), '"name#key"');
});

test('a pointer map sent to a worker (a structured clone) answers again once compile revives it', () => {
  const bp = load('version: 1\nentries:\n  - model: a.b\n    attrs: {name: x}\n').blueprint!;
  const clone = structuredClone(bp.pointers);
  assert.equal(typeof (clone as { get?: unknown }).get, 'undefined', 'a clone loses the class');
  const revived = revivePointerMap(clone);
  assert.deepEqual(new Map(revived), new Map(bp.pointers));
  assert.deepEqual(revived.get('/entries/0/attrs/name#key'), bp.pointers.get('/entries/0/attrs/name#key'));
});
