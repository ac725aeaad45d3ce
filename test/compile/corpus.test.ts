// The shared conformance corpus (authentik's shipped blueprints) compiled together per folder,
// as a directory source would be: shipped files compile cleanly against 2026.5, and the known
// version drift / historical bugs in older files are reported where they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ParsedBlueprint } from '../../src/model/types.js';
import { codes, compile, load } from './helpers.js';
import { reference, referenceSkip } from '../helpers/reference.js';

const ROOT = `${reference('blueprints')}/`;
const skip = referenceSkip('blueprints');

function folder(dir: string): ParsedBlueprint[] {
  const base = join(ROOT, dir);
  const walk = (d: string): string[] =>
    readdirSync(d)
      .sort()
      .flatMap((n) => {
        const p = join(d, n);
        return statSync(p).isDirectory() ? walk(p) : p.endsWith('.yaml') ? [p] : [];
      });
  return walk(base).map((f) => load(relative(ROOT, f), readFileSync(f, 'utf8'), { root: base }, relative(base, f)));
}

test('example/ and system/ compile without diagnostics for 2026.5', { skip }, () => {
  for (const dir of ['example', 'system']) {
    const res = compile(folder(dir));
    assert.deepEqual(codes(res), [], dir);
    assert.ok(res.entries.length > 30, dir);
    assert.deepEqual(
      res.entries.map((e) => e.order),
      res.entries.map((_, i) => i),
    );
  }
});

test('default/ compiles without repeating what validate reports (renamed models, a misplaced id)', { skip }, () => {
  const res = compile(folder('default'));
  // Those problems are written in the text: validate's AKB2001 and AKB2007 (test/parity/packaged).
  assert.deepEqual(codes(res), []);
  // The read-only role enumerates the built-in model map: one view permission per model.
  const role = res.entries.find((e) => e.key === 'rbac-role-read-only.yaml#role')!;
  const perms = role.secrets.permissions!.value as string[];
  assert.ok(perms.includes('authentik_core.view_user') && perms.includes('authentik_flows.view_flow'));
});
