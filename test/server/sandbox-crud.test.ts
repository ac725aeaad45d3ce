// CRUD, blueprint-only actions, lookup addressing and error diagnostics against the sandbox over
// real HTTP. Every log line, error and diagnostic produced here is grepped for the token at the end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { ApiError } from '../../src/model/errors.js';
import type { Diagnostic, SourceRange } from '../../src/model/types.js';
import { type Sandbox, createSandbox } from '../../src/sandbox/index.js';
import { type LogLine, apiErrorDiagnostics, createClient } from '../../src/server/index.js';

const TOKEN = 'sbx-canary-crud-93b7aa51';
const registry = bundledRegistry('2023.6');
let sb: Sandbox;
let http: { url: string; close(): Promise<void> };
const logs: LogLine[] = [];
const captured: string[] = [];

const client = (token = TOKEN) => createClient({ baseUrl: `${http.url}/`, token, registry, log: (l) => void logs.push(l) });

async function failure(p: Promise<unknown>, ctx: Parameters<typeof apiErrorDiagnostics>[1] = {}): Promise<{ err: ApiError; diags: Diagnostic[] }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    const diags = apiErrorDiagnostics(e, ctx);
    captured.push(e.message, e.stack ?? '', JSON.stringify(e.body), JSON.stringify(diags));
    return { err: e, diags };
  }
  assert.fail('expected the call to fail');
}

before(async () => {
  sb = await createSandbox({ registry, token: TOKEN });
  http = await sb.listen('127.0.0.1', 0);
});
after(async () => {
  await http.close();
  const all = JSON.stringify(logs) + captured.join('\n');
  assert.ok(logs.length > 20 && captured.length > 5, 'something must have been captured');
  assert.ok(!all.includes(TOKEN), 'token leaked into a log line, error or diagnostic');
});

test('user: create, get, patch only the given fields, set_password, delete twice', async () => {
  const c = client();
  const u = await c.create('authentik_core.user', { username: 'alice', name: 'Alice', email: 'a@example.com' });
  assert.equal(typeof u.pk, 'number');
  assert.equal((await c.get('authentik_core.user', u.pk))?.body.email, 'a@example.com');
  sb.clearLog();
  const p = await c.patch('authentik_core.user', u.pk, { name: 'Alice A.' });
  assert.equal(p.body.name, 'Alice A.');
  assert.equal(p.body.email, 'a@example.com');
  assert.deepEqual(sb.requestLog, [{ method: 'PATCH', path: `/core/users/${u.pk}/`, status: 200 }]);
  sb.clearLog();
  assert.equal(await c.action('authentik_core.user', u.pk, 'set_password', { password: 'pw-not-logged-1' }), null);
  assert.deepEqual(sb.requestLog, [{ method: 'POST', path: `/core/users/${u.pk}/set_password/`, status: 204 }]);
  assert.ok(!JSON.stringify(logs).includes('pw-not-logged-1'));
  await c.delete('authentik_core.user', u.pk);
  await c.delete('authentik_core.user', u.pk); // 404: already gone is fine
  assert.equal(await c.get('authentik_core.user', u.pk), null);
  await c.close();
});

test('slug and identifier models are addressed by lookup value given their pk; actions reach the right paths', async () => {
  const c = client();
  const flow = await c.create('authentik_flows.flow', { slug: 'enroll', name: 'Enroll', title: 'Enroll', designation: 'enrollment' });
  const app = await c.create('authentik_core.application', { slug: 'wiki', name: 'Wiki' });
  const tok = await c.create('authentik_core.token', { identifier: 'ci-token', intent: 'api' });
  const src = await c.create('authentik_sources_saml.samlsource', {
    slug: 'corp',
    name: 'Corp',
    sso_url: 'https://idp.example.com/sso',
    pre_authentication_flow: flow.pk,
  });
  sb.clearLog();
  await c.action('authentik_flows.flow', flow.pk, 'set_background_url', { url: 'https://cdn.example.com/bg.png' });
  await c.action('authentik_core.application', app.pk, 'set_icon_url', { url: 'https://cdn.example.com/wiki.png' });
  await c.action('authentik_sources_saml.samlsource', src.pk, 'set_icon_url', { url: 'https://cdn.example.com/corp.png' });
  await c.action('authentik_core.token', tok.pk, 'set_key', { key: 'k-not-logged-2' });
  assert.deepEqual(await c.action('authentik_core.token', tok.pk, 'view_key'), { key: 'k-not-logged-2' });
  assert.deepEqual(
    sb.requestLog.map((r) => `${r.method} ${r.path} ${r.status}`),
    [
      'POST /flows/instances/enroll/set_background_url/ 200',
      'POST /core/applications/wiki/set_icon_url/ 200',
      'POST /sources/all/corp/set_icon_url/ 200',
      'POST /core/tokens/ci-token/set_key/ 204',
      'GET /core/tokens/ci-token/view_key/ 200',
    ],
  );
  assert.equal((await c.get('authentik_core.application', app.pk))?.body.meta_icon, 'https://cdn.example.com/wiki.png');
  // A fresh client (empty index) finds the slug of an application by one list, then patches by slug.
  const fresh = client();
  sb.clearLog();
  const patched = await fresh.patch('authentik_core.application', app.pk, { meta_publisher: 'Docs team' });
  assert.equal(patched.body.meta_publisher, 'Docs team');
  assert.deepEqual(
    sb.requestLog.map((r) => r.method + ' ' + r.path.replace(/\?.*/, '')),
    ['GET /core/applications/', 'PATCH /core/applications/wiki/'],
  );
  // Flows have a pk filter (flow_uuid): one filtered list answers the get by itself.
  sb.clearLog();
  assert.equal((await fresh.get('authentik_flows.flow', flow.pk))?.body.slug, 'enroll');
  assert.match(sb.requestLog[0]!.path, new RegExp(`flow_uuid=${flow.pk}`));
  assert.equal(sb.requestLog.length, 1);
  await fresh.delete('authentik_core.token', tok.pk);
  assert.equal(await fresh.get('authentik_core.token', 'ci-token'), null);
  assert.ok(!JSON.stringify(logs).includes('k-not-logged-2'));
  await c.close();
  await fresh.close();
});

