// `!KeyOf` takes the first entry with the id that has an object, so a second entry with the same
// id is unreachable by reference and almost always a copy-paste slip.
import { V } from '../codes.js';
import type { EntryInfo, Rule } from '../context.js';

export const duplicateId: Rule = {
  id: 'duplicate-id',
  meta: {
    messages: {
      duplicate: {
        code: V.duplicateId,
        summary: 'Duplicate entry id `{{id}}`',
        detail: 'Entry ids must be unique within a blueprint; `!KeyOf {{id}}` can only reach one of them.',
      },
    },
  },
  check(ctx) {
    const first = new Map<string, EntryInfo>();
    for (const info of ctx.entries) {
      const id = info.entry.id;
      if (typeof id !== 'string') continue;
      const prev = first.get(id);
      if (!prev) {
        first.set(id, info);
        continue;
      }
      const subject = ctx.range(`${info.entry.pointer}/id`, info.entry.range);
      const firstAt = ctx.range(`${prev.entry.pointer}/id`, prev.entry.range)!;
      ctx.report(this, 'duplicate', { id }, { subject, entry: info, related: [{ range: firstAt, message: `\`${id}\` is first defined here` }] });
    }
  },
};
