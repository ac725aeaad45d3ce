// A plan must not take the API token's own user out of every superuser group: authentik would
// refuse the rest of the apply with 403, half done (authentik's 2022-era 40-events-default
// blueprint empties `authentik Admins` exactly like that). authentik's own importer runs as
// the system and never notices; a reconciler using a user's token must. Pure.
import type { Change, Diagnostic, LiveObject } from '../model/types.js';
import { diag, msg } from '../diag/index.js';
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
 * deleted or deactivated. A group whose status after the plan is not certain (never read, created
 * with a value known only after apply) counts as still granting it: only certainty is an error.
 */
export function checkSelfLockout(changes: readonly Change[], actor: Actor | undefined, groups: readonly LiveObject[]): Diagnostic[] {
  if (!actor) return [];
  const wasSuperuser = new Map<string, boolean>();
  for (const g of groups) wasSuperuser.set(String(g.pk), g.body.is_superuser === true);
  const wasMember = new Set(actor.groups.map(String));
  let memberOf = new Set(wasMember);
  let userSetsGroups = false;
  const touched: Change[] = [];

  for (const c of changes) {
    if (c.model === USER && c.pk !== undefined && same(c.pk, actor.pk)) {
      if (c.action === 'delete') return [lockout(c, actor, `deletes the user ${actor.username} itself`)];
      const active = fieldAfter(c, 'is_active');
      if (active.set && active.value === false) return [lockout(c, actor, `deactivates ${actor.username}`)];
      const g = fieldAfter(c, 'groups');
      if (g.set && Array.isArray(g.value)) {
        // A reference to a group this run creates is not a pk yet: an unknown group.
        memberOf = new Set((g.value as unknown[]).map((x) => (typeof x === 'string' || typeof x === 'number' ? String(x) : `?${c.key}`)));
        userSetsGroups = true;
        touched.push(c);
      }
    }
  }
  const superuser = new Map<string, boolean | undefined>(wasSuperuser);
  for (const c of changes) {
    if (c.model !== GROUP) continue;
    const id = c.pk !== undefined ? String(c.pk) : `new:${c.key}`;
    const before = (c.before ?? {}) as { is_superuser?: unknown; users?: unknown };
    if (before.is_superuser === true) {
      wasSuperuser.set(id, true);
      if (!superuser.has(id)) superuser.set(id, true);
    }
    if (Array.isArray(before.users) && before.users.some((u) => same(u, actor.pk))) {
      wasMember.add(id);
      // The user's own `groups` replace the whole membership; the group side does not undo that.
      if (!userSetsGroups) memberOf.add(id);
    }
    if (c.action === 'delete') {
      if (memberOf.delete(id)) touched.push(c);
      continue;
    }
    if (c.action !== 'create' && c.action !== 'update') continue;
    const su = fieldAfter(c, 'is_superuser');
    if (su.set) {
      superuser.set(id, su.value === true ? true : su.value === false ? false : undefined);
      if (su.value === false && memberOf.has(id)) touched.push(c);
    } else if (c.action === 'create') {
      superuser.set(id, false);
    }
    const users = fieldAfter(c, 'users');
    if (users.set && Array.isArray(users.value)) {
      if ((users.value as unknown[]).some((u) => same(u, actor.pk))) memberOf.add(id);
      else if (memberOf.delete(id)) touched.push(c);
    }
  }
  if (touched.length === 0) return [];
  const stillSuper = [...memberOf].some((g) => superuser.get(g) !== false);
  const wasSuper = [...wasMember].some((g) => wasSuperuser.get(g) === true);
  return !stillSuper && wasSuper ? [lockout(touched[0]!, actor, `removes ${actor.username} from every superuser group`)] : [];
}

function lockout(c: Change, actor: Actor, what: string): Diagnostic {
  return diag(PLAN_CODES.selfLockout, msg(PLAN_CODES.selfLockout, 'thisPlanApi', { what, username: actor.username }), {
    detail: msg(PLAN_CODES.selfLockout, 'thisPlanApiDetail', {}),
    entry: c.key,
    ...(c.origin?.range ? { subject: c.origin.range } : {}),
  });
}
