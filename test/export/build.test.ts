// The export builder against a sandbox holding a hand-made setup: what lands in which file, what is
// left out, how references, secrets and defaults are written, and that the text is stable and
// reads back (through akbp's own loader) as exactly the values the server holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildExport, exportServer, readAll, renderFile } from '../../src/export/index.js';
import { loadBlueprint } from '../../src/load/index.js';
import { ApiError, type Json, type LiveObject, type ServerClient } from '../../src/model/index.js';
import { applySystem, handMadeSetup, haveBlueprints, rest, startServer, type Server } from './helpers.js';
import { modelName } from '../helpers/model.js';

let s: Server;
let objects: Map<string, LiveObject[]>;

before(async () => {
  s = await startServer('2026.5');
  // The system blueprints' managed mappings are what an OAuth2 provider refers to.
  if (haveBlueprints) await applySystem(s);
  // handMadeSetup binds to flows the default blueprints create; these stand in for them.
  for (const [slug, designation] of [
    ['default-provider-authorization-implicit-consent', 'authorization'],
    ['default-invalidation-flow', 'invalidation'],
  ]) {
    await rest(s, 'POST', '/flows/instances/', { slug: slug!, name: slug!, title: slug!, designation: designation! });
  }
  await handMadeSetup(s);
  objects = (await readAll(s.client, s.registry)).objects;
});

after(async () => {
  await s.close();
});

function texts(opts: Parameters<typeof buildExport>[2] = {}, from = objects): Map<string, string> {
  const built = buildExport(from, s.registry, opts);
  return new Map(built.files.map((f) => [f.name, renderFile(f, { authentikVersion: '2026.5' })]));
}

test('each flow (with the stages only it uses), application and the groups and users get a file of their own; no object is declared twice', () => {
  const built = buildExport(objects, s.registry);
  const names = built.files.map((f) => f.name);
  for (const n of ['flow-corp-login', 'application-grafana', 'application-wiki', 'groups-and-users', 'sources_ldap'])
    assert.ok(names.includes(n), names.join(', '));
  const login = built.files.find((f) => f.name === 'flow-corp-login')!;
  assert.deepEqual([...new Set(login.entries.map((e) => e.model))].sort(), [
    'authentik_flows.flow',
    'authentik_flows.flowstagebinding',
    'authentik_policies.policybinding',
    'authentik_policies_expression.expressionpolicy',
    'authentik_stages_identification.identificationstage',
    'authentik_stages_password.passwordstage',
    'authentik_stages_user_login.userloginstage',
  ]);
  // Not bound to the flow, only named by its identification stage: still the flow's.
  assert.ok(
    login.entries.some((e) => e.id === 'passwordstage-corp-login-password'),
    login.entries.map((e) => e.id).join(', '),
  );
  const declared = built.files.flatMap((f) => f.entries.map((e) => `${e.model} ${JSON.stringify(e.identifiers)}`));
  assert.equal(new Set(declared).size, declared.length, 'an object declared in two files');
});

test('references are !KeyOf inside a file and !Find on the natural key elsewhere; no pk of this server is written', () => {
  const t = texts();
  const grafana = t.get('application-grafana')!;
  assert.match(grafana, /provider: !KeyOf oauth2provider-grafana/);
  assert.match(grafana, /authorization_flow: !Find \[authentik_flows\.flow, \[slug, default-provider-authorization-implicit-consent\]\]/);
  assert.match(grafana, /group: !Find \[authentik_core\.group, \[name, contractors\]\]/);
  // The registry does not list an entitlement's `app` as a reference; its uuid is recognised.
  assert.match(grafana, /id: applicationentitlement-grafana-grafana-editors\n {4}identifiers:\n {6}app: !KeyOf application-grafana\n {6}name: grafana-editors/);
  assert.match(t.get('groups-and-users')!, /parents:\n {8}- !KeyOf group-engineering/);
  const all = [...t.values()].join('\n');
  for (const list of objects.values()) for (const o of list) if (typeof o.pk === 'string') assert.ok(!all.includes(o.pk), `pk ${o.pk} of ${o.model} written`);
});

