// Deferred values: recognising them, printing them for plans, and finishing them once observe /
// apply know the referenced pks — with the same Python semantics compile uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeDeferred, findQueryKey, isDeferred, resolveDeferred, type DeferredResolver } from '../../src/values/index.js';
import { alwaysMerge } from '../../src/compile/merge.js';
import type { Deferred, DesiredValue, Json } from '../../src/model/types.js';

const flowFind: Deferred = { $find: { model: 'authentik_flows.flow', query: [['slug', 'default-authentication-flow']] } };

test('isDeferred recognises only the exact marker shapes', () => {
  assert.equal(isDeferred({ $keyOf: 'flow', pbm: false }), true);
  assert.equal(isDeferred({ $keyOf: 'flow' }), true);
  assert.equal(isDeferred(flowFind), true);
  assert.equal(isDeferred({ $keyOf: 'flow', other: 1 }), false);
  assert.equal(isDeferred({ $keyOf: 3 }), false);
  assert.equal(isDeferred({ $find: 'x' }), false);
  assert.equal(isDeferred({ name: 'x' }), false);
  assert.equal(isDeferred(['$keyOf']), false);
});

test('describeDeferred prints the tag a user wrote', () => {
  const rows: [Deferred, string][] = [
    [{ $keyOf: 'flow', pbm: true }, '!KeyOf flow'],
    [flowFind, '!Find [authentik_flows.flow, [slug, default-authentication-flow]]'],
    [{ $findObject: { model: 'authentik_core.group', query: [['name', 'a b, c']] } }, '!FindObject [authentik_core.group, [name, "a b, c"]]'],
    [{ $format: { format: '%s-%s', args: [{ $keyOf: 'policy' }, 'suffix'] } }, '!Format ["%s-%s", !KeyOf policy, suffix]'],
    [
      { $atIndex: { obj: flowFind, key: 'slug', hasDefault: true, default: null } },
      '!AtIndex [!Find [authentik_flows.flow, [slug, default-authentication-flow]], slug, null]',
    ],
    [{ $condition: { mode: 'OR', args: [flowFind, false] } }, '!Condition [OR, !Find [authentik_flows.flow, [slug, default-authentication-flow]], false]'],
    [{ $if: { condition: { $keyOf: 'x' }, then: 1, else: 2, short: false } }, '!If [!KeyOf x, 1, 2]'],
  ];
  for (const [d, want] of rows) assert.equal(describeDeferred(d), want);
});

test('findQueryKey ignores pair order and mapping key order', () => {
  const a = findQueryKey({
    model: 'authentik_core.group',
    query: [
      ['name', 'g'],
      ['attributes', { b: 1, a: 2 }],
    ],
  });
  const b = findQueryKey({
    model: 'authentik_core.Group',
    query: [
      ['attributes', { a: 2, b: 1 }],
      ['name', 'g'],
    ],
  });
  assert.equal(a, b);
  assert.notEqual(a, findQueryKey({ model: 'authentik_core.group', query: [['name', 'h']] }));
});

function resolver(known: { keys?: { [id: string]: Json }; finds?: Map<string, Json> }): DeferredResolver & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    keyOf(id, pbm, fromKey) {
      calls.push(`keyOf ${id} ${pbm} ${fromKey}`);
      return known.keys?.[pbm ? `${id}#pbm` : id];
    },
    find(q) {
      return known.finds?.get(findQueryKey(q));
    },
    findObject(q) {
      return known.finds?.get(`obj:${findQueryKey(q)}`);
    },
  };
}

test('resolveDeferred finishes residual tags with Python semantics', () => {
  const finds = new Map<string, Json>([
    [findQueryKey(flowFind.$find), 'f-uuid'],
    [
      `obj:${findQueryKey({ model: 'authentik_providers_oauth2.scopemapping', query: [['scope_name', 'openid']] })}`,
      { managed: 'goauthentik.io/providers/oauth2/scope-openid' },
    ],
  ]);
  const r = resolver({ keys: { policy: 7, 'flow#pbm': 'pbm-uuid' }, finds });
  const v: DesiredValue = {
    pk2: { $format: { format: '%s-%s', args: [{ $keyOf: 'policy', pbm: false }, 'suffix'] } },
    target: { $keyOf: 'flow', pbm: true },
    flow: flowFind,
    managed: {
      $atIndex: {
        obj: { $findObject: { model: 'authentik_providers_oauth2.scopemapping', query: [['scope_name', 'openid']] } },
        key: 'managed',
        hasDefault: false,
        default: null,
      },
    },
    both: { $condition: { mode: 'AND', args: [flowFind, { $keyOf: 'policy' }] } },
    pick: { $if: { condition: flowFind, then: 'yes', else: 'no', short: false } },
    short: { $if: { condition: { $find: { model: 'authentik_flows.flow', query: [['slug', 'nope']] } }, then: null, else: null, short: true } },
    list: [{ $keyOf: 'policy' }, 'plain'],
  };
  const missingShort = resolveDeferred(v, r, 'a.yaml#x');
  assert.equal(missingShort.ok, false);
  assert.deepEqual(!missingShort.ok && missingShort.missing, ['!Find [authentik_flows.flow, [slug, nope]]']);

  finds.set(findQueryKey({ model: 'authentik_flows.flow', query: [['slug', 'nope']] }), null);
  const res = resolveDeferred(v, r, 'a.yaml#x');
  assert.deepEqual(res, {
    ok: true,
    value: {
      pk2: '7-suffix',
      target: 'pbm-uuid',
      flow: 'f-uuid',
      managed: 'goauthentik.io/providers/oauth2/scope-openid',
      both: true,
      pick: 'yes',
      short: false,
      list: [7, 'plain'],
    },
  });
  assert.ok(r.calls.includes('keyOf flow true a.yaml#x'));
});

test('resolveDeferred reports what is missing and what failed once known', () => {
  const r = resolver({ keys: { policy: 'not-a-number' } });
  const res = resolveDeferred({ a: { $keyOf: 'later' }, b: { $format: { format: '%d', args: [{ $keyOf: 'policy' }] } }, c: { $keyOf: 'later' } }, r, 'k');
  assert.deepEqual(res, { ok: false, missing: ['!KeyOf later'], errors: ['!Format "%d": %d format: a real number is required, not str'] });
});

test('alwaysMerge merges mappings, concatenates lists, lets scalars win and keeps Deferred opaque', () => {
  const attrs: DesiredValue = { name: 'test999', attributes: { key: ['updated_value'] }, groups: ['a'], flow: { $keyOf: 'f' } };
  const ids: DesiredValue = { name: 'id-name', attributes: { other_key: ['other_value'] }, groups: ['b'], flow: { $keyOf: 'g' } };
  assert.deepEqual(alwaysMerge(attrs, ids), {
    name: 'id-name',
    attributes: { key: ['updated_value'], other_key: ['other_value'] },
    groups: ['a', 'b'],
    flow: { $keyOf: 'g' },
  });
  assert.deepEqual(attrs, { name: 'test999', attributes: { key: ['updated_value'] }, groups: ['a'], flow: { $keyOf: 'f' } }, 'inputs untouched');
  assert.deepEqual(alwaysMerge({ a: { b: [1] } }, { a: 'x' }), { a: 'x' });
});
