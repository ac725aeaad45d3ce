// `!Find` / `!FindObject` pass their pairs to the ORM filter of the model: a key whose first
// segment is not a field of the model fails the entry (Django lookups such as `name__iexact`
// and `flow__slug` are fine). A model the version does not have crashes the run in 2023.6 and
// fails the entry later (§6 `!Find`).
import type { FindTag } from '../../model/types.js';
import { findModel } from '../../authentik/registry.js';
import { V } from '../codes.js';
import type { Rule } from '../context.js';
import { closest, fieldsUnknown, lookupFields, lookupHead } from '../fields.js';

export const findQuery: Rule = {
  id: 'find-query',
  meta: {
    messages: {
      field: {
        code: V.findQueryField,
        summary: '!{{tag}} on `{{model}}`: `{{key}}` is not a field of the model',
        detail: '{{hint}}',
      },
      model: {
        code: V.findModel,
        summary: '!{{tag}} model `{{model}}` is unknown to authentik {{version}}',
        detail:
          'authentik fails the blueprint when it resolves this tag. (The registry lists blueprint models; a !Find on a model that cannot be used in blueprints is not checked here.)',
      },
    },
  },
  check(ctx) {
    for (const use of ctx.tags()) {
      if (use.tag.$tag !== 'Find' && use.tag.$tag !== 'FindObject') continue;
      const tag = use.tag as FindTag;
      if (typeof tag.model !== 'string') continue;
      const where = { subject: tag.range, entry: use.entry };
      const m = findModel(ctx.registry, tag.model);
      if (!m) {
        ctx.report(this, 'model', { tag: tag.$tag, model: tag.model, version: ctx.registry.version }, where);
        continue;
      }
      if (fieldsUnknown(m)) continue;
      const known = lookupFields(m);
      for (const [key] of tag.query) {
        if (typeof key !== 'string' || known.has(lookupHead(key))) continue;
        const near = closest(lookupHead(key), known);
        const hint = near ? `Did you mean \`${near}\`?` : `Fields of ${m.model}: ${[...known].sort().join(', ')}.`;
        ctx.report(this, 'field', { tag: tag.$tag, model: m.model, key, hint }, where);
      }
    }
  },
};
