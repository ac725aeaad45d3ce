// `identifiers: {pk: …}` becomes a filter on the model's primary key: a value the key's type cannot
// hold fails the entry in authentik ("… is not a valid UUID", "Field 'id' expected a number"),
// and with it the blueprint, before anything is written. An exported pk that is merely absent is
// fine (the pk rewrite map creates the object); one of the wrong type never is.
import { V } from '../codes.js';
import { type Rule, isTag, ptr } from '../context.js';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function fits(type: 'integer' | 'uuid' | 'string', v: unknown): boolean {
  if (type === 'uuid') return typeof v === 'string' && UUID.test(v.trim());
  if (type === 'integer') return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^\s*\d+\s*$/.test(v));
  return typeof v === 'string' || typeof v === 'number';
}

export const identifierPk: Rule = {
  id: 'identifier-pk',
  meta: {
    messages: {
      type: {
        code: V.identifierPk,
        summary: '`pk` {{value}} cannot be a primary key of `{{model}}`: expected {{expected}}',
        detail: 'authentik looks the object up by this pk and fails the whole blueprint on a value of the wrong type.',
      },
    },
  },
  check(ctx) {
    for (const info of ctx.entries) {
      const m = info.model;
      const v = info.entry.identifiers.pk;
      if (!m || m.kind === 'meta' || !m.pkType || v === undefined || v === null || isTag(v) || typeof v === 'object') continue;
      if (fits(m.pkType, v)) continue;
      const expected = m.pkType === 'uuid' ? 'a UUID' : m.pkType === 'integer' ? 'an integer' : 'a string';
      const subject = ctx.range(ptr(info.entry.pointer, 'identifiers', 'pk'), info.entry.range);
      ctx.report(this, 'type', { value: JSON.stringify(v), model: m.model, expected }, { subject, entry: info });
    }
  },
};
