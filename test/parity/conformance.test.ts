// authentik's own blueprint tests (authentik/blueprints/tests/test_v1*.py, test_packaged.py,
// test_bundled.py, test_v1_tasks.py, test_v1_meta_clean.py, test_v1_conditional_fields.py,
// test_v1_state.py), one row each: the fixture (authentik's, with its `%(name)s` placeholders
// substituted as its tests do, or ours), the version, and the end state authentik asserts,
// checked on a sandbox after `apply`. Rows where akbp still differs say why and assert what akbp
// does instead, so a change in either direction is noticed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { reconcileOnce, type ReconcileOutcome } from '../../src/pipeline/index.js';
import type { JsonObject, ServerClient, SourceFile } from '../../src/model/index.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/authentik/blueprints/test-fixtures/', import.meta.url));
const present = existsSync(FIXTURES);
const SKIP = 'reference corpus ../shared/authentik/blueprints not present';
const TOKEN = 'akbp-conformance-table-token-7c1d2e3f';

type Version = '2023.6' | '2026.5';

interface Row {
  /** authentik's test module and test name. */
  authentik: string;
  /** A fixture of ../shared (test-fixtures/NAME) or our own YAML. */
  fixture: { file: string; subs?: { [k: string]: string } } | { yaml: string };
  version: Version;
  /** Objects on the server before the apply (authentik's test setUp). */
  seed?: (c: ServerClient) => Promise<void>;
  /** The end state authentik asserts, read back from the sandbox. */
  expect: (c: ServerClient, out: ReconcileOutcome) => Promise<void>;
  /** akbp differs here on purpose or not yet: why. The row then asserts what akbp does. */
  differs?: string;
}

const bodies = async (c: ServerClient, model: string): Promise<JsonObject[]> => (await c.list(model)).map((o) => o.body);
const slugs = async (c: ServerClient, model: string): Promise<string[]> => (await bodies(c, model)).map((b) => String(b.slug ?? b.name)).sort();
const applied = (out: ReconcileOutcome) =>
  assert.ok(
    out.ok,
    out.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => `${d.code} ${d.summary}`)
      .join('\n'),
  );

