// authentik converts `state` through its state enum and fails on anything else. load rejects
// states no release knows; this rule knows the target: `must_created` only exists from 2023.10.
import { V } from '../codes.js';
import type { Rule } from '../context.js';

export const invalidState: Rule = {
  id: 'invalid-state',
  meta: {
    messages: {
      unknown: {
        code: V.invalidState,
        summary: 'State `{{state}}` does not exist in authentik {{version}}',
        detail: 'authentik {{version}} accepts: {{states}}.{{hint}}',
      },
    },
  },
  check(ctx) {
    const states = ctx.registry.states;
    for (const info of ctx.entries) {
      const s = info.state;
      if (s === undefined || states.includes(s)) continue;
      const subject = ctx.range(`${info.entry.pointer}/state`, info.entry.range);
      const hint = s === 'must_created' ? ' `must_created` was added in 2023.10; use `created` for this version.' : '';
      const data = { state: s, version: ctx.registry.version, states: states.join(', '), hint };
      ctx.report(this, 'unknown', data, { subject, entry: info });
    }
  },
};
