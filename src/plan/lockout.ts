// A plan must not take the API token's own user out of every superuser group: authentik would
// refuse the rest of the apply with 403, half done (authentik's 2022-era 40-events-default
// blueprint empties `authentik Admins` exactly like that). authentik's own importer runs as
// the system and never notices; a reconciler using a user's token must. Pure.
import type { Change, Diagnostic, Json, LiveObject } from '../model/types.js';
import { diag } from '../diag/index.js';
import { PLAN_CODES } from './codes.js';

export interface Actor {
  pk: string | number;
  username: string;
  /** pks of the groups the actor is a direct member of. */
  groups: string[];
}

const GROUP = 'authentik_core.group';
const USER = 'authentik_core.user';

function fieldAfter(c: Change, field: string): { set: boolean; value?: unknown } {
  const f = c.patch.find((p) => p.path === `/${field}`);
  return f ? { set: true, value: f.op === 'remove' ? null : f.after } : { set: false };
}

const same = (a: unknown, b: unknown) => String(a) === String(b);

/**
 * `groups` are all live groups read (for is_superuser of groups the plan does not touch).
 * Returns an error when every superuser group the actor belongs to loses it, or the actor is
 * deleted or deactivated.
 */
export function checkSelfLockout(changes: readonly Change[], actor: Actor | undefined, groups: readonly LiveObject[]): Diagnostic[] {
  if (!actor) return [];
  const superuser = new Map<string, boolean>();
  for (const g of groups) superuser.set(String(g.pk), g.body.is_superuser === true);
  let memberOf = new Set(actor.groups.map(String));
  const touched: Change[] = [];

  for (const c of changes) {
    if (c.model === USER && c.pk !== undefined && same(c.pk, actor.pk)) {
      if (c.action === 'delete') return [lockout(c, actor, `deletes the user ${actor.username} itself`)];
      const active = fieldAfter(c, 'is_active');
      if (active.set && active.value === false) return [lockout(c, actor, `deactivates ${actor.username}`)];
      const g = fieldAfter(c, 'groups');
      if (g.set && Array.isArray(g.value)) {
        memberOf = new Set((g.value as Json[]).filter((x) => typeof x === 'string').map(String));
        touched.push(c);
      }
    }
  }
  for (const c of changes) {
    if (c.model !== GROUP || c.pk === undefined) continue;
    const pk = String(c.pk);
    const before = (c.before ?? {}) as { is_superuser?: unknown; users?: unknown };
    if (before.is_superuser === true) superuser.set(pk, true);
    const wasMember = memberOf.has(pk) || (Array.isArray(before.users) && before.users.some((u) => same(u, actor.pk)));
    if (!wasMember) continue;
    memberOf.add(pk);
    if (c.action === 'delete') {
      memberOf.delete(pk);
      touched.push(c);
      continue;
    }
    const users = fieldAfter(c, 'users');
    if (users.set && Array.isArray(users.value) && !(users.value as unknown[]).some((u) => same(u, actor.pk))) {
      memberOf.delete(pk);
      touched.push(c);
    }
    const su = fieldAfter(c, 'is_superuser');
    if (su.set && su.value === false) {
      superuser.set(pk, false);
      touched.push(c);
    }
  }
  if (touched.length === 0) return [];
  // A group the plan never read may make the actor a superuser: only certainty raises the error.
  const stillSuper = [...memberOf].some((g) => superuser.get(g) !== false);
  const wasSuper = actor.groups.some((g) => superuser.get(String(g)) === true) || touched.some((c) => c.model === GROUP);
  return !stillSuper && wasSuper ? [lockout(touched[0]!, actor, `removes ${actor.username} from every superuser group`)] : [];
}

function lockout(c: Change, actor: Actor, what: string): Diagnostic {
  return diag(PLAN_CODES.selfLockout, `this plan ${what}: the API token akbp uses belongs to ${actor.username}, so authentik would refuse the rest of the apply (403)`, {
    detail: 'Keep the token\'s user in a superuser group, or apply with the token of another superuser.',
    entry: c.key,
    ...(c.origin?.range ? { subject: c.origin.range } : {}),
  });
}
