// Entries given as a mapping of named sections arrived in 2025.8 (§1.1); older importers type
// `entries` as a list and refuse the whole blueprint.
import { V } from '../codes.js';
import type { Rule } from '../context.js';

export const sections: Rule = {
  id: 'sections',
  meta: {
    messages: {
      unsupported: {
        code: V.sections,
        summary: 'authentik {{version}} expects `entries` to be a list, not a mapping of sections',
        detail: 'Sectioned entries need authentik 2025.8 or later; list the entries of all sections in one sequence.',
      },
    },
  },
  check(ctx) {
    if (ctx.registry.sectionedEntries) return;
    // Only a mapping has keys, so a `/entries/<section>#key` pointer means sections, even empty ones.
    if (![...ctx.bp.pointers.keys()].some((p) => /^\/entries\/[^/]*#key$/.test(p))) return;
    const subject = ctx.range('/entries#key') ?? ctx.range('/entries');
    ctx.report(this, 'unsupported', { version: ctx.registry.version }, { subject });
  },
};
