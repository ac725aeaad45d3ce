// When the object does not exist yet authentik runs the serializer in full mode, so every field
// the create request requires must come from attrs or identifiers (§4.3). With `present` the
// object may exist already (a warning); `created`/`must_created` entries exist to create it.
import { V } from '../codes.js';
import type { Rule } from '../context.js';
import { fieldsUnknown } from '../fields.js';

export const requiredFields: Rule = {
  id: 'required-fields',
  meta: {
    messages: {
      missing: {
        code: V.requiredOnCreate,
        summary: '`{{model}}` needs {{fields}} when the object does not exist yet',
        detail: 'authentik creates the object from attrs + identifiers and requires these fields then; add them to attrs{{tail}}.',
      },
    },
  },
  check(ctx) {
    for (const info of ctx.entries) {
      const m = info.model;
      if (!m || m.kind === 'meta' || fieldsUnknown(m) || m.requiredOnCreate.length === 0) continue;
      const state = info.state;
      if (state !== 'present' && state !== 'created' && state !== 'must_created') continue;
      const have = new Set([...Object.keys(info.entry.attrs), ...Object.keys(info.entry.identifiers)]);
      const missing = m.requiredOnCreate.filter((f) => !have.has(f));
      if (missing.length === 0) continue;
      const subject = ctx.range(`${info.entry.pointer}/model`, info.entry.range);
      // A create-only entry exists to create the object, so the serializer's refusal is certain.
      const severity = state === 'present' ? 'warning' : 'error';
      const where = { subject, entry: info, severity } as const;
      const data = {
        model: m.model,
        fields: missing.map((f) => `\`${f}\``).join(', '),
        tail: state === 'present' ? ' unless the object is known to exist' : '',
      };
      ctx.report(this, 'missing', data, where);
    }
  },
};
