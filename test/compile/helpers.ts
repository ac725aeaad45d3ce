// Shared by the compile tests: load real YAML through src/load, compile it against a bundled
// registry, and express diagnostics as code:line:col so tables read like the files they test.
import assert from 'node:assert/strict';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { compileBlueprints, type CompileOptions } from '../../src/compile/index.js';
import { LineIndex } from '../../src/diag/index.js';
import { loadBlueprint } from '../../src/load/index.js';
import type { CompileResult, Diagnostic, ParsedBlueprint, SourceOrigin } from '../../src/model/types.js';

export function load(uri: string, text: string, origin: Partial<SourceOrigin> = {}, path = uri): ParsedBlueprint {
  const r = loadBlueprint({
    uri,
    path,
    bytes: new TextEncoder().encode(text),
    origin: { kind: 'file', uri, local: true, root: '/srv/bp', ...origin },
  });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `fixture ${uri} must load cleanly`);
  return r.blueprint!;
}

export function compile(files: ParsedBlueprint[], opts: Partial<CompileOptions> = {}, version = '2026.5'): CompileResult & { texts: Map<string, string> } {
  const res = compileBlueprints(files, { registry: bundledRegistry(version), env: {}, ...opts });
  const texts = new Map<string, string>();
  for (const f of [...files, ...(opts.library ?? [])]) texts.set(f.uri, f.text);
  return { ...res, texts };
}

/** `AKB3004 a.yaml:7:14` — what a user sees, so tests pin code and position together. */
function where(d: Diagnostic, texts: Map<string, string>): string {
  if (!d.subject) return d.code;
  const t = texts.get(d.subject.uri);
  if (t === undefined) return `${d.code} ${d.subject.uri}`;
  const { line, col } = new LineIndex(t).lineCol(d.subject.start);
  return `${d.code} ${d.subject.uri}:${line}:${col}`;
}

export function codes(res: { diagnostics: Diagnostic[]; texts: Map<string, string> }): string[] {
  return res.diagnostics.map((d) => where(d, res.texts));
}

/** One entry of model authentik_core.group whose `attributes.v` is the given YAML value. */
export function groupWith(value: string, contextBlock = ''): string {
  return `version: 1\n${contextBlock}entries:\n  - model: authentik_core.group\n    identifiers:\n      name: g\n    attrs:\n      attributes:\n        v: ${value}\n`;
}
