// Identifiers become an ORM filter; a name that is not a field of the model fails the entry with
// "Invalid identifier field" (§4.2). Django lookups (`field__isnull`, `rel__slug`) are allowed.
import { V } from '../codes.js';
import { type Rule, ptr } from '../context.js';
import { closest, fieldsUnknown, lookupFields, lookupHead } from '../fields.js';

export const identifierField: Rule = {
  id: 'identifier-field',
  meta: {
    messages: {
      invalid: {
        code: V.identifierField,
        summary: 'Invalid identifier field `{{key}}` for `{{model}}`',
        detail: '{{hint}}',
      },
    },
  },
  check(ctx) {
    for (const info of ctx.entries) {
      const m = info.model;
      if (!m || m.kind === 'meta' || fieldsUnknown(m)) continue;
      const known = lookupFields(m);
      for (const key of Object.keys(info.entry.identifiers)) {
        if (known.has(lookupHead(key))) continue;
        const near = closest(lookupHead(key), known);
        const hint = near ? `Did you mean \`${near}\`?` : `Identifiers must be fields of ${m.model}: ${[...known].sort().join(', ')}.`;
        const subject =
          ctx.range(`${ptr(info.entry.pointer, 'identifiers', key)}#key`) ?? ctx.range(ptr(info.entry.pointer, 'identifiers', key), info.entry.range);
        ctx.report(this, 'invalid', { key, model: m.model, hint }, { subject, entry: info });
      }
    }
  },
};
