// `authentik_blueprints.metacleanblueprint` (2026.5) deletes every object of `model_name`
// (authentik's blueprints/v1/meta/clean_blueprint.py: `model.objects.all().delete()`), whoever
// created them, at its place in the file: what earlier entries wrote goes too, what later entries
// declare is written after it. akbp plans those deletes with readable identities, keeps what the
// blueprint declares after the clean, applies the --max-deletes cap as prune does, and executes
// them; the next plan is empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { Json, JsonObject } from '../../src/model/index.js';

const FIXTURE = fileURLToPath(new URL('../../../shared/authentik/blueprints/test-fixtures/meta_clean.yaml', import.meta.url));
const TOKEN = 'akbp-meta-clean-token-2a9c';

async function call(s: Sandbox, method: string, path: string, body?: Json): Promise<{ status: number; body: Json }> {
  const res = await s.handle({
    method,
    path,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: res.body === '' ? null : (JSON.parse(res.body) as Json) };
}

async function slugs(sb: string): Promise<string[]> {
  const s = await createSandbox({ registry: bundledRegistry('2026.5'), token: TOKEN, statePath: sb });
  const r = await call(s, 'GET', '/core/applications/?page_size=100');
  assert.equal(r.status, 200);
  return ((r.body as { results: JsonObject[] }).results ?? []).map((a) => String(a.slug)).sort();
}

/** Applications made by someone else, straight through the API: akbp never owned them. */
async function seedApps(sb: string, n: number): Promise<string[]> {
  const s = await createSandbox({ registry: bundledRegistry('2026.5'), token: TOKEN, statePath: sb });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const slug = `app-${String(i).padStart(2, '0')}`;
    assert.equal((await call(s, 'POST', '/core/applications/', { name: `App ${i}`, slug })).status, 201);
    out.push(slug);
  }
  return out;
}

async function withDir(fn: (dir: string, cli: (...args: string[]) => Promise<{ code: number; out: string }>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-metaclean-'));
  try {
    const env = { PATH: process.env.PATH, HOME: dir, CI: 'true' };
    const cli = async (...args: string[]) => {
      const [cmd, ...rest] = args;
      const r = await runCli([cmd!, '--sandbox', join(dir, 'sandbox.json'), '--authentik-version', '2026.5', ...rest], { cwd: dir, env });
      return { code: r.code, out: r.stdout + r.stderr };
    };
    await fn(dir, cli);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("authentik's meta_clean.yaml: every application is deleted, each shown by its slug, and the next plan is empty", async (t) => {
  if (!existsSync(FIXTURE)) return t.skip('reference corpus ../shared/authentik/blueprints not present');
  await withDir(async (dir, cli) => {
    const sb = join(dir, 'sandbox.json');
    const seeded = await seedApps(sb, 5);
    const bp = join(dir, 'meta_clean.yaml');
    writeFileSync(bp, readFileSync(FIXTURE));
    const plan = await cli('plan', bp, '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.out);
    for (const slug of seeded) assert.match(plan.out, new RegExp(`- application slug=${slug}  \\(meta_clean\\.yaml:3\\)`));
    assert.match(plan.out, /0 to create, 0 to update, 5 to delete/);

    const apply = await cli('apply', bp, '--yes');
    assert.equal(apply.code, 0, apply.out);
    assert.deepEqual(await slugs(sb), []);
    const again = await cli('plan', bp, '--detailed-exitcode');
    assert.equal(again.code, 0, again.out);
  });
});

test('the --max-deletes cap of prune applies: over it nothing is deleted, raising it confirms', async () => {
  await withDir(async (dir, cli) => {
    const sb = join(dir, 'sandbox.json');
    const seeded = await seedApps(sb, 12);
    const bp = join(dir, 'clean.yaml');
    writeFileSync(bp, 'version: 1\nentries:\n  - model: authentik_blueprints.metacleanblueprint\n    attrs:\n      model_name: authentik_core.application\n');
    const refused = await cli('apply', bp, '--yes');
    assert.equal(refused.code, 1, refused.out);
    assert.match(
      refused.out,
      /clean\.yaml:5:19: error AKB4004: metacleanblueprint would delete 12 authentik_core\.application objects, more than --max-deletes 10/,
    );
    assert.deepEqual(await slugs(sb), seeded, 'nothing was deleted');

    const confirmed = await cli('apply', bp, '--yes', '--max-deletes', '12');
    assert.equal(confirmed.code, 0, confirmed.out);
    assert.deepEqual(await slugs(sb), []);
  });
});

test('objects the blueprint declares itself are kept (authentik would recreate them), and a later entry is applied too', async () => {
  await withDir(async (dir, cli) => {
    const sb = join(dir, 'sandbox.json');
    await seedApps(sb, 3);
    const bp = join(dir, 'clean.yaml');
    writeFileSync(
      bp,
      `version: 1
entries:
  - model: authentik_blueprints.metacleanblueprint
    attrs:
      model_name: authentik_core.application
  - model: authentik_core.application
    identifiers:
      slug: app-01
    attrs:
      name: Kept
  - model: authentik_core.application
    identifiers:
      slug: fresh
    attrs:
      name: Fresh
`,
    );
    const apply = await cli('apply', bp, '--yes');
    assert.equal(apply.code, 0, apply.out);
    assert.match(apply.out, /- application slug=app-00/);
    assert.doesNotMatch(apply.out, /- application slug=app-01/);
    assert.deepEqual(await slugs(sb), ['app-01', 'fresh']);
    assert.equal((await cli('plan', bp, '--detailed-exitcode')).code, 0);
  });
});

test('a model_name authentik does not know is an error on its line before anything is deleted', async () => {
  await withDir(async (dir, cli) => {
    const sb = join(dir, 'sandbox.json');
    await seedApps(sb, 1);
    const bp = join(dir, 'clean.yaml');
    writeFileSync(bp, 'version: 1\nentries:\n  - model: authentik_blueprints.metacleanblueprint\n    attrs:\n      model_name: authentik_core.nothing\n');
    const r = await cli('apply', bp, '--yes');
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /clean\.yaml:5:19: error AKB\d+: .*authentik_core\.nothing/);
    assert.deepEqual(await slugs(sb), ['app-00']);
  });
});

test('objects declared before the clean in the same file are deleted too: authentik writes them, then deletes every object', async () => {
  await withDir(async (dir, cli) => {
    const sb = join(dir, 'sandbox.json');
    await seedApps(sb, 3);
    const bp = join(dir, 'clean.yaml');
    writeFileSync(
      bp,
      `version: 1
entries:
  - model: authentik_core.application
    identifiers:
      slug: app-00
    attrs:
      name: Written, then cleaned
  - model: authentik_core.application
    identifiers:
      slug: early-new
    attrs:
      name: Created, then cleaned
  - model: authentik_blueprints.metacleanblueprint
    attrs:
      model_name: authentik_core.application
  - model: authentik_core.application
    identifiers:
      slug: app-01
    attrs:
      name: Kept
`,
    );
    const plan = await cli('plan', bp, '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.out);
    assert.match(plan.out, /- application slug=app-00 {2}\(clean\.yaml:13\)/, 'the clean deletes what the first entry declares');
    assert.doesNotMatch(plan.out, /\+ application slug=early-new/, 'nothing is created only to be deleted');
    const apply = await cli('apply', bp, '--yes');
    assert.equal(apply.code, 0, apply.out);
    assert.deepEqual(await slugs(sb), ['app-01'], "authentik's end state: only what is declared after the clean");
    const again = await cli('plan', bp, '--detailed-exitcode');
    assert.equal(again.code, 0, again.out);
  });
});