const ROWS: Row[] = [
  {
    authentik: 'test_v1_conditions.TestBlueprintsV1Conditions.test_conditions_fulfilled',
    fixture: { file: 'conditions_fulfilled.yaml', subs: { id1: 'cond-a', id2: 'cond-b' } },
    version: '2026.5',
    expect: async (c, out) => {
      applied(out);
      assert.deepEqual(
        (await slugs(c, 'authentik_flows.flow')).filter((s) => s.startsWith('cond-')),
        ['cond-a', 'cond-b'],
      );
    },
  },
  {
    authentik: 'test_v1_conditions.TestBlueprintsV1Conditions.test_conditions_not_fulfilled',
    fixture: { file: 'conditions_not_fulfilled.yaml', subs: { id1: 'cond-a', id2: 'cond-b' } },
    version: '2026.5',
    expect: async (c, out) => {
      applied(out);
      assert.deepEqual(
        (await slugs(c, 'authentik_flows.flow')).filter((s) => s.startsWith('cond-')),
        [],
      );
    },
  },
  {
    authentik: 'test_v1_state.TestBlueprintsV1State.test_state_present',
    fixture: { file: 'state_present.yaml', subs: { id: 'st-present' } },
    version: '2026.5',
    seed: async (c) => {
      await c.create('authentik_flows.flow', { slug: 'st-present', name: 'st-present', title: 'changed', designation: 'stage_configuration' });
    },
    expect: async (c, out) => {
      applied(out);
      assert.equal((await bodies(c, 'authentik_flows.flow')).find((b) => b.slug === 'st-present')?.title, 'foo', 'present re-asserts its fields');
    },
  },
  {
    authentik: 'test_v1_state.TestBlueprintsV1State.test_state_created',
    fixture: { file: 'state_created.yaml', subs: { id: 'st-created' } },
    version: '2026.5',
    seed: async (c) => {
      await c.create('authentik_flows.flow', { slug: 'st-created', name: 'st-created', title: 'changed', designation: 'stage_configuration' });
    },
    expect: async (c, out) => {
      applied(out);
      assert.equal((await bodies(c, 'authentik_flows.flow')).find((b) => b.slug === 'st-created')?.title, 'changed', 'created never updates');
    },
  },
  {
    authentik: 'test_v1_state.TestBlueprintsV1State.test_state_absent',
    fixture: { file: 'state_absent.yaml', subs: { id: 'st-absent' } },
    version: '2026.5',
    seed: async (c) => {
      await c.create('authentik_flows.flow', { slug: 'st-absent', name: 'st-absent', title: 't', designation: 'stage_configuration' });
      await c.create('authentik_policies_expression.expressionpolicy', { name: 'st-absent', expression: 'return True\n' });
    },
    expect: async (c, out) => {
      applied(out);
      assert.deepEqual(
        (await slugs(c, 'authentik_flows.flow')).filter((s) => s === 'st-absent'),
        [],
      );
      // authentik's test creates the policy with the ORM, keeping `return True\n`; through the
      // REST API (here) DRF trims it, so the identifier `expression: "return True\n"` matches
      // nothing — in authentik's ORM lookup as in akbp — and the policy stays.
      assert.deepEqual(
        (await bodies(c, 'authentik_policies_expression.expressionpolicy')).filter((b) => b.name === 'st-absent').map((b) => b.expression),
        ['return True'],
      );
    },
  },
  {
    authentik: 'test_v1_conditional_fields.TestBlueprintsV1ConditionalFields.test_conditional_fields (token key, application icon, flow background)',
    fixture: {
      yaml: `version: 1
entries:
  - model: authentik_core.user
    id: user
    identifiers: {username: cf-user}
    attrs: {name: cf-user}
  - model: authentik_core.token
    identifiers: {identifier: cf-token}
    attrs: {key: cf-key-value, user: !KeyOf user, intent: api}
  - model: authentik_core.application
    identifiers: {slug: cf-app}
    attrs: {name: cf-app, icon: https://goauthentik.io/img/icon.png}
  - model: authentik_flows.flow
    identifiers: {slug: cf-flow}
    attrs: {name: cf-flow, title: cf-flow, designation: authentication, background: https://goauthentik.io/img/icon.png}
`,
    },
    version: '2026.5',
    expect: async (c, out) => {
      applied(out);
      assert.ok((await bodies(c, 'authentik_core.application')).some((b) => b.slug === 'cf-app' && String(b.meta_icon ?? b.icon).includes('icon.png')));
      assert.ok((await bodies(c, 'authentik_flows.flow')).some((b) => b.slug === 'cf-flow' && String(b.background).includes('icon.png')));
      const token = (await c.list('authentik_core.token')).find((o) => o.body.identifier === 'cf-token');
      assert.ok(token, 'token created');
      assert.doesNotMatch(JSON.stringify(out.plan), /cf-key-value/, 'the key never appears in the plan');
    },
  },
  {
    authentik: 'test_v1_meta_clean.TestBlueprintsV1MetaClean.test_meta_clean',
    fixture: { file: 'meta_clean.yaml' },
    version: '2026.5',
    seed: async (c) => {
      for (let i = 0; i < 3; i++) await c.create('authentik_core.application', { name: `mc-${i}`, slug: `mc-${i}` });
    },
    expect: async (c, out) => {
      applied(out);
      assert.equal((await bodies(c, 'authentik_core.application')).length, 0);
    },
  },
  {
    authentik: 'test_v1_rbac.TestBlueprintsV1RBAC.test_role_permission',
    fixture: { file: 'rbac_role.yaml', subs: { id: 'conf-rbac-role' } },
    version: '2026.5',
    expect: async (c, out) => {
      applied(out);
      const role = (await c.list('authentik_rbac.role')).find((o) => o.body.name === 'conf-rbac-role');
      assert.ok(role, 'role created');
      assert.deepEqual(await c.rbac!.globalPermissions(String(role.pk)), ['authentik_blueprints.view_blueprintinstance']);
    },
  },
  {
    authentik: 'test_v1_rbac.TestBlueprintsV1RBAC.test_object_permission',
    fixture: { file: 'rbac_object.yaml', subs: { id: 'conf-rbac-object' } },
    version: '2026.5',
    differs: "the user's object permission needs the user's managed role, which only authentik creates (AKB4025); the role's is granted",
    expect: async (c, out) => {
      applied(out);
      assert.ok(out.diagnostics.some((d) => d.code === 'AKB4025'));
      const role = (await c.list('authentik_rbac.role')).find((o) => o.body.name === 'conf-rbac-object');
      const flow = (await c.list('authentik_flows.flow')).find((o) => o.body.slug === 'conf-rbac-object');
      assert.ok(role && flow);
      assert.deepEqual(await c.rbac!.objectPermissions(String(role.pk)), [
        { permission: 'authentik_flows.view_flow', model: 'authentik_flows.flow', objectPk: String(flow.pk) },
      ]);
    },
  },
  {
    authentik: 'test_v1.TestBlueprintsV1.test_export_validate_import_prompt / test_static_prompt_export',
    fixture: { file: 'static_prompt_export.yaml' },
    version: '2026.5',
    differs: 'entries identified only by `pk` (exports) are refused (AKB4015): the pk rewrite map is not implemented yet',
    expect: async (c, out) => {
      assert.equal(out.ok, false);
      assert.ok(
        out.diagnostics.some((d) => d.code === 'AKB4015' || d.code === 'AKB4021'),
        out.diagnostics.map((d) => d.code).join(','),
      );
      assert.deepEqual(
        (await bodies(c, 'authentik_stages_prompt.prompt')).filter((b) => b.field_key === 'username' && b.label === 'Username'),
        [],
      );
    },
  },
  {
    authentik: 'test_v1.TestBlueprintsV1.test_import_yaml_tags (!Find on base model, !Find null on nullable field, two files as instances)',
    fixture: {
      yaml: `version: 1
entries:
  - model: authentik_policies_dummy.dummypolicy
    id: p
    identifiers: {name: tags-policy}
  - model: authentik_core.application
    identifiers: {slug: tags-app}
    attrs:
      name: tags-app
      provider: !Find [authentik_core.provider, [name, no-such-provider]]
  - model: authentik_core.group
    identifiers: {name: tags-group}
    attrs:
      attributes:
        policy_pk: !Find [authentik_policies.policy, [name, tags-policy]]
`,
    },
    version: '2026.5',
    expect: async (c, out) => {
      applied(out);
      const policy = (await bodies(c, 'authentik_policies_dummy.dummypolicy')).find((b) => b.name === 'tags-policy');
      const group = (await bodies(c, 'authentik_core.group')).find((b) => b.name === 'tags-group');
      const app = (await bodies(c, 'authentik_core.application')).find((b) => b.slug === 'tags-app');
      assert.equal(app?.provider, null, '!Find on the provider base model matched nothing: null');
      assert.ok(out.diagnostics.some((d) => d.code === 'AKB4020'));
      assert.equal((group?.attributes as JsonObject | undefined)?.policy_pk, policy?.pk, '!Find on the base model finds the subclass object created earlier');
    },
  },
];