test('tenant pk comes from tenant_uuid; blueprint instance apply returns the instance', async () => {
  const c = client();
  const t = await c.create('authentik_tenants.tenant', { domain: 'sso.example.com' });
  assert.equal(t.pk, t.body.tenant_uuid);
  assert.equal((await c.patch('authentik_tenants.tenant', t.pk, { branding_title: 'Example' })).body.branding_title, 'Example');
  const bp = await c.create('authentik_blueprints.blueprintinstance', { name: 'inline', path: '', content: 'version: 1\nentries: []\n' });
  const applied = (await c.action('authentik_blueprints.blueprintinstance', bp.pk, 'apply')) as { status?: string };
  assert.equal(applied.status, 'successful');
  await c.close();
});

test('version comes from /admin/version/', async () => {
  const c = client();
  assert.equal(await c.version(), '2023.6.1');
  await c.close();
});

test('400 field errors point at the YAML value of the attr', async () => {
  const c = client();
  const uri = 'blueprints/users.yaml';
  const fields: { [f: string]: SourceRange } = { username: { uri, start: 40, end: 45 }, name: { uri, start: 60, end: 62 } };
  await c.create('authentik_core.user', { username: 'dup', name: 'Dup' });
  const { err, diags } = await failure(c.create('authentik_core.user', { username: 'dup', name: 'Dup again' }), {
    entryKey: `${uri}#dup`,
    model: 'authentik_core.user',
    fields,
    subject: { uri, start: 20, end: 80 },
  });
  assert.equal(err.status, 400);
  assert.equal(err.uncertain, false);
  assert.equal(diags.length, 1);
  assert.equal(diags[0]!.code, 'AKB6001');
  assert.match(diags[0]!.summary, /^authentik rejected username: .*already exists/);
  assert.deepEqual(diags[0]!.subject, fields.username);
  assert.equal(diags[0]!.entry, `${uri}#dup`);
  await c.close();
});

test("403: a non-superuser's token gets a diagnostic naming the permission; a wrong token an authentication one", async () => {
  const c = client();
  const bob = await c.create('authentik_core.user', { username: 'bob', name: 'Bob' });
  const tok = await c.create('authentik_core.token', { identifier: 'bob-api', intent: 'api', user: bob.pk });
  await c.action('authentik_core.token', tok.pk, 'set_key', { key: 'bob-key-8812' });
  const asBob = client('bob-key-8812');
  const { diags } = await failure(asBob.create('authentik_core.user', { username: 'eve', name: 'Eve' }), { model: 'authentik_core.user' });
  assert.equal(diags[0]!.code, 'AKB6003');
  assert.equal(diags[0]!.summary, "the token's user needs permission to add users (authentik_core.add_user); use a superuser token");
  const wrong = client(`${TOKEN}-wrong`);
  const bad = await failure(wrong.list('authentik_core.user'));
  assert.equal(bad.diags[0]!.code, 'AKB6004');
  assert.match(bad.diags[0]!.summary, /Token invalid\/expired/);
  await Promise.all([c.close(), asBob.close(), wrong.close()]);
});

test('404: patching a vanished object, and a deferred reference to a missing one', async () => {
  const c = client();
  const { err, diags } = await failure(c.patch('authentik_core.user', 987654, { name: 'x' }), { model: 'authentik_core.user' });
  assert.equal(err.status, 404);
  assert.equal(diags[0]!.code, 'AKB6006');
  const ref = await failure(c.action('authentik_flows.flow', 'no-such-flow', 'set_background_url', { url: 'https://x/y.png' }), {
    reference: '!Find [authentik_flows.flow, [slug, no-such-flow]]',
  });
  assert.equal(ref.diags[0]!.code, 'AKB6005');
  assert.match(ref.diags[0]!.summary, /^!Find \[authentik_flows\.flow, \[slug, no-such-flow\]\] points at an object that does not exist/);
  await c.close();
});
