// One owner per semantic check (akbp issue 9): validate reports `!KeyOf` targets, duplicate ids,
// unknown models, invalid states, reference cycles and tags the target version lacks; compile
// takes them as preconditions and never reports the same problem a second time (once a stage
// called it an error and the other a warning). Checked on each stage's own output, not after a
// filter, and through the CLI a user runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { compileBlueprints } from '../../src/compile/index.js';
import { LineIndex } from '../../src/diag/index.js';
import { loadBlueprint } from '../../src/load/index.js';
import type { Diagnostic, ParsedBlueprint } from '../../src/model/types.js';
import { validateBlueprints } from '../../src/validate/index.js';
import { runCli } from '../helpers/cli.js';

function parse(text: string): ParsedBlueprint {
  const r = loadBlueprint({
    uri: 'a.yaml',
    path: 'a.yaml',
    bytes: new TextEncoder().encode(text),
    origin: { kind: 'file', uri: 'a.yaml', local: true, root: '/' },
  });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return r.blueprint!;
}

const at = (text: string, d: Diagnostic): string => {
  const { line, col } = new LineIndex(text).lineCol(d.subject!.start);
  return `${d.code} ${line}:${col}`;
};

const CASES: { name: string; version?: string; yaml: string; owner: string[] }[] = [
  {
    name: 'duplicate id',
    yaml: 'version: 1\nentries:\n  - model: authentik_core.group\n    id: g\n    identifiers: {name: a}\n  - model: authentik_core.group\n    id: g\n    identifiers: {name: b}\n',
    owner: ['AKB2006 7:9'],
  },
  {
    name: 'unknown model',
    yaml: 'version: 1\nentries:\n  - model: authentik_core.nosuchmodel\n    identifiers: {name: a}\n',
    owner: ['AKB2001 3:12'],
  },
  {
    name: 'invalid state for the version',
    version: '2023.6',
    yaml: 'version: 1\nentries:\n  - model: authentik_core.group\n    state: must_created\n    identifiers: {name: a}\n',
    owner: ['AKB2011 4:12'],
  },
  {
    name: '!KeyOf targets: unknown, later, absent (2023.6 records nothing for an absent entry)',
    version: '2023.6',
    yaml: 'version: 1\nentries:\n  - model: authentik_core.group\n    id: gone\n    state: absent\n    identifiers: {name: g}\n  - model: authentik_core.group\n    identifiers: {name: u, parent: !KeyOf later}\n    attrs: {roles: [!KeyOf nowhere, !KeyOf gone]}\n  - model: authentik_core.group\n    id: later\n    identifiers: {name: l}\n',
    owner: ['AKB2008 8:36', 'AKB2007 9:21', 'AKB2021 9:37'],
  },
  {
    name: 'reference cycle',
    yaml: 'version: 1\nentries:\n  - model: authentik_core.group\n    id: a\n    identifiers: {name: a, parent: !KeyOf a}\n',
    owner: ['AKB2009 5:36'],
  },
  {
    name: 'tag the target version lacks',
    version: '2023.6',
    yaml: 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: !AtIndex [[a, b], 0]}\n',
    owner: ['AKB2016 4:25'],
  },
];

for (const c of CASES) {
  test(`${c.name}: validate reports it once, compile takes it as a precondition and says nothing`, () => {
    const bp = parse(c.yaml);
    const registry = bundledRegistry(c.version ?? '2026.5');
    const validated = validateBlueprints([bp], { registry }).map((d) => at(c.yaml, d));
    for (const o of c.owner) assert.ok(validated.includes(o), `validate reports ${o}: ${validated.join(', ')}`);
    const compiled = compileBlueprints([bp], { registry, env: {} }).diagnostics.map((d) => at(c.yaml, d));
    assert.deepEqual(compiled, [], 'compile repeats none of it');
  });
}

test('through the CLI each problem is reported once, by validate, with the same code in validate, compile and plan', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-owners-'));
  try {
    for (const c of CASES) {
      writeFileSync(join(dir, 'a.yaml'), c.yaml);
      const version = ['--authentik-version', c.version ?? '2026.5'];
      for (const args of [
        ['validate', 'a.yaml', ...version],
        ['compile', 'a.yaml', ...version],
        ['plan', 'a.yaml', '--sandbox', ...version],
      ]) {
        const r = await runCli(args, { cwd: dir, env: { PATH: process.env.PATH, NO_COLOR: '1' } });
        // As printed: `a.yaml:7:9: error AKB2006: …`.
        const codes = [...(r.stdout + r.stderr).matchAll(/a\.yaml:\d+:\d+: (?:error|warning|info) (AKB\d{4})/g)].map((m) => m[1]!);
        for (const o of c.owner) {
          const code = o.split(' ')[0]!;
          assert.ok(codes.includes(code), `${c.name}: ${args[0]} shows ${code}: ${codes.join(', ')}`);
        }
        assert.deepEqual(
          codes.filter((k) => k.startsWith('AKB30')),
          [],
          `${c.name}: ${args[0]} has no second, compile-stage report`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
