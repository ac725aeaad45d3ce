// A misspelt field name is an error by default (authentik drops unknown fields silently, which is
// what a review tool must catch); --lenient keeps it a warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

test('validate and plan refuse a typo in a field name; --lenient warns and goes on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-lenient-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'flow.yaml'),
    'version: 1\nentries:\n  - model: authentik_flows.flow\n    identifiers: {slug: f}\n    attrs: {name: F, title: F, designation: authentication, titel: x}\n',
  );
  const strict = await runCli(['validate', 'flow.yaml'], { cwd: dir });
  assert.equal(strict.code, 1, strict.stdout);
  assert.match(strict.stdout, /flow\.yaml:5:\d+.*AKB2004|AKB2004.*flow\.yaml:5/s);
  assert.match(strict.stdout, /Did you mean `title`\?/);
  const plan = await runCli(['plan', 'flow.yaml', '--sandbox'], { cwd: dir });
  assert.equal(plan.code, 1, 'plan refuses too');
  const lenient = await runCli(['validate', 'flow.yaml', '--lenient'], { cwd: dir });
  assert.equal(lenient.code, 0, lenient.stdout);
  assert.match(lenient.stdout, /0 error\(s\), 1 warning\(s\)/);
});
