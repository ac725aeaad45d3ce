// An unknown tag makes authentik's YAML loader refuse the whole file (§6), and older servers
// know fewer tags and tag forms than newer ones: warn when the target version lacks one.
import type { ContextTag, IfTag } from '../../model/types.js';
import { V } from '../codes.js';
import type { Rule } from '../context.js';
import { versionNumber } from '../fields.js';

export const tagVersion: Rule = {
  id: 'tag-version',
  meta: {
    messages: {
      tag: {
        code: V.tagVersion,
        summary: 'authentik {{version}} does not know !{{tag}}; the server will reject the blueprint',
        detail: 'Tags this version knows: {{tags}}.',
      },
      shortIf: {
        code: V.tagVersion,
        summary: 'authentik {{version}} does not know the one-argument form of !If',
        detail: 'Write `!If [condition, true, false]`; the short form needs authentik 2023.8 or later.',
      },
      dotted: {
        code: V.tagVersion,
        summary: 'authentik {{version}} reads `!Context {{key}}` as one key, not as a dotted path',
        detail: 'Dotted context paths need authentik 2026.5 or later; add a top-level context key `{{key}}` or target a newer version.',
      },
    },
  },
  check(ctx) {
    const reg = ctx.registry;
    const version = reg.version;
    for (const use of ctx.tags()) {
      const t = use.tag;
      const where = { subject: t.range, entry: use.entry };
      if (!reg.tags.includes(t.$tag)) {
        ctx.report(this, 'tag', { version, tag: t.$tag, tags: reg.tags.map((x) => `!${x}`).join(', ') }, where);
      } else if (t.$tag === 'If' && (t as IfTag).then === undefined && versionNumber(version) < 202308) {
        ctx.report(this, 'shortIf', { version }, where);
      } else if (t.$tag === 'Context' && !reg.dottedContext) {
        const key = (t as ContextTag).key;
        if (typeof key === 'string' && key.includes('.') && !(key in ctx.bp.context)) {
          ctx.report(this, 'dotted', { version, key }, where);
        }
      }
    }
  },
};
