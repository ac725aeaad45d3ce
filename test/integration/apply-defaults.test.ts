// Conformance of plan/apply: authentik's own default blueprints applied to an empty sandbox
// succeed, and a plan right after shows no changes.
//   - the 2023-era numbered files (default/0-… to default/91-…), one by one in file-name order,
//     onto a 2023.6 sandbox;
//   - the unnumbered default/ files onto a 2026.5 sandbox, in one run ordered by their
//     metaapplyblueprint dependencies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { reconcileOnce, type ReconcileDeps } from '../../src/pipeline/index.js';
import { emptyState } from '../../src/state/index.js';
import type { SourceFile } from '../../src/model/index.js';
import type { Registry } from '../../src/authentik/registry.js';

const dir = fileURLToPath(new URL('../../../shared/authentik/blueprints/default/', import.meta.url));
const have = existsSync(dir);
const skip = !have && '../shared/authentik/blueprints not present';

function file(name: string): SourceFile {
  return {
    uri: `default/${name}`,
    path: name,
    bytes: readFileSync(dir + name),
    origin: { kind: 'file', uri: 'default/', root: dir, local: true },
  };
}

async function target(version: string): Promise<{ sandbox: Sandbox; deps: (files: SourceFile[], library: SourceFile[]) => ReconcileDeps; registry: Registry }> {
  const registry = bundledRegistry(version);
  const sandbox = await createSandbox({ registry, token: 't' });
  const client = createClient({ baseUrl: 'http://sandbox.invalid/api/v3', token: 't', registry, transport: sandbox.transport() });
  const state = emptyState();
  void state;
  return {
    sandbox,
    registry,
    deps: (files, library) => ({
      readSources: async () => ({ files, library, origins: [files[0]!.origin], diagnostics: [] }),
      registry,
      client,
      env: {},
      now: () => new Date('2026-11-27T12:00:00Z'),
    }),
  };
}

function errorsOf(out: { diagnostics: { severity: string; code: string; summary: string }[] }): string {
  return out.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.summary}`).join('\n');
}

test('2023-era numbered default blueprints apply one by one to a 2023.6 sandbox; a plan after shows 0 changes', { skip }, async () => {
  const names = readdirSync(dir).filter((n) => /^\d+-.*\.yaml$/.test(n)).sort();
  assert.ok(names.length >= 10, `found ${names.length} numbered files`);
  const t = await target('2023.6');
  const all = names.map(file);
  for (const name of names) {
    const out = await reconcileOnce({ sources: [`default/${name}`], mode: 'apply' }, t.deps([file(name)], all.filter((f) => f.path !== name)));
    assert.ok(out.ok, `${name} failed to apply:\n${errorsOf(out)}`);
  }
  const again = await reconcileOnce({ sources: ['default/'], mode: 'plan' }, t.deps(all, []));
  assert.ok(again.plan, errorsOf(again));
  const changed = again.plan.changes.filter((c) => c.action !== 'noop');
  assert.deepEqual(changed.map((c) => `${c.action} ${c.model} ${JSON.stringify(c.identifiers)} ${c.patch.map((p) => p.path).join(',')}`), []);
});

test('unnumbered default blueprints apply to a 2026.5 sandbox in metaapplyblueprint order; a plan after shows 0 changes', { skip }, async () => {
  const names = readdirSync(dir).filter((n) => /^[a-z].*\.yaml$/.test(n)).sort();
  const t = await target('2026.5');
  const files = names.map(file);
  const out = await reconcileOnce({ sources: ['default/'], mode: 'apply' }, t.deps(files, []));
  assert.ok(out.ok, `apply failed:\n${errorsOf(out)}`);
  assert.ok((out.apply?.results.length ?? 0) > 50, 'a substantial number of objects was created');
  const again = await reconcileOnce({ sources: ['default/'], mode: 'plan' }, t.deps(files, []));
  assert.ok(again.plan, errorsOf(again));
  const changed = again.plan.changes.filter((c) => c.action !== 'noop');
  assert.deepEqual(changed.map((c) => `${c.action} ${c.model} ${JSON.stringify(c.identifiers)} ${c.patch.map((p) => p.path).join(',')}`), []);
});
