// Entry-level `permissions` arrived in 2024.8; older importers ignore the unknown key, so the
// permissions are silently never granted.
import { V } from '../codes.js';
import type { Rule } from '../context.js';

export const entryPermissions: Rule = {
  id: 'entry-permissions',
  meta: {
    messages: {
      unsupported: {
        code: V.entryPermissions,
        summary: 'authentik {{version}} ignores entry `permissions`; they will not be granted',
        detail: 'Entry permissions need authentik 2024.8 or later.',
      },
    },
  },
  check(ctx) {
    if (ctx.registry.entryPermissions) return;
    for (const info of ctx.entries) {
      if (info.entry.permissions.length === 0) continue;
      const subject = ctx.range(`${info.entry.pointer}/permissions#key`) ?? ctx.range(`${info.entry.pointer}/permissions`, info.entry.range);
      ctx.report(this, 'unsupported', { version: ctx.registry.version }, { subject, entry: info });
    }
  },
};
