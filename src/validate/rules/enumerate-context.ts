// `!Index n` / `!Value n` read the item of the n-th enclosing `!Enumerate` (0 = innermost).
// Outside any, beyond the depth, or depth 0 inside the iterable of the very !Enumerate being
// computed, authentik fails the entry (§6 `!Enumerate`).
import type { IndexTag } from '../../model/types.js';
import { V } from '../codes.js';
import type { Rule } from '../context.js';

export const enumerateContext: Rule = {
  id: 'enumerate-context',
  meta: {
    messages: {
      outside: {
        code: V.enumerateContext,
        summary: '!{{tag}} {{depth}} is not inside an !Enumerate body',
        detail: '!Index and !Value read the current item of an enclosing !Enumerate; use them in its third argument.',
      },
      tooDeep: {
        code: V.enumerateContext,
        summary: '!{{tag}} {{depth}} reaches past the {{available}} enclosing !Enumerate tag(s)',
        detail: 'Depth 0 is the innermost !Enumerate; the largest depth here is {{max}}.',
      },
      ownIterable: {
        code: V.enumerateContext,
        summary: '!{{tag}} 0 in the iterable of its own !Enumerate refers to an item that does not exist yet',
        detail: 'authentik: "tag\'s iterable references this tag\'s context"; use depth 1 or more to iterate an outer item.',
      },
    },
  },
  check(ctx) {
    for (const use of ctx.tags()) {
      if (use.tag.$tag !== 'Index' && use.tag.$tag !== 'Value') continue;
      const tag = use.tag as IndexTag;
      const where = { subject: tag.range, entry: use.entry };
      const stack = use.enumerateStack;
      const data = { tag: tag.$tag, depth: tag.depth, available: stack.length, max: stack.length - 1 };
      if (stack.length === 0) ctx.report(this, 'outside', data, where);
      else if (tag.depth >= stack.length) ctx.report(this, 'tooDeep', data, where);
      else if (tag.depth === 0 && use.inIterableOf && use.inIterableOf === stack[stack.length - 1]) {
        ctx.report(this, 'ownIterable', data, where);
      }
    }
  },
};
