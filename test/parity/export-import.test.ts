// authentik's own exports applied with the real CLI (authentik's test_v1 export tests): objects
// are made on a source sandbox, exported the way authentik's FlowExporter writes them (entries
// identified by the source's pks, references as raw pks of the source), and applied to a second,
// empty sandbox over HTTP. The end state must be the source's objects, linked to each other; a
// second apply writes nothing; a pk that exists nowhere is a plan error before any write.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { findModel } from '../../src/authentik/registry.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import type { Registry } from '../../src/authentik/registry.js';
import type { Json, JsonObject, LiveObject, ServerClient } from '../../src/model/index.js';
import { runCli } from '../helpers/cli.js';

const TOKEN = 'akbp-export-import-token-5e6f7a8b';

interface Install {
  registry: Registry;
  sandbox: Sandbox;
  client: ServerClient;
  url: string;
  close(): Promise<void>;
}

// Different seeds: the target must not hand out the source's uuids by coincidence.
let seed = 100;
async function install(version: string): Promise<Install> {
  const registry = bundledRegistry(version);
  const sandbox = await createSandbox({ registry, token: TOKEN, seed: seed++ });
  const server = await sandbox.listen('127.0.0.1', 0);
  const client = createClient({ baseUrl: server.url, token: TOKEN, registry });
  return {
    registry,
    sandbox,
    client,
    url: server.url,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

let dir: string;
const open: Install[] = [];
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'akbp-export-import-'));
});
after(async () => {
  for (const i of open) await i.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
async function fresh(version: string): Promise<Install> {
  const i = await install(version);
  open.push(i);
  return i;
}

const STAGE = 'authentik_stages_user_login.userloginstage';
const PROMPT_STAGE = 'authentik_stages_prompt.promptstage';
const PROMPT = 'authentik_stages_prompt.prompt';
const POLICY = 'authentik_policies_expression.expressionpolicy';
const FLOW = 'authentik_flows.flow';
const FSB = 'authentik_flows.flowstagebinding';
const BINDING = 'authentik_policies.policybinding';

/** One entry as authentik's `BlueprintEntry.from_model` writes it: the pk, extra natural keys, the rest as attrs. */
function exported(registry: Registry, o: LiveObject, ...natural: string[]): JsonObject {
  const info = findModel(registry, o.model)!;
  const identifiers: JsonObject = { pk: o.pk };
  const attrs: JsonObject = {};
  for (const [k, v] of Object.entries(o.body)) {
    if (k === 'pk' || k === info.pkField || info.readOnlyFields.includes(k) || k.endsWith('_set')) continue;
    if (natural.includes(k)) identifiers[k] = v;
    else attrs[k] = v;
  }
  return { identifiers, model: o.model, attrs };
}

/** authentik's FlowExporter order: flow, prompts, policies, stages, stage bindings, policy bindings. */
async function exportFlow(from: Install, slug: string): Promise<string> {
  const c = from.client;
  const ex = (o: LiveObject, ...natural: string[]) => exported(from.registry, o, ...natural);
  const flow = (await c.list(FLOW)).find((f) => f.body.slug === slug)!;
  const fsbs = (await c.list(FSB)).filter((b) => b.body.target === flow.pk);
  const stageObjs: LiveObject[] = [];
  for (const m of [STAGE, PROMPT_STAGE]) for (const s of await c.list(m)) if (fsbs.some((b) => b.body.stage === s.pk)) stageObjs.push(s);
  const promptPks = new Set(stageObjs.flatMap((s) => (Array.isArray(s.body.fields) ? s.body.fields.map(String) : [])));
  const prompts = (await c.list(PROMPT)).filter((p) => promptPks.has(String(p.pk)));
  const targets = new Set([String(flow.pk), ...fsbs.map((b) => String(b.pk))]);
  const bindings = (await c.list(BINDING)).filter((b) => targets.has(String(b.body.target)));
  const policyPks = new Set([
    ...bindings.map((b) => String(b.body.policy)),
    ...stageObjs.flatMap((s) => (Array.isArray(s.body.validation_policies) ? s.body.validation_policies.map(String) : [])),
  ]);
  const policies = (await c.list(POLICY)).filter((p) => policyPks.has(String(p.pk)));
  const entries = [
    ex(flow, 'slug'),
    ...prompts.map((p) => ex(p)),
    ...policies.map((p) => ex(p)),
    ...stageObjs.map((s) => ex(s, 'name')),
    ...fsbs.map((b) => ex(b, 'target', 'stage', 'order')),
    ...bindings.map((b) => ex(b, 'policy', 'target', 'order')),
  ];
  return stringify({ version: 1, metadata: { name: 'authentik Export', labels: { 'blueprints.goauthentik.io/generated': 'true' } }, entries });
}

/** The objects of a flow with every pk replaced by the name of what it points at: comparable across installs. */
async function flowView(c: ServerClient, slug: string): Promise<Json> {
  const flow = (await c.list(FLOW)).find((f) => f.body.slug === slug);
  if (!flow) return null;
  const stages = [...(await c.list(STAGE)), ...(await c.list(PROMPT_STAGE))];
  const prompts = await c.list(PROMPT);
  const policies = await c.list(POLICY);
  const fsbs = (await c.list(FSB)).filter((b) => b.body.target === flow.pk);
  const nameOf = (list: LiveObject[], pk: Json | undefined): string =>
    String(list.find((o) => String(o.pk) === String(pk))?.body.name ?? `missing ${String(pk)}`);
  const names = (list: LiveObject[], pks: Json | undefined): string[] => (Array.isArray(pks) ? pks.map((p) => nameOf(list, p)).sort() : []);
  const boundStages = stages.filter((s) => fsbs.some((b) => b.body.stage === s.pk));
  const target = (pk: Json | undefined): string => {
    if (String(pk) === String(flow.pk)) return `flow ${slug}`;
    const b = fsbs.find((x) => String(x.pk) === String(pk));
    return b ? `binding ${nameOf(stages, b.body.stage)}@${String(b.body.order)}` : `missing ${String(pk)}`;
  };
  const targets = new Set([String(flow.pk), ...fsbs.map((b) => String(b.pk))]);
  return {
    flow: { name: flow.body.name!, title: flow.body.title!, designation: flow.body.designation! },
    stages: boundStages
      .map((s) => ({ model: s.model, name: s.body.name!, fields: names(prompts, s.body.fields), policies: names(policies, s.body.validation_policies) }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    prompts: prompts
      .filter((p) => boundStages.some((s) => Array.isArray(s.body.fields) && s.body.fields.map(String).includes(String(p.pk))))
      .map((p) => [p.body.name!, p.body.field_key!, p.body.label!, p.body.type!, p.body.order!])
      .sort(),
    bindings: fsbs.map((b) => [nameOf(stages, b.body.stage), b.body.order!, b.body.evaluate_on_plan!, b.body.re_evaluate_policies!]).sort(),
    policyBindings: (await c.list(BINDING))
      .filter((b) => targets.has(String(b.body.target)))
      .map((b) => [nameOf(policies, b.body.policy), target(b.body.target), b.body.order!, b.body.enabled!])
      .sort(),
  };
}

const writes = (i: Install) => i.sandbox.requestLog.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
const target = (i: Install) => ['--server', i.url, '--token', TOKEN];

function write(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

async function applyExport(to: Install, file: string, state: string) {
  return runCli(['apply', file, ...target(to), '--state', state, '--yes'], { cwd: dir });
}

/** Second apply of the same export: the plan is empty (exit 0 with --detailed-exitcode) and nothing is written. */
async function assertReimportIsNoop(to: Install, file: string, state: string): Promise<void> {
  to.sandbox.clearLog();
  const planned = await runCli(['plan', file, ...target(to), '--state', state, '--detailed-exitcode'], { cwd: dir });
  assert.equal(planned.code, 0, planned.stdout + planned.stderr);
  const again = await applyExport(to, file, state);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.deepEqual(writes(to), [], 'the re-import wrote nothing');
}

async function loginFlow(c: ServerClient, slug: string): Promise<void> {
  const stage = await c.create(STAGE, { name: `${slug}-login` });
  const flow = await c.create(FLOW, { slug, name: `${slug} name`, title: `${slug} title`, designation: 'authentication' });
  await c.create(FSB, { target: flow.pk, stage: stage.pk, order: 0 });
}

// authentik's fixture (static_prompt_export.yaml as of 2023.2, when prompts gained `name`).
const STATIC_PROMPT = `version: 1
entries:
    - identifiers:
          pk: 7d1e5c2a-3b4f-4a6e-9c8d-0f1e2d3c4b5a
      model: authentik_stages_prompt.prompt
      attrs:
          name: exp-static-username
          field_key: username
          label: Username
          type: username
          required: true
          placeholder: Username
          order: 0
`;

for (const version of ['2023.6', '2026.5']) {
  test(`${version}: test_export_validate_import: an exported flow, stage and binding apply to an empty install; a second apply writes nothing`, async () => {
    const [src, dst] = [await fresh(version), await fresh(version)];
    await loginFlow(src.client, 'exp-login');
    const text = await exportFlow(src, 'exp-login');
    assert.equal((text.match(/- identifiers:/g) ?? []).length, 3, 'flow, stage, binding');
    const file = write(`${version}-exp-login.yaml`, text);
    const state = join(dir, `${version}-exp-login.state.json`);

    const applied = await applyExport(dst, file, state);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.deepEqual(await flowView(dst.client, 'exp-login'), await flowView(src.client, 'exp-login'));
    // The binding points at the new objects, not at the source's pks.
    const [flow] = (await dst.client.list(FLOW)).filter((f) => f.body.slug === 'exp-login');
    const [fsb] = await dst.client.list(FSB);
    assert.equal(fsb?.body.target, flow?.pk);
    assert.notEqual(flow?.pk, (await src.client.list(FLOW)).find((f) => f.body.slug === 'exp-login')?.pk);

    await assertReimportIsNoop(dst, file, state);
  });

  test(`${version}: test_export_validate_import_policies: policy bindings on the flow and on its stage binding point at the new objects`, async () => {
    const [src, dst] = [await fresh(version), await fresh(version)];
    const c = src.client;
    const policy = await c.create(POLICY, { name: 'exp-pol-policy', expression: 'return True' });
    const flow = await c.create(FLOW, { slug: 'exp-pol', name: 'exp-pol', title: 'exp-pol', designation: 'authentication' });
    await c.create(BINDING, { policy: policy.pk, target: flow.pk, order: 0 });
    const stage = await c.create(STAGE, { name: 'exp-pol-login' });
    const fsb = await c.create(FSB, { target: flow.pk, stage: stage.pk, order: 0 });
    await c.create(BINDING, { policy: policy.pk, target: fsb.pk, order: 0 });

    const file = write(`${version}-exp-pol.yaml`, await exportFlow(src, 'exp-pol'));
    const state = join(dir, `${version}-exp-pol.state.json`);
    const applied = await applyExport(dst, file, state);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const view = await flowView(dst.client, 'exp-pol');
    assert.deepEqual(view, await flowView(c, 'exp-pol'));
    assert.deepEqual((view as { policyBindings: Json[] }).policyBindings, [
      ['exp-pol-policy', 'binding exp-pol-login@0', 0, true],
      ['exp-pol-policy', 'flow exp-pol', 0, true],
    ]);
    await assertReimportIsNoop(dst, file, state);
  });

  test(`${version}: test_export_validate_import_prompt: a prompt stage keeps its three prompts, each created once`, async () => {
    const [src, dst] = [await fresh(version), await fresh(version)];
    const c = src.client;
    const prompts = [];
    for (const [i, [key, type]] of [
      ['username', 'text'],
      ['password', 'password'],
      ['password_repeat', 'password'],
    ].entries()) {
      prompts.push(await c.create(PROMPT, { name: `exp-prompt-${key}`, field_key: key!, label: key!, type: type!, order: i }));
    }
    const stage = await c.create(PROMPT_STAGE, { name: 'exp-prompt-stage', fields: prompts.map((p) => p.pk), validation_policies: [] });
    const flow = await c.create(FLOW, { slug: 'exp-prompt', name: 'exp-prompt', title: 'exp-prompt', designation: 'enrollment' });
    await c.create(FSB, { target: flow.pk, stage: stage.pk, order: 0 });

    const file = write(`${version}-exp-prompt.yaml`, await exportFlow(src, 'exp-prompt'));
    const state = join(dir, `${version}-exp-prompt.state.json`);
    const applied = await applyExport(dst, file, state);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.deepEqual(await flowView(dst.client, 'exp-prompt'), await flowView(c, 'exp-prompt'));
    assert.equal((await dst.client.list(PROMPT)).length, 3);
    await assertReimportIsNoop(dst, file, state);
    assert.equal((await dst.client.list(PROMPT)).length, 3, 'the re-import created no prompt');
  });

  test(`${version}: test_export_validate_import_re_import: a prompt identified only by pk is created once, however often it is applied`, async () => {
    const dst = await fresh(version);
    const file = write(`${version}-static-prompt.yaml`, STATIC_PROMPT);
    const state = join(dir, `${version}-static-prompt.state.json`);
    const count = async () => (await dst.client.list(PROMPT)).filter((p) => p.body.field_key === 'username').length;
    const initial = await count();
    const first = await applyExport(dst, file, state);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(await count(), initial + 1);
    await assertReimportIsNoop(dst, file, state);
    assert.equal(await count(), initial + 1);
  });

  test(`${version}: an export applied back to its own install matches every object by pk: nothing to do, and a changed field is an update of that object`, async () => {
    const src = await fresh(version);
    await loginFlow(src.client, 'exp-same');
    const file = write(`${version}-exp-same.yaml`, await exportFlow(src, 'exp-same'));
    const state = join(dir, `${version}-exp-same.state.json`);
    src.sandbox.clearLog();
    const planned = await runCli(['plan', file, ...target(src), '--state', state, '--detailed-exitcode'], { cwd: dir });
    assert.equal(planned.code, 0, planned.stdout + planned.stderr);

    const stage = (await src.client.list(STAGE))[0]!;
    await src.client.patch(STAGE, stage.pk, { name: 'renamed-by-hand' });
    src.sandbox.clearLog();
    const applied = await applyExport(src, file, state);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.deepEqual(
      writes(src).map((w) => w.method),
      ['PATCH'],
      'the stage found by its exported pk is updated, not created again',
    );
    assert.equal((await src.client.get(STAGE, stage.pk))?.body.name, 'exp-same-login');
  });

  test(`${version}: an export with a pk that exists nowhere is a plan error naming its line, and nothing is written`, async () => {
    const [src, dst] = [await fresh(version), await fresh(version)];
    await loginFlow(src.client, 'exp-dangling');
    const stagePk = String((await src.client.list(STAGE))[0]!.pk);
    // The stage's entry is left out: the binding refers to a stage of the source install only.
    const text = (await exportFlow(src, 'exp-dangling')).replace(
      /^ {2}- identifiers:\n {6}pk: [^\n]+\n {6}name: exp-dangling-login\n(?: {4}.*\n)+?(?= {2}- )/m,
      '',
    );
    assert.ok(!text.includes('name: exp-dangling-login'), text);
    const file = write(`${version}-exp-dangling.yaml`, text);
    const line = text.split('\n').findIndex((l) => l.includes(`stage: ${stagePk}`)) + 1;
    assert.ok(line > 0, text);

    dst.sandbox.clearLog();
    const r = await applyExport(dst, file, join(dir, `${version}-exp-dangling.state.json`));
    assert.notEqual(r.code, 0);
    const out = r.stdout + r.stderr;
    assert.match(out, new RegExp(`exp-dangling\\.yaml:${line}:\\d+: error AKB4027: stage: pk "${stagePk}" is neither on the server`));
    assert.deepEqual(writes(dst), [], 'nothing was written');
    assert.ok(dst.sandbox.requestLog.length > 0, 'the plan did read the server');
  });
}
