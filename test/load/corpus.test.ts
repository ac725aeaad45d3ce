// authentik's own blueprints (../shared/authentik/blueprints) must load without errors; test
// fixtures are Python %-templates and are filled in the way authentik's tests do first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDiagnostic } from '../../src/diag/index.js';
import { load, SHARED } from './helpers.js';
import { referenceSkip } from '../helpers/reference.js';

const ROOT = fileURLToPath(new URL('authentik/blueprints/', SHARED));

// Files that are meant to fail at load, and the one error each must produce.
const EXPECTED_ERRORS: { [file: string]: string[] } = {
  // Deliberately invalid (authentik's own failure fixture).
  'test-fixtures/invalid_blueprint_version.yaml': ['AKB1031'],
  // "Dynamic entries" (PR #20490) are not in any released authentik: a section and an entry
  // produced by !Enumerate.
  'test-fixtures/dynamic_entries.yaml': ['AKB1035', 'AKB1036'],
};

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : /\.(ya?ml|json)$/.test(n) ? [p] : [];
    });
}

/** authentik's test helper: `content % {...}` with string placeholders. */
function fillTemplate(text: string): string {
  return text.replace(/%%|%\((\w+)\)s/g, (m, name: string | undefined) => (m === '%%' ? '%' : `dummy-${name}`));
}

test('every blueprint in the shared corpus loads', (t) => {
  const missing = referenceSkip('blueprints');
  if (missing) {
    t.skip(missing);
    return;
  }
  const files = walk(ROOT);
  assert.ok(files.length >= 100, `corpus has ${files.length} files`);
  let clean = 0;
  for (const f of files) {
    const rel = relative(ROOT, f);
    const raw = readFileSync(f, 'utf8');
    const text = rel.startsWith('test-fixtures/') ? fillTemplate(raw) : raw;
    const r = load(text, rel);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    const expected = EXPECTED_ERRORS[rel];
    if (expected) {
      assert.deepEqual(
        errors.map((d) => d.code),
        expected,
        rel,
      );
      continue;
    }
    assert.deepEqual(
      errors.map((d) => renderDiagnostic(d, () => text)),
      [],
      rel,
    );
    assert.ok(r.blueprint, rel);
    if (r.diagnostics.length === 0) clean++;
  }
  t.diagnostic(
    `${files.length} corpus files; ${files.length - Object.keys(EXPECTED_ERRORS).length} load with zero errors (${clean} with no diagnostics at all)`,
  );
});

test('the JSON fixture turns its JSON-form tags into tags', (t) => {
  const f = join(ROOT, 'test-fixtures/test.json');
  if (!existsSync(f)) {
    t.skip(`${f} not present (../shared checkout missing)`);
    return;
  }
  const r = load(readFileSync(f, 'utf8'), 'test.json');
  assert.deepEqual(r.diagnostics, []);
  const [provider, app] = r.blueprint!.entries;
  assert.equal((provider!.attrs.authorization_flow as { $tag: string }).$tag, 'Find');
  assert.equal((app!.attrs.provider as { $tag: string; id: string }).id, 'provider');
});

test('tags.yaml fixture: every tag family present, pointers resolve to the tag text', (t) => {
  const f = join(ROOT, 'test-fixtures/tags.yaml');
  if (!existsSync(f)) {
    t.skip(`${f} not present (../shared checkout missing)`);
    return;
  }
  const text = fillTemplate(readFileSync(f, 'utf8'));
  const r = load(text, 'tags.yaml');
  assert.deepEqual(r.diagnostics, []);
  const seen = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      if ('$tag' in v) {
        const tag = v as { $tag: string; pointer: string; range: { start: number } };
        seen.add(tag.$tag);
        assert.equal(text.slice(tag.range.start, tag.range.start + 1 + tag.$tag.length), `!${tag.$tag}`, tag.pointer);
        assert.deepEqual(r.blueprint!.pointers.get(tag.pointer), tag.range);
      }
      Object.values(v).forEach(visit);
    }
  };
  visit(r.blueprint!.entries);
  visit(r.blueprint!.context);
  assert.deepEqual([...seen].sort(), [
    'AtIndex',
    'Condition',
    'Context',
    'Enumerate',
    'Env',
    'File',
    'Find',
    'FindObject',
    'Format',
    'If',
    'Index',
    'KeyOf',
    'ParseJSON',
    'Value',
  ]);
});