const tally = { rows: 0, pass: 0, differs: 0 };
after(() => {
  if (present)
    console.log(
      `authentik blueprint test conformance: ${tally.rows} rows, ${tally.pass} reach authentik's end state, ${tally.differs} differ (reasons in the rows)`,
    );
});

for (const row of ROWS) {
  test(`${row.authentik}${row.differs ? ` — differs: ${row.differs}` : ''}`, async (t) => {
    if (!present && 'file' in row.fixture) return t.skip(SKIP);
    const registry = bundledRegistry(row.version);
    const sandbox = await createSandbox({ registry, token: TOKEN });
    const client = createClient({ baseUrl: 'http://sandbox.invalid/api/v3', token: TOKEN, registry, transport: sandbox.transport() });
    await row.seed?.(client);
    let text = 'file' in row.fixture ? readFileSync(FIXTURES + row.fixture.file, 'utf8') : row.fixture.yaml;
    if ('file' in row.fixture) {
      const subs = row.fixture.subs ?? {};
      text = text.replace(/%\((\w+)\)s/g, (m, k: string) => subs[k] ?? m).replace(/%%/g, '%');
    }
    const uri = 'file' in row.fixture ? row.fixture.file : 'row.yaml';
    const source: SourceFile = { uri, path: uri, bytes: new TextEncoder().encode(text), origin: { kind: 'file', uri, root: '/nonexistent', local: true } };
    const out = await reconcileOnce(
      { sources: [uri], mode: 'apply' },
      {
        readSources: async () => ({ files: [source], library: [], origins: [source.origin], diagnostics: [] }),
        registry,
        client,
        env: {},
        now: () => new Date('2026-12-01T00:00:00Z'),
      },
    );
    tally.rows++;
    await row.expect(client, out);
    if (row.differs) tally.differs++;
    else tally.pass++;
  });
}
