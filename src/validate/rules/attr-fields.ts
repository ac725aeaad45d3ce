// The serializer drops attrs it does not know and ignores read-only ones without a word (§4.3,
// §13.2), so a typo or a field renamed in another release silently does nothing. Warn and name
// the field that was probably meant.
import { V } from '../codes.js';
import { type Rule, ptr } from '../context.js';
import { acceptedAttrs, closest, fieldsUnknown, unknownFieldSeverity } from '../fields.js';

export const attrFields: Rule = {
  id: 'attr-fields',
  meta: {
    messages: {
      unknown: {
        code: V.unknownField,
        summary: '`{{model}}` has no field `{{key}}` in authentik {{version}}; authentik ignores it',
        detail: '{{hint}}',
      },
      readOnly: {
        code: V.readOnlyField,
        summary: '`{{key}}` is read-only on `{{model}}` in authentik {{version}}; authentik ignores it',
        detail: 'Remove it from attrs (it may still be used in identifiers to find the object).',
      },
    },
  },
  check(ctx) {
    const version = ctx.registry.version;
    for (const info of ctx.entries) {
      const m = info.model;
      if (!m || m.kind === 'meta' || fieldsUnknown(m)) continue;
      const accepted = acceptedAttrs(ctx.registry, m);
      for (const key of Object.keys(info.entry.attrs)) {
        if (accepted.has(key)) continue;
        const p = ptr(info.entry.pointer, 'attrs', key);
        const subject = ctx.range(`${p}#key`) ?? ctx.range(p, info.entry.range);
        const where = { subject, entry: info };
        if (m.fields[key]?.readOnly) {
          ctx.report(this, 'readOnly', { key, model: m.model, version }, where);
          continue;
        }
        const renamed = m.renamedFields?.[key];
        const near = renamed ?? closest(key, accepted);
        const hint = near
          ? `Did you mean \`${near}\`?${renamed ? ` (\`${key}\` was renamed to \`${renamed}\`)` : ''}`
          : `Writable fields: ${[...accepted].join(', ')}.`;
        ctx.report(this, 'unknown', { key, model: m.model, version, hint }, { ...where, severity: renamed ? 'warning' : unknownFieldSeverity(key, near) });
      }
    }
  },
};
