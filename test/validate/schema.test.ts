// The blueprint JSON Schema that ships for editors: deterministic, valid draft-07, and it types
// plain values while accepting a tag anywhere (test/authentik/editor-schema.test.ts checks the
// same with the real yaml-language-server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parseDocument, visit } from 'yaml';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { blueprintJsonSchema } from '../../src/authentik/blueprint-schema.js';
import { REFERENCE_URL } from '../helpers/reference.js';

const SHARED = new URL('blueprints/', REFERENCE_URL);

const editorValidators = new Map<string, ReturnType<Ajv['compile']>>();
function editorValidator(version: string) {
  let v = editorValidators.get(version);
  if (!v) {
    v = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(blueprintJsonSchema(bundledRegistry(version)));
    editorValidators.set(version, v);
  }
  return v;
}

/**
 * What yaml-language-server validates with akbp's `yaml.customTags` (return type `object`): a
 * tagged node is an object-typed value whose object keywords are not checked, which an object
 * holding the `tag` definition's one required property stands for here.
 */
function asEditorSees(text: string): unknown {
  const marker = (blueprintJsonSchema(bundledRegistry('2026.5')) as { definitions: { tag: { required: string[] } } }).definitions.tag.required[0]!;
  const doc = parseDocument(text, { version: '1.1', logLevel: 'silent' });
  visit(doc, {
    Node(_, node) {
      if (node.tag?.startsWith('!') && !node.tag.startsWith('!!')) return doc.createNode({ [marker]: node.tag });
      return undefined;
    },
  });
  return doc.toJS();
}

for (const version of ['2023.6', '2026.5']) {
  test(`${version}: deterministic (equal registries give byte-equal output)`, () => {
    const reg = bundledRegistry(version);
    const a = JSON.stringify(blueprintJsonSchema(reg), null, 2);
    const b = JSON.stringify(blueprintJsonSchema(structuredClone(reg)), null, 2);
    assert.equal(a, b);
    // It ships with the package: keep an eye on its size.
    assert.ok(a.length < 450_000, `schema is ${a.length} bytes`);
  });

  test(`${version}: a valid draft-07 schema`, () => {
    const ajv = new Ajv({ strict: false });
    assert.equal(ajv.validateSchema(blueprintJsonSchema(bundledRegistry(version))), true, ajv.errorsText());
  });
}

test('editor view: tags anywhere are accepted, non-tag shapes typed, unknown attrs flagged', () => {
  const validate = editorValidator('2026.5');
  const ok = asEditorSees(`
version: 1
entries:
  - model: authentik_flows.Flow
    id: f
    identifiers: {slug: !Format ["%s-flow", !Context prefix]}
    attrs: {name: F, title: F, designation: !Context designation, compatibility_mode: !If [true, true, false]}
  - model: authentik_flows.flowstagebinding
    identifiers: {target: !KeyOf f, stage: !Find [authentik_stages_dummy.dummystage, [name, x]], order: !Index 0}
`);
  assert.equal(validate(ok), true, JSON.stringify(validate.errors?.slice(0, 3)));

  // A tag is told apart from a plain value: plain strings and mappings where an integer belongs,
  // and unknown attrs, are flagged as validate flags them.
  const bad = asEditorSees(`
version: 1
entries:
  - model: authentik_flows.flowstagebinding
    identifiers: {target: t, stage: s, order: {n: 1}}
    attrs: {re_evaluate_policies: true, titel: F}
  - model: authentik_flows.flowstagebinding
    identifiers: {target: !KeyOf f, stage: !KeyOf s, order: "10"}
`);
  assert.equal(validate(bad), false);
  const paths = new Set((validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`));
  assert.ok(paths.has('/entries/0/identifiers/order type'), [...paths].join('\n'));
  assert.ok(paths.has('/entries/0/attrs propertyNames'), [...paths].join('\n'));
  assert.ok(paths.has('/entries/1/identifiers/order type'), [...paths].join('\n'));
  assert.ok(!paths.has('/entries/1/identifiers/target type'), [...paths].join('\n'));
});

test('editor view: sections only where the version has them; unknown models rejected', () => {
  const sectioned = asEditorSees('version: 1\nentries:\n  groups:\n    - {model: authentik_core.group, identifiers: {name: a}}\n');
  assert.equal(editorValidator('2026.5')(sectioned), true);
  assert.equal(editorValidator('2023.6')(sectioned), false);
  const unknown = asEditorSees('version: 1\nentries:\n  - {model: authentik_interfaces.interface, identifiers: {url_name: a}}\n');
  assert.equal(editorValidator('2026.5')(unknown), false);
});

test('editor view: shipped blueprints that akbp accepts pass the schema of their version', (t) => {
  if (!existsSync(SHARED)) return t.skip('reference corpus ../shared/authentik/blueprints not present');
  // Files with no akbp warning either: the editor flags unknown and read-only attrs as errors.
  const cases: [string, string][] = [
    ['default/flow-oobe.yaml', '2026.5'],
    ['default/flow-password-change.yaml', '2026.5'],
    ['system/providers-oauth2.yaml', '2026.5'],
    ['example/flows-unenrollment.yaml', '2026.5'],
    ['default/90-default-tenant.yaml', '2023.6'],
    ['default/20-flow-default-source-authentication.yaml', '2023.6'],
  ];
  for (const [file, version] of cases) {
    const v = editorValidator(version);
    const ok = v(asEditorSees(readFileSync(new URL(file, SHARED), 'utf8')));
    assert.ok(ok, `${file}: ${JSON.stringify(v.errors?.filter((e) => e.keyword !== 'if' && e.keyword !== 'anyOf').slice(0, 3))}`);
  }
});
