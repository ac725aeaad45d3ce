// Validate: ParsedBlueprint[] → diagnostics. The per-model JSON schema (ajv, compiled once per
// registry) checks attribute values; one rule per file in rules/ checks what a schema cannot.
// Pure: no I/O, no clock, no environment.
import type { Registry } from '../authentik/registry.js';
import { sortDiagnostics, strictify } from '../diag/index.js';
import type { Diagnostic, ParsedBlueprint } from '../model/types.js';
import { RuleContext } from './context.js';
import { RULES } from './rules/index.js';
import { lenientUnknownFields } from './fields.js';

export { VALIDATE_CODES } from './codes.js';
export { RULES } from './rules/index.js';

export interface ValidateOptions {
  registry: Registry;
  /** Turn every warning into an error (`--strict`). */
  strict?: boolean;
  /** Unknown fields are warnings, not errors (`--lenient`). */
  lenient?: boolean;
}

export function validateBlueprints(bps: ParsedBlueprint[], opts: ValidateOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const bp of bps) {
    const ctx = new RuleContext(bp, opts.registry, out);
    for (const rule of RULES) rule.check(ctx);
  }
  const sorted = sortDiagnostics(opts.lenient ? lenientUnknownFields(out) : out);
  return opts.strict ? strictify(sorted) : sorted;
}
