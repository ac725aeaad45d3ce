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

test('compile YAML quotes every string YAML 1.1 or 1.2 would read as something else', async () => {
  const { plainYaml } = await import('../../src/cli/plain-yaml.js');
  const tricky = [
    'true',
    'Yes',
    'no',
    'ON',
    'off',
    'y',
    'N',
    'null',
    '~',
    '',
    ' lead',
    'trail ',
    '123',
    '0x1F',
    '1:20',
    '.5',
    '.inf',
    '-x',
    '- x',
    'a: b',
    'a #b',
    '#c',
    '@at',
    '`tick',
    '!Tag',
    '&anchor',
    '*alias',
    '<<',
    '=',
    '%(app)s',
    'two\nlines',
    'tab\there',
    'quote"s',
    "apos'",
    'back\\slash',
    '2024-01-01',
    'ünïcødé',
    '😀',
    '{a}',
    '[b]',
    '/path/x',
    'plain words',
    'a@b.c',
  ];
  const data = {
    strings: tricky,
    keys: Object.fromEntries(tricky.map((t, i) => [t, i])),
    nested: [[1, [2, []]], { a: {}, b: [{ c: null, d: [true, false] }] }],
    numbers: [0, -1, 1.5, 1e21],
  };
  const text = plainYaml(data);
  assert.deepEqual(parse(text), data, 'YAML 1.2 reads it back');
  assert.deepEqual(parse(text, { version: '1.1' }), data, 'YAML 1.1 (PyYAML) reads it back');
});
