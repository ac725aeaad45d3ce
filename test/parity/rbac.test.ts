// authentik 2024.8+ grants permissions from blueprints: role (and user) `permissions` attrs are
// global permissions, an entry's `permissions` are object permissions on its object. The importer
// only adds them. akbp plans them as readable grants, writes them through the RBAC endpoints
// once the object exists, and a second plan is empty. The sandbox serves those endpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { runCli } from '../helpers/cli.js';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { Json, JsonObject } from '../../src/model/index.js';

const TOKEN = 'akbp-rbac-test-token-5b7e';

const ROLE_AND_FLOW = `version: 1
entries:
  - model: authentik_rbac.role
    id: role
    identifiers:
      name: flow-viewers
    attrs:
      permissions:
        - authentik_flows.view_flow
        - authentik_core.view_application
  - model: authentik_flows.flow
    identifiers:
      slug: rbac-flow
    attrs:
      designation: authentication
      name: RBAC flow
      title: RBAC flow
    permissions:
      - permission: authentik_flows.view_flow
        role: !KeyOf role
      - permission: change_flow
        role: !KeyOf role
`;

interface Ctx {
  dir: string;
  sb: string;
  bp: string;
  env: NodeJS.ProcessEnv;
  cli(cmd: string, ...extra: string[]): Promise<{ code: number; out: string }>;
  /** The sandbox's state, reopened: what a second client of the same server sees. */
  server(): Promise<Sandbox>;
}

