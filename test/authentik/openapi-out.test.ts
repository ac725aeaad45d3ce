// The sandbox serves an OpenAPI document written from its registry; reading it back the way
// --schema-from-server reads authentik's gives the same registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { registryToOpenApi } from '../../src/authentik/openapi-out.js';
import { factsFromRegistry, generateRegistry, modelEnumOf } from '../../src/authentik/generate.js';
import type { FieldInfo } from '../../src/authentik/registry.js';

/** Field facts without the OpenAPI component names of enums and nested serializers. */
function facts(f: FieldInfo | undefined): unknown {
  if (!f) return undefined;
  const { ref: _ref, description: _d, properties: _p, required: _r, items, ...rest } = f;
  return { ...rest, ...(items ? { items: facts(items) } : {}) };
}

for (const version of ['2023.6', '2026.5']) {
  test(`${version}: registry → OpenAPI → registry gives every model, endpoint, field, filter and reference back`, () => {
    const reg = bundledRegistry(version);
    const doc = registryToOpenApi(reg);
    assert.equal(doc.info?.version, reg.authentikVersion);
    const back = generateRegistry(doc, factsFromRegistry(reg, modelEnumOf(doc)));
    assert.deepEqual(Object.keys(back.models).sort(), Object.keys(reg.models).sort());
    assert.deepEqual(back.families, reg.families);
    for (const [name, m] of Object.entries(reg.models)) {
      const b = back.models[name]!;
      for (const k of [
        'apiPath',
        'detailPath',
        'lookupParam',
        'lookupField',
        'pkField',
        'pkType',
        'operations',
        'requiredOnCreate',
        'readOnlyFields',
        'writeOnlyFields',
        'manyToManyFields',
        'listFilters',
        'references',
        'secretFields',
      ] as const) {
        assert.deepEqual(b[k], m[k], `${name} ${k}`);
      }
      for (const [field, f] of Object.entries(m.fields)) assert.deepEqual(facts(b.fields[field]), facts(f), `${name}.${field}`);
    }
  });
}
