// Meta models are checked by their own serializer: `metaapplyblueprint` needs `identifiers`
// (a filter on blueprint instances), `metacleanblueprint` a known `model_name` (§7).
import { parseMetaAttr } from '../../authentik/blueprint-schema.js';
import { findModel } from '../../authentik/registry.js';
import type { Value } from '../../model/types.js';
import { V } from '../codes.js';
import { type Rule, isMapping, isTag, ptr } from '../context.js';
import { closest, unknownFieldSeverity } from '../fields.js';

function typeOk(type: string, v: Value): boolean {
  if (isTag(v)) return true;
  if (type === 'object') return isMapping(v);
  if (type === 'boolean') return typeof v === 'boolean';
  if (type === 'string') return typeof v === 'string';
  return true;
}

export const metaAttrs: Rule = {
  id: 'meta-attrs',
  meta: {
    messages: {
      missing: {
        code: V.metaAttrs,
        summary: '`{{model}}` needs attrs `{{key}}` ({{desc}})',
        detail: 'Meta models read everything from attrs; identifiers are ignored.',
      },
      type: {
        code: V.metaAttrs,
        summary: '`{{key}}` of `{{model}}` must be {{type}}',
        detail: 'Expected: {{desc}}.',
      },
      unknown: {
        code: V.unknownField,
        summary: '`{{model}}` has no attribute `{{key}}`; authentik ignores it',
        detail: 'Known attributes: {{known}}.{{hint}}',
      },
      modelName: {
        code: V.metaAttrs,
        summary: '`model_name` names `{{name}}`, which authentik {{version}} does not know',
        detail: '{{hint}}',
      },
    },
  },
  check(ctx) {
    for (const info of ctx.entries) {
      const m = info.model;
      if (!m || m.kind !== 'meta') continue;
      const spec = m.metaAttrs ?? {};
      const attrs = info.entry.attrs;
      const modelRange = ctx.range(`${info.entry.pointer}/model`, info.entry.range);
      for (const [key, desc] of Object.entries(spec)) {
        const p = parseMetaAttr(desc);
        if (!(key in attrs)) {
          if (p.required) ctx.report(this, 'missing', { model: m.model, key, desc }, { subject: modelRange, entry: info });
          continue;
        }
        const subject = ctx.range(ptr(info.entry.pointer, 'attrs', key), info.entry.range);
        const where = { subject, entry: info };
        if (!typeOk(p.type, attrs[key]!))
          ctx.report(this, 'type', { model: m.model, key, type: p.type === 'object' ? 'a mapping' : `a ${p.type}`, desc }, where);
        if (key === 'model_name' && typeof attrs[key] === 'string' && !findModel(ctx.registry, attrs[key] as string)) {
          const near = closest(attrs[key] as string, Object.keys(ctx.registry.models));
          ctx.report(
            this,
            'modelName',
            { name: attrs[key] as string, version: ctx.registry.version, hint: near ? `Did you mean \`${near}\`?` : 'Use `app_label.model_name`.' },
            where,
          );
        }
      }
      for (const key of Object.keys(attrs)) {
        if (key in spec) continue;
        const near = closest(key, Object.keys(spec));
        const subject = ctx.range(`${ptr(info.entry.pointer, 'attrs', key)}#key`) ?? ctx.range(ptr(info.entry.pointer, 'attrs', key), info.entry.range);
        const data = { model: m.model, key, known: Object.keys(spec).join(', '), hint: near ? ` Did you mean \`${near}\`?` : '' };
        ctx.report(this, 'unknown', data, { subject, entry: info, severity: unknownFieldSeverity(key, near) });
      }
    }
  },
};