async function withDir(yaml: string, fn: (c: Ctx) => Promise<void>, version = '2026.5'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-rbac-'));
  try {
    const sb = join(dir, 'sandbox.json');
    const bp = join(dir, 'rbac.yaml');
    writeFileSync(bp, yaml);
    const env = { PATH: process.env.PATH, HOME: dir, CI: 'true' };
    const c: Ctx = {
      dir,
      sb,
      bp,
      env,
      cli: async (cmd, ...extra) => {
        const r = await runCli([cmd, '--sandbox', sb, '--authentik-version', version, bp, ...extra], { cwd: dir, env });
        return { code: r.code, out: r.stdout + r.stderr };
      },
      server: () => createSandbox({ registry: bundledRegistry(version), token: TOKEN, statePath: sb }),
    };
    await fn(c);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function call(s: Sandbox, method: string, path: string, body?: Json): Promise<{ status: number; body: Json }> {
  const res = await s.handle({
    method,
    path,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: res.body === '' ? null : (JSON.parse(res.body) as Json) };
}

async function results(s: Sandbox, path: string): Promise<JsonObject[]> {
  const r = await call(s, 'GET', path);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return (r.body as { results: JsonObject[] }).results;
}

async function pkOf(s: Sandbox, path: string): Promise<string> {
  const [row] = await results(s, path);
  assert.ok(row, `${path} found nothing`);
  return String(row.pk);
}

async function globalPerms(s: Sandbox, role: string): Promise<string[]> {
  return (await results(s, `/rbac/permissions/?role=${role}`)).map((p) => `${String(p.app_label)}.${String(p.codename)}`).sort();
}

test('role and object permissions: plan shows each grant, apply grants them through the RBAC endpoints, a second plan is empty', async () => {
  await withDir(ROLE_AND_FLOW, async (c) => {
    const plan = await c.cli('plan');
    assert.equal(plan.code, 0, plan.out);
    assert.match(plan.out, /\+ permission authentik_flows\.view_flow: "global"/);
    assert.match(plan.out, /\+ permission authentik_core\.view_application: "global"/);
    // A bare codename belongs to the object's own app, as the importer reads it.
    assert.match(plan.out, /\+ permission authentik_flows\.change_flow for role !KeyOf role/);

    const apply = await c.cli('apply', '--yes');
    assert.equal(apply.code, 0, apply.out);

    const s = await c.server();
    const role = await pkOf(s, '/rbac/roles/?name=flow-viewers');
    const flow = await pkOf(s, '/flows/instances/?slug=rbac-flow');
    assert.deepEqual(await globalPerms(s, role), ['authentik_core.view_application', 'authentik_flows.view_flow']);
    const byRole = await results(s, `/rbac/permissions/assigned_by_roles/?model=authentik_flows.flow&object_pk=${flow}`);
    assert.equal(byRole.length, 1);
    assert.equal(byRole[0]!.role_pk, role);
    assert.deepEqual((byRole[0]!.object_permissions as JsonObject[]).map((p) => p.codename).sort(), ['change_flow', 'view_flow']);
    const objectRows = await results(s, `/rbac/permissions/roles/?uuid=${role}`);
    assert.deepEqual(objectRows.map((p) => `${String(p.codename)} ${String(p.object_pk)}`).sort(), [`change_flow ${flow}`, `view_flow ${flow}`]);

    const again = await c.cli('plan', '--detailed-exitcode');
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /No changes/);
  });
});

test('permissions are only ever added, as the importer adds them: one granted elsewhere stays, one revoked on the server is planned again', async () => {
  await withDir(ROLE_AND_FLOW, async (c) => {
    assert.equal((await c.cli('apply', '--yes')).code, 0);
    let s = await c.server();
    const role = await pkOf(s, '/rbac/roles/?name=flow-viewers');
    const flow = await pkOf(s, '/flows/instances/?slug=rbac-flow');
    // Someone grants another permission and revokes a declared one.
    assert.equal((await call(s, 'POST', `/rbac/permissions/assigned_by_roles/${role}/assign/`, { permissions: ['authentik_core.view_user'] })).status, 200);
    assert.equal(
      (
        await call(s, 'PATCH', `/rbac/permissions/assigned_by_roles/${role}/unassign/`, {
          permissions: ['view_flow'],
          model: 'authentik_flows.flow',
          object_pk: flow,
        })
      ).status,
      204,
    );

    const plan = await c.cli('plan', '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.out);
    assert.match(plan.out, /~ flow slug=rbac-flow/);
    assert.match(plan.out, /\+ permission authentik_flows\.view_flow for role flow-viewers: \{"role": ?"[0-9a-f-]+"\}/);
    assert.doesNotMatch(plan.out, /view_user/, 'a permission no blueprint lists is never revoked');
    assert.doesNotMatch(plan.out, /change_flow/, 'a permission the role holds is not planned again');

    assert.equal((await c.cli('apply', '--yes')).code, 0);
    s = await c.server();
    assert.deepEqual(await globalPerms(s, role), ['authentik_core.view_application', 'authentik_core.view_user', 'authentik_flows.view_flow']);
    const rows = await results(s, `/rbac/permissions/roles/?uuid=${role}`);
    assert.deepEqual(rows.map((p) => String(p.codename)).sort(), ['change_flow', 'view_flow']);
    assert.equal((await c.cli('plan', '--detailed-exitcode')).code, 0);
  });
});

test('an unknown permission codename: the server refuses it (400) and apply names the YAML line', async () => {
  const yaml =
    'version: 1\nentries:\n  - model: authentik_rbac.role\n    identifiers:\n      name: typo-role\n    attrs:\n      permissions:\n        - authentik_flows.fly_flow\n';
  await withDir(yaml, async (c) => {
    const r = await c.cli('apply', '--yes');
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /rbac\.yaml:8:\d+: error AKB5003: .*400: permissions: Permission "authentik_flows\.fly_flow" does not exist/);
    // The blueprint is one transaction: the role it created is gone again.
    const s = await c.server();
    assert.equal((await results(s, '/rbac/roles/?name=typo-role')).length, 0);
  });
});

test('a permission that is not app_label.codename is an error on its line before anything is written', async () => {
  const yaml = 'version: 1\nentries:\n  - model: authentik_rbac.role\n    identifiers:\n      name: shape-role\n    attrs:\n      permissions: [view_flow]\n';
  await withDir(yaml, async (c) => {
    const r = await c.cli('apply', '--yes');
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /rbac\.yaml:7:\d+: error AKB4023: permissions: "view_flow" is not a permission/);
    const s = await c.server();
    assert.equal((await results(s, '/rbac/roles/?name=shape-role')).length, 0);
  });
});

test("an entry permission naming a role that does not exist fails the plan, as the importer's lookup error fails the blueprint", async () => {
  const missing = randomUUID();
  const yaml = `version: 1\nentries:\n  - model: authentik_flows.flow\n    identifiers:\n      slug: lonely-flow\n    attrs:\n      designation: authentication\n      name: x\n      title: x\n    permissions:\n      - permission: view_flow\n        role: ${missing}\n`;
  await withDir(yaml, async (c) => {
    const r = await c.cli('plan');
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, new RegExp(`rbac\\.yaml:11:\\d+: error AKB4024: permission authentik_flows\\.view_flow: role ${missing} does not exist`));
  });
});

