// Without identifiers authentik cannot look the object up and fails the entry with
// "No or invalid identifiers" (§4.2). Meta models take none.
import { V } from '../codes.js';
import type { Rule } from '../context.js';

export const noIdentifiers: Rule = {
  id: 'no-identifiers',
  meta: {
    messages: {
      missing: {
        code: V.noIdentifiers,
        summary: 'Entry for `{{model}}` has no identifiers (authentik: "No or invalid identifiers")',
        detail: 'Add `identifiers:` with the fields that find the object, e.g. {{example}}.',
      },
    },
  },
  check(ctx) {
    for (const info of ctx.entries) {
      const m = info.model;
      if (!m || m.kind === 'meta') continue;
      if (Object.keys(info.entry.identifiers).length > 0) continue;
      const natural = m.uniqueFields.find((f) => f !== 'pk' && f in m.fields) ?? m.lookupField ?? 'pk';
      const subject = ctx.range(`${info.entry.pointer}/model`, info.entry.range);
      ctx.report(this, 'missing', { model: m.model, example: `\`${natural}\`` }, { subject, entry: info });
    }
  },
};
