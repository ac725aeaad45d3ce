// The pointer map: every node of the document has a JSON pointer → source range, keys under
// `<pointer>#key`, so later stages can point diagnostics at the exact YAML text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from './helpers.js';

const TEXT = [
  'version: 1',
  'metadata:',
  '  name: n',
  '  labels:',
  '    blueprints.goauthentik.io/instantiate: "false"',
  'context:',
  '  a~b: 1',
  'entries:',
  '  - model: authentik_flows.flow',
  '    identifiers:',
  '      slug: my-flow',
  '    attrs:',
  '      name: My flow',
  '      layout: [a, {b: c}]',
  '      empty:',
  '      flow: !Find [authentik_flows.flow, [slug, x]]',
  '',
].join('\n');

test('pointers slice the source text of each node and key', () => {
  const bp = load(TEXT).blueprint!;
  const slice = (p: string) => {
    const r = bp.pointers.get(p);
    assert.ok(r, `missing pointer ${p}`);
    assert.equal(r.uri, 'test.yaml');
    return TEXT.slice(r.start, r.end);
  };
  assert.equal(slice('/version'), '1');
  assert.equal(slice('/version#key'), 'version');
  assert.equal(slice('/metadata/labels/blueprints.goauthentik.io~1instantiate'), '"false"');
  assert.equal(slice('/metadata/labels/blueprints.goauthentik.io~1instantiate#key'), 'blueprints.goauthentik.io/instantiate');
  assert.equal(slice('/context/a~0b'), '1');
  assert.equal(slice('/entries/0/model'), 'authentik_flows.flow');
  assert.equal(slice('/entries/0/identifiers/slug'), 'my-flow');
  assert.equal(slice('/entries/0/attrs/name#key'), 'name');
  assert.equal(slice('/entries/0/attrs/layout/1/b'), 'c');
  assert.equal(slice('/entries/0/attrs/flow'), '!Find [authentik_flows.flow, [slug, x]]');
  assert.equal(slice('/entries/0/attrs/flow/1/0'), 'slug');
  // An empty value points at the end of its key.
  const empty = bp.pointers.get('/entries/0/attrs/empty')!;
  assert.equal(TEXT.slice(empty.start - 'empty:'.length, empty.start), 'empty:');
  assert.equal(bp.entries[0]!.attrs.empty, null);
});

test('every value in the loaded document has a pointer', () => {
  const bp = load(TEXT).blueprint!;
  const missing: string[] = [];
  const walk = (v: unknown, p: string) => {
    if (!bp.pointers.has(p)) missing.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}/${i}`));
    else if (v && typeof v === 'object' && !('$tag' in v)) {
      for (const [k, x] of Object.entries(v)) {
        const kp = `${p}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (!bp.pointers.has(`${kp}#key`)) missing.push(`${kp}#key`);
        walk(x, kp);
      }
    }
  };
  walk({ metadata: { name: bp.name, labels: bp.labels }, context: bp.context }, '');
  bp.entries.forEach((e) => {
    walk(e.identifiers, `${e.pointer}/identifiers`);
    walk(e.attrs, `${e.pointer}/attrs`);
  });
  assert.deepEqual(missing, []);
});
