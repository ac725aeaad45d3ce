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
    assert.ok(saved.diagnostics.some((d) => d.subject), 'the warning is saved with its location');
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
    assert.match(old.stdout + old.stderr, /old\.json:1:1: error AKB9104: .*older akbp[^]*akbp plan/);

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
