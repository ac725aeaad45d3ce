// The saved plan is a checked contract: `plan --out` writes exactly what the committed schema
// allows and `apply PLAN.json` reads back, whatever the source paths look like.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { runCli } from '../helpers/cli.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const schema = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validatePlan = ajv.compile(schema);

// `colour` is not a group field: validate warns at its line, and the plan keeps that warning.
const GROUPS = `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: contract-staff}
    attrs:
      colour: blue
`;

function workdir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-contract-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('plan --out from a directory whose path has a space, with a located warning: the file matches schemas/plan.schema.json and apply of it succeeds', async () => {
  const w = workdir();
  try {
    mkdirSync(join(w.dir, 'blueprints dir'));
    writeFileSync(join(w.dir, 'blueprints dir', 'groups.yaml'), GROUPS);
    const common = ['--sandbox', join(w.dir, 'sb.json'), '--state', join(w.dir, 'state.json')];
    const planned = await runCli(['plan', 'blueprints dir/', ...common, '--out', 'plan.json'], { cwd: w.dir });
    assert.equal(planned.code, 0, planned.stdout + planned.stderr);
    assert.match(planned.stdout, /groups\.yaml:6:\d+: warning AKB2004/);
    const saved = JSON.parse(readFileSync(join(w.dir, 'plan.json'), 'utf8')) as { diagnostics: { subject?: object }[]; source: { uris: string[] } };
    assert.ok(
      saved.diagnostics.some((d) => d.subject),
      'the warning is saved with its location',
    );
    assert.ok(validatePlan(saved), `the saved plan fails its own schema: ${ajv.errorsText(validatePlan.errors)}`);
    assert.deepEqual(saved.source.uris, ['blueprints dir/']);

    const applied = await runCli(['apply', 'plan.json', ...common], { cwd: w.dir });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /Apply succeeded: 1 applied/);
  } finally {
    w.done();
  }
});

test('apply of a plan written by an older akbp, or of a .json that is no plan, says so with a code instead of reading it as a source', async () => {
  const w = workdir();
  try {
    mkdirSync(join(w.dir, 'bp'));
    writeFileSync(join(w.dir, 'bp', 'groups.yaml'), GROUPS);
    const common = ['--sandbox', join(w.dir, 'sb.json'), '--state', join(w.dir, 'state.json')];
    const planned = await runCli(['plan', 'bp', ...common, '--out', 'plan.json'], { cwd: w.dir });
    assert.equal(planned.code, 0, planned.stderr);
    const doc = JSON.parse(readFileSync(join(w.dir, 'plan.json'), 'utf8')) as { [k: string]: unknown };

    const { uris, ...source } = doc.source as { uris: string[] };
    writeFileSync(join(w.dir, 'old.json'), JSON.stringify({ ...doc, formatVersion: 1, source: { ...source, uri: uris.join(' ') } }));
    const old = await runCli(['apply', 'old.json', ...common], { cwd: w.dir });
    assert.equal(old.code, 1);
    assert.match(old.stdout + old.stderr, /old\.json:1:1: error AKB9104: .*older akbp[\s\S]*akbp plan/);

    writeFileSync(join(w.dir, 'other.json'), JSON.stringify({ name: 'not a plan', entries: [] }));
    const other = await runCli(['apply', 'other.json', ...common], { cwd: w.dir });
    assert.equal(other.code, 1);
    assert.match(other.stdout + other.stderr, /other\.json:1:1: error AKB9105: not a saved akbp plan/);

    writeFileSync(join(w.dir, 'broken.json'), '{"formatVersion": 2,');
    const broken = await runCli(['apply', 'broken.json', ...common], { cwd: w.dir });
    assert.equal(broken.code, 1);
    assert.match(broken.stdout + broken.stderr, /broken\.json:1:\d+: error AKB9105/);

    const p = await runCli(['plan', 'bp', ...common, '--detailed-exitcode'], { cwd: w.dir });
    assert.equal(p.code, 2, 'nothing was written by the refused applies');
  } finally {
    w.done();
  }
});

interface SavedChange {
  key: string;
  model: string;
  action: string;
  reason: string;
  identifiers: object;
  pk?: string | number;
  patch: object[];
  before?: object;
  after?: { [k: string]: unknown };
  order: number;
  wave: number;
  dependsOn: string[];
}
interface SavedPlan {
  changes: SavedChange[];
  summary: { [k: string]: number };
}
interface SandboxRecord {
  model: string;
  pk: string | number;
  data: { [k: string]: unknown };
}

const TEAM = `version: 1
entries:
  - model: authentik_core.group
    id: staff
    identifiers: {name: staff}
  - model: authentik_core.user
    identifiers: {username: alice}
    attrs: {name: Alice, groups: [!KeyOf staff]}
`;

