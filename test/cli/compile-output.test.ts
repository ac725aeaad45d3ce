// `akbp compile` output: YAML and JSON carry the same data, written out in full.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';

const examples = fileURLToPath(new URL('../../examples/blueprints/', import.meta.url));

test('compile YAML writes identifiers out in full, without anchors or aliases, and equals the JSON output', async () => {
  const yaml = await runCli(['compile', examples]);
  const json = await runCli(['compile', examples, '--format', 'json']);
  assert.equal(yaml.code, 0, yaml.stderr);
  assert.equal(json.code, 0, json.stderr);
  assert.doesNotMatch(yaml.stdout, /(^|[\s:])[&*]a\d+\b/m, 'no YAML anchor or alias in the output');
  const doc = parse(yaml.stdout) as { entries: { identifiers: object; attrs: object }[] };
  assert.deepEqual(doc, JSON.parse(json.stdout));
  assert.ok(doc.entries.length > 5);
});
