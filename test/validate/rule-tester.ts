// RuleTester for validate rules (eslint style): each valid row must give no diagnostic from the
// rule, each invalid row exactly the listed ones (code, severity, line, column, text). Rows are
// YAML run through the real loader, so positions are the ones a user sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBlueprint } from '../../src/load/index.js';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { RuleContext, type Rule } from '../../src/validate/context.js';
import { LineIndex, sortDiagnostics } from '../../src/diag/index.js';
import type { Diagnostic, ParsedBlueprint, Severity } from '../../src/model/types.js';

type Version = '2023.6' | '2026.5';

export interface Row {
  name: string;
  yaml: string;
  /** Target version; default 2026.5. */
  version?: Version;
}

interface Expected {
  code: string;
  line: number;
  column: number;
  severity?: Severity;
  /** Substrings the summary (and detail) must contain. */
  says?: string[];
  /** The other places the diagnostic points at, each `line:column message`, in order. */
  related?: string[];
}

export interface InvalidRow extends Row {
  errors: Expected[];
}

/** Strips the common indentation of a template literal so rows read like files. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

export function load(text: string, uri = 'test.yaml'): ParsedBlueprint {
  const r = loadBlueprint({ uri, path: uri, bytes: new TextEncoder().encode(text), origin: { kind: 'file', uri, local: true } });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 0, `fixture must load cleanly: ${errors.map((d) => d.summary).join('; ')}`);
  assert.ok(r.blueprint);
  return r.blueprint;
}

function runRule(rule: Rule, text: string, version: Version = '2026.5'): Diagnostic[] {
  const out: Diagnostic[] = [];
  rule.check(new RuleContext(load(text), bundledRegistry(version), out));
  return sortDiagnostics(out);
}

export function located(d: Diagnostic, text: string): { code: string; severity: Severity; line: number; column: number; text: string; related: string[] } {
  assert.ok(d.subject, `diagnostic ${d.code} "${d.summary}" has no subject`);
  const lines = new LineIndex(text);
  const { line, col } = lines.lineCol(d.subject.start);
  const related = (d.related ?? []).map((r) => {
    const at = lines.lineCol(r.range.start);
    return `${at.line}:${at.col} ${r.message}`;
  });
  return { code: d.code, severity: d.severity, line, column: col, text: `${d.summary}\n${d.detail ?? ''}`, related };
}

export function ruleTester(rule: Rule, rows: { valid: Row[]; invalid: InvalidRow[] }): void {
  for (const row of rows.valid) {
    test(`${rule.id} valid: ${row.name}`, () => {
      const ds = runRule(rule, row.yaml, row.version);
      assert.deepEqual(
        ds.map((d) => `${d.code} ${d.summary}`),
        [],
      );
    });
  }
  for (const row of rows.invalid) {
    test(`${rule.id} invalid: ${row.name}`, () => {
      const ds = runRule(rule, row.yaml, row.version).map((d) => located(d, row.yaml));
      assert.deepEqual(
        ds.map((d) => ({ code: d.code, line: d.line, column: d.column })),
        row.errors.map((e) => ({ code: e.code, line: e.line, column: e.column })),
        ds.map((d) => d.text).join('\n'),
      );
      row.errors.forEach((e, i) => {
        const got = ds[i]!;
        if (e.severity) assert.equal(got.severity, e.severity, got.text);
        for (const s of e.says ?? []) assert.ok(got.text.includes(s), `expected "${s}" in:\n${got.text}`);
        if (e.related) assert.deepEqual(got.related, e.related, got.text);
      });
    });
  }
}
