// The JSON forms: the plan exactly as `apply PLAN.json` reads it back (schemas/plan.schema.json),
// with diagnostics' line:col added for people and tools; diagnostics alone for validate. Pure.
import type { ApplyResult, Diagnostic, Plan } from '../model/types.js';
import { diagnosticToJson, sortDiagnostics, type TextLookup } from '../diag/index.js';
import { formatIdentity } from './values.js';

export function planToJson(plan: Plan, texts: TextLookup): string {
  // `identity` is for people and tools reading the file (as the text plan names the object); apply ignores it.
  const withLocations = {
    ...plan,
    changes: plan.changes.map(({ key, ...rest }) => ({ key, identity: formatIdentity(rest.model, rest.identifiers, rest.pk), ...rest })),
    diagnostics: sortDiagnostics(plan.diagnostics).map((d) => ({ ...d, ...diagnosticToJson(d, texts) })),
  };
  return `${JSON.stringify(withLocations, null, 2)}\n`;
}

export function diagnosticsToJson(ds: readonly Diagnostic[], texts: TextLookup, extra: Record<string, unknown> = {}): string {
  const list = sortDiagnostics(ds).map((d) => diagnosticToJson(d, texts));
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.filter((d) => d.severity === 'warning').length;
  return `${JSON.stringify({ formatVersion: 1, ...extra, errors, warnings, diagnostics: list }, null, 2)}\n`;
}

export function applyToJson(result: ApplyResult, texts: TextLookup): string {
  const out = {
    formatVersion: 1,
    ...result,
    diagnostics: sortDiagnostics(result.diagnostics).map((d) => diagnosticToJson(d, texts)),
    results: result.results.map((r) => ({ ...r, diagnostics: r.diagnostics.map((d) => diagnosticToJson(d, texts)) })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
