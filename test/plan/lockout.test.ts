// The plan refuses to take the API token's own user out of every superuser group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Change, LiveObject } from '../../src/model/index.js';
import { checkSelfLockout, type Actor } from '../../src/plan/lockout.js';
import { modelName } from '../helpers/model.js';

const actor: Actor = { pk: 1, username: 'akadmin', groups: ['admins'] };
const admins: LiveObject = { model: modelName('authentik_core.group'), pk: 'admins', body: { name: 'authentik Admins', is_superuser: true, users: [1] } };
const ops: LiveObject = { model: modelName('authentik_core.group'), pk: 'ops', body: { name: 'ops', is_superuser: true, users: [1] } };

function groupChange(pk: string, patch: Change['patch'], action: Change['action'] = 'update', before = admins.body): Change {
  return {
    key: `g#${pk}`,
    model: modelName('authentik_core.group'),
    action,
    reason: '',
    identifiers: { name: pk },
    pk,
    patch,
    before,
    order: 0,
    wave: 0,
    dependsOn: [],
  };
}
function userChange(patch: Change['patch'], action: Change['action'] = 'update'): Change {
  return {
    key: 'u#1',
    model: modelName('authentik_core.user'),
    action,
    reason: '',
    identifiers: { username: 'akadmin' },
    pk: 1,
    patch,
    order: 0,
    wave: 0,
    dependsOn: [],
  };
}

const rows: { name: string; changes: Change[]; groups?: LiveObject[]; actor?: Actor; locked: boolean }[] = [
  { name: 'group emptied (users: [])', changes: [groupChange('admins', [{ path: '/users', op: 'replace', before: [1], after: [] }])], locked: true },
  {
    name: 'group demoted (is_superuser: false)',
    changes: [groupChange('admins', [{ path: '/is_superuser', op: 'replace', before: true, after: false }])],
    locked: true,
  },
  { name: 'superuser group deleted', changes: [groupChange('admins', [], 'delete')], locked: true },
  { name: 'user leaves its groups', changes: [userChange([{ path: '/groups', op: 'replace', before: ['admins'], after: [] }])], locked: true },
  { name: 'user deactivated', changes: [userChange([{ path: '/is_active', op: 'replace', before: true, after: false }])], locked: true },
  { name: 'user deleted', changes: [userChange([], 'delete')], locked: true },
  {
    name: 'members changed but the actor stays',
    changes: [groupChange('admins', [{ path: '/users', op: 'replace', before: [1, 2], after: [1] }])],
    locked: false,
  },
  {
    name: 'still superuser through another group',
    changes: [groupChange('admins', [{ path: '/users', op: 'replace', before: [1], after: [] }])],
    groups: [admins, ops],
    actor: { ...actor, groups: ['admins', 'ops'] },
    locked: false,
  },
  {
    name: 'another group the plan never read may still grant it',
    changes: [groupChange('admins', [{ path: '/users', op: 'replace', before: [1], after: [] }])],
    groups: [admins],
    actor: { ...actor, groups: ['admins', 'unread'] },
    locked: false,
  },
  { name: 'an unrelated user', changes: [{ ...userChange([{ path: '/is_active', op: 'replace', before: true, after: false }]), pk: 7 }], locked: false },
  {
    name: "moved into another superuser group through that group's users",
    changes: [
      groupChange('admins', [{ path: '/users', op: 'replace', before: [1], after: [] }]),
      groupChange('ops', [{ path: '/users', op: 'replace', before: [2], after: [1, 2] }], 'update', { ...ops.body, users: [2] }),
    ],
    groups: [admins, { ...ops, body: { ...ops.body, users: [2] } }],
    locked: false,
  },
  {
    name: 'moved into a superuser group the plan creates',
    changes: [
      groupChange('admins', [{ path: '/users', op: 'replace', before: [1], after: [] }]),
      {
        ...groupChange(
          'new',
          [
            { path: '/is_superuser', op: 'add', after: true },
            { path: '/users', op: 'add', after: [1] },
          ],
          'create',
          {},
        ),
        pk: undefined,
      },
    ],
    locked: false,
  },
  {
    name: "the user's groups drop the superuser group while that group is only renamed",
    changes: [
      userChange([{ path: '/groups', op: 'replace', before: ['admins'], after: [] }]),
      groupChange('admins', [{ path: '/name', op: 'replace', before: 'authentik Admins', after: 'Admins' }]),
    ],
    locked: true,
  },
  {
    name: 'an actor that never was a superuser leaves a plain group',
    changes: [groupChange('staff', [{ path: '/users', op: 'replace', before: [1], after: [] }], 'update', { name: 'staff', is_superuser: false, users: [1] })],
    groups: [{ model: modelName('authentik_core.group'), pk: 'staff', body: { name: 'staff', is_superuser: false, users: [1] } }],
    actor: { ...actor, groups: ['staff'] },
    locked: false,
  },
  {
    name: 'no actor known',
    changes: [groupChange('admins', [{ path: '/users', op: 'replace', before: [1], after: [] }])],
    actor: undefined as unknown as Actor,
    locked: false,
  },
];

for (const r of rows) {
  test(`self-lockout: ${r.name} → ${r.locked ? 'refused' : 'allowed'}`, () => {
    const who = 'actor' in r ? r.actor : actor;
    const ds = checkSelfLockout(r.changes, who, r.groups ?? [admins]);
    assert.equal(ds.length, r.locked ? 1 : 0, JSON.stringify(ds));
    if (r.locked) {
      assert.equal(ds[0]!.code, 'AKB4017');
      assert.equal(ds[0]!.severity, 'error');
      assert.match(ds[0]!.summary, /akadmin/);
    }
  });
}