test("user permissions go to the user's managed role when authentik made one; without it they are a warning on their line", async () => {
  const yaml = `version: 1
entries:
  - model: authentik_core.user
    id: user
    identifiers:
      username: rbac-user
    attrs:
      name: RBAC user
      permissions:
        - authentik_blueprints.view_blueprintinstance
  - model: authentik_flows.flow
    identifiers:
      slug: user-flow
    attrs:
      designation: authentication
      name: x
      title: x
    permissions:
      - permission: view_flow
        user: !KeyOf user
`;
  await withDir(yaml, async (c) => {
    const first = await c.cli('apply', '--yes');
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /rbac\.yaml:10:\d+: warning AKB4025: permissions: the user has no managed role to hold it/);
    assert.match(first.out, /rbac\.yaml:19:\d+: warning AKB4025: permission authentik_flows\.view_flow: the user has no managed role/);

    // authentik itself creates a user's managed role (`ak-managed-role--user-<pk>`); no endpoint does.
    let s = await c.server();
    const user = await pkOf(s, '/core/users/?username=rbac-user');
    const state = JSON.parse(readFileSync(c.sb, 'utf8')) as { seq: number; records: JsonObject[] };
    const managed = randomUUID();
    const name = `ak-managed-role--user-${user}`;
    state.records.push({
      model: 'authentik_rbac.role',
      pk: managed,
      seq: ++state.seq,
      created: new Date().toISOString(),
      data: { name, managed: name },
      secret: {},
    });
    writeFileSync(c.sb, JSON.stringify(state));

    const plan = await c.cli('plan', '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.out);
    assert.doesNotMatch(plan.out, /AKB4025/);
    assert.match(plan.out, /\+ permission authentik_blueprints\.view_blueprintinstance: "global"/);
    assert.match(plan.out, /\+ permission authentik_flows\.view_flow for user rbac-user: \{"user": ?\d+\}/);
    assert.equal((await c.cli('apply', '--yes')).code, 0);
    s = await c.server();
    assert.deepEqual(await globalPerms(s, managed), ['authentik_blueprints.view_blueprintinstance']);
    const flow = await pkOf(s, '/flows/instances/?slug=user-flow');
    assert.deepEqual(
      (await results(s, `/rbac/permissions/roles/?uuid=${managed}`)).map((p) => `${String(p.codename)} ${String(p.object_pk)}`),
      [`view_flow ${flow}`],
    );
    assert.equal((await c.cli('plan', '--detailed-exitcode')).code, 0);
  });
});

test('2023.6 has no RBAC: entry permissions are a warning on their line, as before', async () => {
  const yaml = `version: 1\nentries:\n  - model: authentik_flows.flow\n    identifiers:\n      slug: old-flow\n    attrs:\n      designation: authentication\n      name: x\n      title: x\n    permissions:\n      - permission: view_flow\n        user: 1\n`;
  await withDir(
    yaml,
    async (c) => {
      const r = await c.cli('plan');
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /rbac\.yaml:10:5: warning AKB2017: authentik 2023\.6 ignores entry `permissions`/);
      assert.doesNotMatch(r.out, /\+ permission/);
    },
    '2023.6',
  );
});

