// `!Find` runs `apps.get_model(...).objects.filter(...)` on any model, including polymorphic base
// models that are not blueprint models (authentik_policies.policy spans every policy type). akbp
// resolves them through the family's `/…/all/` endpoint, including objects another file creates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

function dir(files: { [name: string]: string }): string {
  const d = mkdtempSync(join(tmpdir(), 'akbp-findbase-'));
  mkdirSync(join(d, 'bp'));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(d, 'bp', n), t);
  return d;
}

const policyFile = `version: 1
entries:
  - model: authentik_policies_expression.expressionpolicy
    identifiers: {name: only-admins}
    attrs: {expression: "return True"}
`;
const bindingFile = `version: 1
entries:
  - model: authentik_flows.flow
    id: flow
    identifiers: {slug: guarded}
    attrs: {name: Guarded, title: Guarded, designation: authentication}
  - model: authentik_policies.policybinding
    identifiers:
      target: !KeyOf flow
      order: 0
    attrs:
      policy: !Find [authentik_policies.policy, [name, only-admins]]
`;

test('!Find on a base model finds the subclass object another file creates; apply, then the plan is empty', async () => {
  // a-binding.yaml sorts first by path; its !Find on the policy orders the policy file first.
  const d = dir({ 'a-binding.yaml': bindingFile, 'b-policy.yaml': policyFile });
  try {
    const env = { PATH: process.env.PATH, HOME: d, CI: 'true' };
    const sb = join(d, 'sandbox.json');
    const plan = await runCli(['plan', '--sandbox', sb, '--authentik-version', '2026.5', 'bp'], { cwd: d, env });
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /policy: \(known after apply\) ← !Find \[authentik_policies\.policy, \[name, "?only-admins"?\]\]/);
    const apply = await runCli(['apply', '--sandbox', sb, '--authentik-version', '2026.5', 'bp', '--yes'], { cwd: d, env });
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    const state = JSON.parse(readFileSync(sb, 'utf8')) as unknown;
    const text = JSON.stringify(state);
    assert.match(text, /only-admins/);
    const again = await runCli(['plan', '--sandbox', sb, '--authentik-version', '2026.5', 'bp', '--detailed-exitcode'], { cwd: d, env });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    // The same !Find against the existing policy alone resolves to its pk at plan time.
    const alone = await runCli(['plan', '--sandbox', sb, '--authentik-version', '2026.5', join('bp', 'a-binding.yaml'), '--detailed-exitcode'], {
      cwd: d,
      env,
    });
    assert.equal(alone.code, 0, alone.stdout + alone.stderr);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("a base model query names the base model's own fields; an entry cannot declare a base model", async () => {
  const d = dir({
    'x.yaml': `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: g}
    attrs:
      attributes:
        source: !Find [authentik_core.source, [slugg, authentik-built-in]]
  - model: authentik_policies.policy
    identifiers: {name: p}
`,
  });
  try {
    const env = { PATH: process.env.PATH, HOME: d, CI: 'true' };
    const r = await runCli(['validate', '--authentik-version', '2026.5', join('bp', 'x.yaml')], { cwd: d, env });
    assert.equal(r.code, 1);
    const out = r.stdout + r.stderr;
    assert.match(out, /x\.yaml:7:17: error AKB\d+: !Find on `authentik_core\.source`: `slugg` is not a field of the model/);
    assert.match(out, /Did you mean `slug`\?/);
    assert.match(out, /x\.yaml:8:12: error AKB\d+: Unknown model `authentik_policies\.policy`.*\n.*polymorphic base model: !Find may query it/);
    assert.doesNotMatch(out, /!Find model `authentik_core\.source` is unknown/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