test('secrets are !Env names listed for .env.example, never values; readable and write-only alike', () => {
  const built = buildExport(objects, s.registry);
  const all = [...texts().values()].join('\n');
  assert.ok(!all.includes('grafana-client-secret-2') && !all.includes('ldap-bind-secret-1'));
  assert.deepEqual(built.env, ['AKBP_EXPORT_LDAPSOURCE_CORP_LDAP_BIND_PASSWORD', 'AKBP_EXPORT_OAUTH2PROVIDER_GRAFANA_CLIENT_SECRET']);
  assert.match(all, /client_secret: !Env AKBP_EXPORT_OAUTH2PROVIDER_GRAFANA_CLIENT_SECRET/);
  assert.match(all, /bind_password: !Env AKBP_EXPORT_LDAPSOURCE_CORP_LDAP_BIND_PASSWORD/);
  assert.match(texts().get('groups-and-users')!, /# password: not exported/);
});

test('objects authentik manages are left out and found by `managed`; --include-managed declares them', {
  skip: !haveBlueprints && '../shared/authentik/blueprints not present',
}, () => {
  const plain = texts();
  assert.ok(![...plain.values()].some((t) => /identifiers:\n {6}managed:/.test(t)));
  assert.match(
    plain.get('application-grafana')!,
    /!Find \[authentik_providers_oauth2\.scopemapping, \[managed, goauthentik\.io\/providers\/oauth2\/scope-openid\]\]/,
  );
  const built = buildExport(objects, s.registry);
  assert.ok(built.counts.managed >= 3, `${built.counts.managed} managed`);
  const withManaged = buildExport(objects, s.registry, { includeManaged: true });
  const outpost = withManaged.files.flatMap((f) => f.entries).find((e) => e.model === 'authentik_outposts.outpost');
  assert.deepEqual(outpost?.identifiers, { managed: 'goauthentik.io/outposts/embedded' });
});

test('fields equal to their defaults are left out; --all-fields writes them; read-only fields never', () => {
  const app = (opts: Parameters<typeof buildExport>[2]) =>
    buildExport(objects, s.registry, opts)
      .files.flatMap((f) => f.entries)
      .find((e) => e.id === 'application-wiki')!;
  assert.equal(app({}).attrs.policy_engine_mode, undefined);
  assert.equal(app({}).attrs.open_in_new_tab, true, 'a non-default value is written');
  assert.equal(app({ allFields: true }).attrs.policy_engine_mode, 'any');
  for (const ro of ['pk', 'launch_url', 'provider_obj', 'meta_icon_url']) assert.ok(!(ro in app({ allFields: true }).attrs), ro);
});

test('--single-file writes one file whose references to exported objects are all !KeyOf', () => {
  const t = texts({ singleFile: true });
  assert.deepEqual([...t.keys()], ['authentik-export']);
  const text = t.get('authentik-export')!;
  assert.doesNotMatch(text, /!Find \[authentik_(flows\.flow|core\.group|stages_password\.passwordstage),/);
  if (haveBlueprints) assert.match(text, /!Find \[authentik_providers_oauth2\.scopemapping, \[managed,/, 'managed objects are still found');
});

test('--model and --match narrow the export; an application match brings its provider and bindings', () => {
  const onlyGroups = buildExport(objects, s.registry, { models: ['authentik_core.group'] });
  assert.deepEqual([...new Set(onlyGroups.files.flatMap((f) => f.entries.map((e) => e.model)))], ['authentik_core.group']);
  const grafana = buildExport(objects, s.registry, { match: ['grafana'] });
  assert.deepEqual(
    grafana.files.map((f) => f.name),
    ['application-grafana'],
  );
  assert.deepEqual(grafana.files[0]!.entries.map((e) => e.model).sort(), [
    'authentik_core.application',
    'authentik_core.applicationentitlement',
    'authentik_policies.policybinding',
    'authentik_policies.policybinding',
    'authentik_policies_expression.expressionpolicy',
    'authentik_providers_oauth2.oauth2provider',
  ]);
  const users = buildExport(objects, s.registry, { match: ['a*'], models: ['authentik_core.user'] });
  assert.deepEqual(
    users.files.flatMap((f) => f.entries.map((e) => e.id)),
    ['user-akadmin', 'user-alice'],
  );
});

test('the output does not depend on list order: objects read in reverse give the same text', () => {
  const reversed = new Map([...objects.entries()].reverse().map(([k, v]) => [k, [...v].reverse()]));
  assert.deepEqual(texts({}, reversed), texts());
});

test("values read back through akbp's loader as the server holds them: YAML 1.1 look-alikes, multi-line text, JSON attributes", async () => {
  const tricky: { [k: string]: Json } = {
    yes: 'yes',
    on: 'on',
    octal: '0755',
    date: '2024-01-01',
    time: '12:30:00',
    colon: 'a: b',
    hash: '#channel',
    tilde: '~',
    nul: 'null',
    empty: '',
    spaces: '  leading and trailing  ',
    multi: 'line one\nline two\n',
    multiNoEol: 'first\n  indented',
    tabs: 'a\tb',
    tabLines: 'x\n\ty\n',
    unicode: 'Grüße ✓',
    float: '1e3',
    bool: true,
    num: 1.5,
    nested: { list: [1, 'two', null], deep: { k: 'v' } },
  };
  await rest(s, 'POST', '/core/users/', { username: 'tricky', name: 'Tricky', attributes: tricky });
  const fresh = (await readAll(s.client, s.registry)).objects;
  const file = buildExport(fresh, s.registry, { models: ['authentik_core.user'], match: ['tricky'] }).files[0]!;
  const text = renderFile(file, { authentikVersion: '2026.5' });
  const loaded = loadBlueprint({ uri: 'x.yaml', path: 'x.yaml', bytes: new TextEncoder().encode(text), origin: { kind: 'file', uri: 'x.yaml', local: true } });
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.deepEqual(loaded.blueprint!.entries[0]!.attrs.attributes, tricky);
});

test('a model the token may not list is reported, and references into it are written as read, with a warning', async () => {
  const refusing: ServerClient = Object.create(s.client) as ServerClient;
  refusing.list = async (model, query) => {
    if (model === 'authentik_core.group') throw new ApiError(403, 'GET', '/core/groups/', { detail: 'You do not have permission to perform this action.' });
    return s.client.list(model, query);
  };
  const out = await exportServer(refusing, s.registry, { models: ['authentik_core.user'] });
  assert.deepEqual([...new Set(out.diagnostics.map((d) => d.code))].sort(), ['AKB4301', 'AKB4303']);
  assert.match(out.diagnostics.find((d) => d.code === 'AKB4301')!.summary, /authentik_core\.group/);
  assert.ok(
    out.diagnostics.every((d) => d.severity !== 'error'),
    'the rest is still exported',
  );
  assert.ok(out.files.some((f) => /username: alice/.test(f.text)));
});

test('blueprint instances authentik discovered in its own directory are left out; OCI and inline ones are exported', async () => {
  await rest(s, 'POST', '/managed/blueprints/', { name: 'from-oci', path: 'oci://registry.example.com/iam/blueprints:prod', context: {}, enabled: true });
  const fresh = (await readAll(s.client, s.registry)).objects;
  // The sandbox has no blueprint directory to discover, so the discovered instance is made up as
  // authentik's discovery writes it.
  const model = modelName('authentik_blueprints.blueprintinstance');
  const discovered: LiveObject = {
    model,
    pk: '0b4c3d1e-5f6a-4b7c-8d9e-0f1a2b3c4d5e',
    body: {
      pk: '0b4c3d1e-5f6a-4b7c-8d9e-0f1a2b3c4d5e',
      name: 'Default - Out-of-box-experience flow',
      path: 'default/flow-oobe.yaml',
      content: '',
      context: {},
      enabled: true,
      managed_models: [],
      metadata: {},
    },
  };
  fresh.set(model, [...(fresh.get(model) ?? []), discovered]);
  const names = buildExport(fresh, s.registry, { models: ['authentik_blueprints.blueprintinstance'] }).files.flatMap((f) =>
    f.entries.map((e) => e.identifiers.name),
  );
  assert.deepEqual(names, ['from-oci']);
});

test('a list answer with something other than a list where a many-to-many list is expected is exported, not a crash', () => {
  const odd = new Map(objects);
  odd.set(
    'authentik_core.application',
    (objects.get('authentik_core.application') ?? []).map((o) => ({ ...o, body: { ...o.body, backchannel_providers: {} } })),
  );
  odd.set('authentik_stages_prompt.promptstage', [
    {
      model: modelName('authentik_stages_prompt.promptstage'),
      pk: '6a1f3c2e-9b8d-4e7f-a6c5-1d2e3f4a5b6c',
      body: { pk: '6a1f3c2e-9b8d-4e7f-a6c5-1d2e3f4a5b6c', name: 'odd-prompts', fields: {}, validation_policies: [] },
    },
  ]);
  const built = buildExport(odd, s.registry);
  assert.ok(built.files.some((f) => f.name === 'application-grafana'));
  assert.ok(built.files.some((f) => f.entries.some((e) => e.id === 'promptstage-odd-prompts')));
});
