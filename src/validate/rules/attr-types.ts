// Values the serializer would refuse (wrong type, not in the enum, bad e-mail, too long) fail
// the entry and with it the whole blueprint. Tags are skipped: compile and the server see those.
import { fieldErrors } from '../ajv.js';
import { V } from '../codes.js';
import { type EntryInfo, type Rule, type RuleContext, isMapping, ptr } from '../context.js';
import { fieldsUnknown } from '../fields.js';
import { pointerTokens } from '../../values/index.js';

function checkMapping(rule: Rule, ctx: RuleContext, info: EntryInfo, part: 'attrs' | 'identifiers'): void {
  const data = info.entry[part];
  const keys = Object.keys(data);
  if (keys.length === 0) return;
  const m = info.model!;
  for (const err of fieldErrors(ctx.registry, m.model, data)) {
    const top = pointerTokens(err.path)[0] ?? '';
    // Identifier mappings are containment filters or `{pk: …}` references, not field values.
    if (part === 'identifiers' && (top.includes('__') || isMapping(data[top]))) continue;
    const pointer = `${ptr(info.entry.pointer, part)}${err.path}`;
    const at = ctx.range(pointer);
    // A tag load rejected (and reported) stands here as null; its "wrong type" is not news.
    if (at && ctx.bp.text[at.start] === '!') continue;
    const subject = at ?? info.entry.range;
    const field = pointerTokens(err.path).join('.');
    ctx.report(rule, 'type', { field, model: m.model, message: err.message }, { subject, entry: info });
  }
}

export const attrTypes: Rule = {
  id: 'attr-types',
  meta: {
    messages: {
      type: {
        code: V.attrType,
        summary: '`{{field}}` of `{{model}}`: {{message}}',
      },
    },
  },
  check(ctx) {
    for (const info of ctx.entries) {
      const m = info.model;
      if (!m || m.kind === 'meta' || fieldsUnknown(m)) continue;
      checkMapping(this, ctx, info, 'attrs');
      checkMapping(this, ctx, info, 'identifiers');
    }
  },
};
