// authentik's own tag fixture (blueprints/test-fixtures/tags.yaml) compiled and then finished
// with a fake server, compared with what authentik's test_import_yaml_tags stores.
//
// Verified against the stored authentik/blueprints/tests/test_v1.py (test_import_yaml_tags):
// policy_pk1/2, bool*, if_true_complex, if_false_complex, if_true_simple, if_false_simple, every
// enumerate_* key, nested_complex_enumeration, the policy name and consumer_key from the env.
// Derived from BLUEPRINT-SEMANTICS.md (the stored test revision predates these keys):
// env_null, file_*, json_parse, if_short, nested_context, at_index_*, find_object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { findQueryKey, resolveDeferred, type DeferredResolver } from '../../src/values/index.js';
import type { Json } from '../../src/model/types.js';
import { codes, compile, load } from './helpers.js';
import { REFERENCE_URL, referenceSkip } from '../helpers/reference.js';

const FIXTURE = new URL('blueprints/test-fixtures/tags.yaml', REFERENCE_URL);

/** authentik's load_fixture applies Python %-substitution with keyword arguments to the text. */
function pyTemplate(text: string, vars: { [k: string]: string }): string {
  return text.replace(/%(%|\((\w+)\)s)/g, (_, m: string, name?: string) => (m === '%' ? '%' : vars[name!]!));
}

test('tags.yaml compiles to the values authentik stores', { skip: referenceSkip('blueprints', 'test-fixtures', 'tags.yaml') }, () => {
  const text = pyTemplate(readFileSync(FIXTURE, 'utf8'), { file_name: '/srv/bp/file.txt', file_default_name: '/srv/bp/missing.txt' });
  const bp = load('tags.yaml', text);
  const files: { [p: string]: string } = { '/srv/bp/file.txt': '  file contents\n' };
  const res = compile([bp], {
    env: { foo: 'env-foo-value' },
    contextOverrides: { bar: 'baz' },
    readFile: (p) => files[p],
    // The fixture reads /does-not-exist, outside the blueprint root; authentik returns null.
    fileRoots: ['/'],
  });
  // The unreadable files are reported as info only.
  assert.deepEqual(
    codes(res).filter((c) => !c.startsWith('AKB3029')),
    [],
  );
  assert.deepEqual(res.dropped, []);
  const [source, policy, group] = res.entries;
  assert.equal(source!.model, 'authentik_sources_oauth.oauthsource');
  assert.equal(source!.state, 'present');
  assert.equal(source!.attrs.consumer_key, 'env-foo-value');
  assert.deepEqual(source!.secrets.consumer_secret, { value: 'baz', secret: true });
  assert.equal(source!.attrs.consumer_secret, undefined, 'a secret never stays in attrs');
  assert.equal(policy!.model, 'authentik_policies_expression.expressionpolicy');
  assert.equal(policy!.attrs.name, 'foo-bar-baz-qux');
  assert.equal(group!.model, 'authentik_core.group');
  assert.deepEqual(group!.conditions, []);
  assert.deepEqual(group!.dependsOn, [policy!.key], '!KeyOf policy and the !Find on its name+expression');
  assert.equal(group!.wave, 1);

  const policyQuery = findQueryKey({
    model: 'authentik_policies_expression.expressionpolicy',
    query: [
      ['name', 'foo-bar-baz-qux'],
      ['expression', 'return True'],
    ],
  });
  const openid = findQueryKey({ model: 'authentik_providers_oauth2.scopemapping', query: [['scope_name', 'openid']] });
  const server: DeferredResolver = {
    keyOf: (id) => (id === 'policy' ? 'policy-uuid' : undefined),
    find: (q) => (findQueryKey(q) === policyQuery ? 'policy-uuid' : q.model === 'authentik_flows.flow' ? `flow-${String(q.query[0]![1])}` : undefined),
    findObject: (q) => (findQueryKey(q) === openid ? { managed: 'goauthentik.io/providers/oauth2/scope-openid', name: 'openid' } : undefined),
  };
  const src = resolveDeferred(source!.attrs, server, source!.key);
  assert.ok(src.ok);
  assert.equal((src.value as { [k: string]: Json }).enrollment_flow, 'flow-default-source-enrollment');
  const attrs = resolveDeferred(group!.attrs.attributes!, server, group!.key);
  assert.ok(attrs.ok, JSON.stringify(attrs));
  const nested = (outer: string, i: number) => (mid: string, v: Json) => [
    [...outer].map((c) => `prefixed-${c}`),
    { outer_value: outer, outer_index: i, middle_value: v, middle_index: mid },
  ];
  const n0 = nested('foo', 0);
  const n1 = nested('bar', 1);
  assert.deepEqual(attrs.value, {
    env_null: null,
    file_content: 'file contents',
    file_default: 'default',
    file_non_existent: null,
    json_parse: { foo: 'bar' },
    policy_pk1: 'policy-uuid-suffix',
    policy_pk2: 'policy-uuid-suffix',
    boolAnd: true,
    boolNand: false,
    boolOr: true,
    boolNor: false,
    boolXor: true,
    boolXnor: false,
    boolComplex: true,
    if_true_complex: { dictionary: { with: { keys: 'and_values' }, and_nested_custom_tags: 'foo-bar' } },
    if_false_complex: ['list', 'with', 'items', 'foo-bar'],
    if_true_simple: true,
    if_short: true,
    if_false_simple: 2,
    enumerate_mapping_to_mapping: { 'prefix-key1': 'other-prefix-value', 'prefix-key2': 'other-prefix-2' },
    enumerate_mapping_to_sequence: ['prefixed-pair-key1-value', 'prefixed-pair-key2-2'],
    enumerate_sequence_to_sequence: ['prefixed-items-0-foo', 'prefixed-items-1-bar'],
    enumerate_sequence_to_mapping: { 'index: 0': 'foo', 'index: 1': 'bar' },
    nested_complex_enumeration: {
      '0': { key1: n0('key1', 'value'), key2: n0('key2', 2) },
      '1': { key1: n1('key1', 'value'), key2: n1('key2', 2) },
    },
    nested_context: 'context-nested-value',
    at_index_sequence: 'foo',
    at_index_sequence_default: 'non existent',
    at_index_mapping: 2,
    at_index_mapping_default: 'non existent',
    find_object: 'goauthentik.io/providers/oauth2/scope-openid',
  });
});