test('an edited saved plan is refused before any write: a user made superuser, a backdoor group with user 1, authentik Admins deleted', async () => {
  const w = workdir();
  try {
    mkdirSync(join(w.dir, 'bp'));
    writeFileSync(join(w.dir, 'bp', 'team.yaml'), TEAM);
    const sandbox = join(w.dir, 'sb.json');
    const common = ['--sandbox', sandbox, '--state', join(w.dir, 'state.json')];
    const planned = await runCli(['plan', 'bp', ...common, '--out', 'plan.json'], { cwd: w.dir });
    assert.equal(planned.code, 0, planned.stdout + planned.stderr);
    const original = JSON.parse(readFileSync(join(w.dir, 'plan.json'), 'utf8')) as SavedPlan;
    const server = (): SandboxRecord[] => (JSON.parse(readFileSync(sandbox, 'utf8')) as { records: SandboxRecord[] }).records;
    const admins = server().find((r) => r.model === 'authentik_core.group' && r.data.name === 'authentik Admins')!;
    assert.ok(admins, 'the sandbox has authentik Admins');
    const before = JSON.stringify(server());

    const edits: { [name: string]: (p: SavedPlan) => void } = {
      'alice becomes superuser': (p) => {
        const alice = p.changes.find((c) => c.model === 'authentik_core.user')!;
        alice.after!.is_superuser = true;
        alice.patch.push({ path: '/is_superuser', op: 'add', after: true });
      },
      'a backdoor-admins group with user 1': (p) => {
        p.changes.push({
          key: 'bp/team.yaml#backdoor',
          model: 'authentik_core.group',
          action: 'create',
          reason: 'no matching object on the server',
          identifiers: { name: 'backdoor-admins' },
          patch: [
            { path: '/name', op: 'add', after: 'backdoor-admins' },
            { path: '/is_superuser', op: 'add', after: true },
            { path: '/users', op: 'add', after: [1] },
          ],
          after: { name: 'backdoor-admins', is_superuser: true, users: [1] },
          order: 9,
          wave: 0,
          dependsOn: [],
        });
        p.summary.create! += 1;
      },
      'authentik Admins deleted': (p) => {
        p.changes.push({
          key: 'bp/team.yaml#admins',
          model: 'authentik_core.group',
          action: 'delete',
          reason: 'state absent: the object exists',
          identifiers: { name: 'authentik Admins' },
          pk: admins.pk,
          patch: [],
          before: { name: 'authentik Admins', is_superuser: true },
          order: 10,
          wave: 0,
          dependsOn: [],
        });
        p.summary.delete! += 1;
      },
    };
    for (const [name, edit] of Object.entries(edits)) {
      const p = JSON.parse(JSON.stringify(original)) as SavedPlan;
      edit(p);
      writeFileSync(join(w.dir, 'edited.json'), JSON.stringify(p));
      const r = await runCli(['apply', 'edited.json', ...common], { cwd: w.dir });
      assert.equal(r.code, 1, `${name}: applied!\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout + r.stderr, /error AKB9103: the saved plan's changes are not the ones its sources produce/, name);
      assert.equal(JSON.stringify(server()), before, `${name}: the server was written to`);
    }

    const applied = await runCli(['apply', 'plan.json', ...common], { cwd: w.dir });
    assert.equal(applied.code, 0, `the unedited plan still applies:\n${applied.stdout}${applied.stderr}`);
    assert.match(applied.stdout, /Apply succeeded: 2 applied/);
  } finally {
    w.done();
  }
});

test('a saved plan made with --prune applies its deletes without --prune repeated: the plan records the options it was made with', async () => {
  const w = workdir();
  try {
    mkdirSync(join(w.dir, 'bp'));
    const file = join(w.dir, 'bp', 'groups.yaml');
    writeFileSync(
      file,
      'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: keep}\n  - model: authentik_core.group\n    identifiers: {name: drop}\n',
    );
    const common = ['--sandbox', join(w.dir, 'sb.json'), '--state', join(w.dir, 'state.json')];
    assert.equal((await runCli(['apply', 'bp', ...common, '--yes'], { cwd: w.dir })).code, 0);
    writeFileSync(file, 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: keep}\n');
    const planned = await runCli(['plan', 'bp', ...common, '--prune', '--out', 'plan.json'], { cwd: w.dir });
    assert.match(planned.stdout, /0 to create, 0 to update, 1 to delete/);
    const saved = JSON.parse(readFileSync(join(w.dir, 'plan.json'), 'utf8')) as { options: object };
    assert.deepEqual(saved.options, { prune: true, maxDeletes: 10, passwordPolicy: 'on-change' });
    const applied = await runCli(['apply', 'plan.json', ...common], { cwd: w.dir });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /applied +delete +group name=drop/);
  } finally {
    w.done();
  }
});