test('the sandbox answers the RBAC endpoints as authentik 2026.5 does', async () => {
  const s = await createSandbox({ registry: bundledRegistry('2026.5'), token: TOKEN });
  const role = await call(s, 'POST', '/rbac/roles/', { name: 'r1' });
  assert.equal(role.status, 201);
  const pk = String((role.body as JsonObject).pk);
  // Global permissions need app_label.codename.
  const bare = await call(s, 'POST', `/rbac/permissions/assigned_by_roles/${pk}/assign/`, { permissions: ['view_flow'] });
  assert.equal(bare.status, 400);
  assert.match(JSON.stringify(bare.body), /app_label\.codename/);
  const unknown = await call(s, 'POST', `/rbac/permissions/assigned_by_roles/${pk}/assign/`, { permissions: ['authentik_flows.view_nothing'] });
  assert.equal(unknown.status, 400);
  assert.equal(
    (await call(s, 'POST', `/rbac/permissions/assigned_by_roles/${randomUUID()}/assign/`, { permissions: ['authentik_flows.view_flow'] })).status,
    404,
  );
  const together = await call(s, 'POST', `/rbac/permissions/assigned_by_roles/${pk}/assign/`, { permissions: ['view_flow'], model: 'authentik_flows.flow' });
  assert.equal(together.status, 400);
  const ok = await call(s, 'POST', `/rbac/permissions/assigned_by_roles/${pk}/assign/`, { permissions: ['authentik_flows.view_flow'] });
  assert.equal(ok.status, 200);
  assert.ok(Array.isArray(ok.body) && ok.body.length === 1);
  assert.deepEqual(await globalPerms(s, pk), ['authentik_flows.view_flow']);
  assert.equal((await call(s, 'GET', `/rbac/permissions/?role=${randomUUID()}`)).status, 400);
  assert.equal((await call(s, 'GET', '/rbac/permissions/assigned_by_roles/')).status, 400, 'model is required');
  const catalogue = await results(s, '/rbac/permissions/?codename=view_flow');
  assert.deepEqual(
    catalogue.map((p) => [p.app_label, p.model]),
    [['authentik_flows', 'flow']],
  );
  assert.equal((await call(s, 'PATCH', `/rbac/permissions/assigned_by_roles/${pk}/unassign/`, { permissions: ['authentik_flows.view_flow'] })).status, 204);
  assert.deepEqual(await globalPerms(s, pk), []);
});

test("state created on an existing object: the entry's permissions are still granted, its permissions attr is not (the importer never saves it)", async () => {
  const yaml = `version: 1
entries:
  - model: authentik_rbac.role
    id: role
    state: created
    identifiers:
      name: late-role
    attrs:
      permissions: [authentik_core.view_user]
  - model: authentik_flows.flow
    state: created
    identifiers:
      slug: late-flow
    attrs:
      designation: authentication
      name: x
      title: x
    permissions:
      - permission: view_flow
        role: !KeyOf role
`;
  await withDir(yaml, async (c) => {
    // The objects exist already, made without any permission.
    const s0 = await c.server();
    const role = String(((await call(s0, 'POST', '/rbac/roles/', { name: 'late-role' })).body as JsonObject).pk);
    const flow = await call(s0, 'POST', '/flows/instances/', { slug: 'late-flow', name: 'x', title: 'x', designation: 'authentication' });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    const plan = await c.cli('plan', '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.out);
    assert.match(plan.out, /~ flow slug=late-flow/);
    assert.match(plan.out, /\+ permission authentik_flows\.view_flow for role late-role/);
    assert.doesNotMatch(plan.out, /view_user/);
    assert.equal((await c.cli('apply', '--yes')).code, 0);
    const s = await c.server();
    assert.deepEqual(await globalPerms(s, role), []);
    assert.deepEqual(
      (await results(s, `/rbac/permissions/roles/?uuid=${role}`)).map((p) => p.codename),
      ['view_flow'],
    );
    assert.equal((await c.cli('plan', '--detailed-exitcode')).code, 0);
  });
});
