// The committed registries are the project's own generated output: they must equal what the
// generator makes from authentik's OpenAPI documents, and carry the facts the rest of akbp uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { bundledRegistry, registryVersionFor } from '../../src/authentik/bundled.js';
import { generateRegistry, factsFromRegistry, modelEnumOf } from '../../src/authentik/generate.js';
import { factsFromModelMap } from '../../src/authentik/model-map.js';
import { findModel } from '../../src/authentik/registry.js';
import { reference, referenceSkip } from '../helpers/reference.js';

const shared = `${reference()}/`;
const inputs = [
  { version: '2023.6', openapi: 'openapi/authentik-2023.6.1.yml', map: 'model-map-2023.6.json' },
  { version: '2026.5', openapi: 'openapi/authentik-2026.5.0-rc1.yml', map: 'model-map-2026.5.json' },
];

for (const i of inputs) {
  // The model maps are research data beside the OpenAPI documents, not published upstream, so a
  // reference fetched by scripts/fetch-reference.mjs lacks them: that test skips even in CI.
  const noMap = existsSync(shared + i.map) ? false : `${shared + i.map} not present (the model maps are not published upstream)`;
  test(`committed registry ${i.version} equals a fresh generation from the OpenAPI document`, { skip: referenceSkip(i.openapi) || noMap }, () => {
    const doc = parse(readFileSync(shared + i.openapi, 'utf8'), { maxAliasCount: -1 });
    const fresh = generateRegistry(doc, factsFromModelMap(JSON.parse(readFileSync(shared + i.map, 'utf8'))));
    assert.deepEqual(JSON.parse(JSON.stringify(fresh)), bundledRegistry(i.version), 'run `npm run schemas` and commit the result');
  });

  test(`registry ${i.version} regenerated from its own facts is stable (the --schema-from-server path)`, { skip: referenceSkip(i.openapi) }, () => {
    const doc = parse(readFileSync(shared + i.openapi, 'utf8'), { maxAliasCount: -1 });
    const reg = bundledRegistry(i.version);
    const again = generateRegistry(doc, factsFromRegistry(reg, modelEnumOf(doc)));
    for (const m of Object.keys(reg.models)) {
      assert.deepEqual(again.models[m]?.fields, reg.models[m]!.fields, m);
      assert.equal(again.models[m]?.apiPath, reg.models[m]!.apiPath, m);
    }
  });
}

test('2023.6 registry knows the REST facts a reconciler needs', () => {
  const reg = bundledRegistry('2023.6');
  const user = reg.models['authentik_core.user']!;
  assert.equal(user.apiPath, '/core/users/');
  assert.equal(user.pkType, 'integer');
  assert.deepEqual(user.requiredOnCreate, ['name', 'username']);
  assert.deepEqual(user.manyToManyFields, ['groups']);
  assert.equal(user.blueprintOnlyFields.password?.via, 'set_password');
  assert.ok(user.secretFields.includes('password'));
  const fsb = reg.models['authentik_flows.flowstagebinding']!;
  assert.equal(fsb.lookupParam, 'fsb_uuid');
  assert.equal(fsb.references.target?.targets[0], 'authentik_flows.flow');
  assert.equal(fsb.references.stage?.family, 'stages');
  assert.equal(reg.models['authentik_flows.flow']!.pbmField, 'policybindingmodel_ptr_id');
  assert.equal(reg.models['authentik_tenants.tenant']!.pkField, 'tenant_uuid');
  assert.equal(reg.models['authentik_providers_oauth2.oauth2provider']!.references.authorization_flow?.onDelete, 'CASCADE');
  assert.ok(reg.models['authentik_sources_ldap.ldapsource']!.writeOnlyFields.includes('bind_password'));
  assert.ok(reg.models['authentik_sources_ldap.ldapsource']!.secretFields.includes('bind_password'));
  assert.ok(reg.models['authentik_providers_oauth2.oauth2provider']!.secretFields.includes('client_secret'));
  assert.deepEqual(reg.tags.includes('AtIndex'), false);
  assert.deepEqual(reg.states, ['present', 'created', 'absent']);
  assert.equal(reg.maxPageSize, null);
});

test('2026.5 registry has the newer models, tags and states', () => {
  const reg = bundledRegistry('2026.5');
  assert.ok(reg.models['authentik_brands.brand']);
  assert.equal(reg.models['authentik_tenants.tenant'], undefined);
  assert.ok(reg.models['authentik_blueprints.metacleanblueprint']);
  assert.ok(reg.tags.includes('FindObject') && reg.tags.includes('File') && reg.tags.includes('AtIndex'));
  assert.ok(reg.states.includes('must_created'));
  assert.equal(reg.dottedContext, true);
  assert.ok(reg.models['authentik_providers_oauth2.oauth2provider']!.requiredOnCreate.includes('invalidation_flow'));
});

test('model lookup is case-insensitive in the model name only, as authentik does', () => {
  const reg = bundledRegistry('2023.6');
  assert.equal(findModel(reg, 'authentik_tenants.Tenant')?.model, 'authentik_tenants.tenant');
  assert.equal(findModel(reg, 'authentik_providers_saml.SAMLPropertyMapping')?.model, 'authentik_providers_saml.samlpropertymapping');
  assert.equal(findModel(reg, 'Authentik_tenants.tenant'), undefined);
  assert.equal(findModel(reg, 'authentik_core'), undefined);
});

test('a server version maps to the newest bundled registry not newer than it', () => {
  assert.equal(registryVersionFor('2023.6.1'), '2023.6');
  assert.equal(registryVersionFor('2024.2.0'), '2023.6');
  assert.equal(registryVersionFor('2026.5.0-rc1'), '2026.5');
  assert.equal(registryVersionFor('2026.11.3'), '2026.5');
  assert.equal(registryVersionFor('2022.12.0'), '2023.6');
});

test('committed blueprint JSON Schemas equal what the generator makes from the committed registries', async () => {
  const { blueprintJsonSchema } = await import('../../src/authentik/blueprint-schema.js');
  for (const v of ['2023.6', '2026.5']) {
    const committed = JSON.parse(readFileSync(new URL(`../../schemas/authentik-${v}/blueprint.schema.json`, import.meta.url), 'utf8'));
    assert.deepEqual(
      committed,
      JSON.parse(JSON.stringify(blueprintJsonSchema(bundledRegistry(v)))),
      `schemas/authentik-${v}/blueprint.schema.json is stale: run npm run schemas`,
    );
  }
});
