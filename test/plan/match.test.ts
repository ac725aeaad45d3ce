import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Json, JsonObject, LiveObject } from '../../src/model/index.js';
import { evalQuery, matchIdentifiers, ObjectIndex } from '../../src/live/index.js';
import { reg23 } from './fixtures.js';
import { modelName } from '../helpers/model.js';

const flow: LiveObject = {
  model: modelName('authentik_flows.flow'),
  pk: 'f1',
  body: { pk: 'f1', slug: 'Default-Auth', name: 'Login', designation: 'authentication', policybindingmodel_ptr_id: 'pbm-1' },
};
const users: LiveObject[] = [
  {
    model: modelName('authentik_core.user'),
    pk: 1,
    body: { pk: 1, username: 'alice', is_active: true, path: 'users/eng', attributes: { team: 'x', tags: ['a', 'b'] }, groups: ['G1', 'g2'] },
  },
  { model: modelName('authentik_core.user'), pk: 2, body: { pk: 2, username: 'bob', is_active: false, path: 'users', attributes: {}, groups: [] } },
];
const fsb: LiveObject = { model: modelName('authentik_flows.flowstagebinding'), pk: 'b1', body: { pk: 'b1', target: 'f1', stage: 's1', order: 10 } };
const ix = new ObjectIndex(
  reg23,
  new Map([
    [modelName('authentik_flows.flow'), [flow]],
    [modelName('authentik_core.user'), users],
    [modelName('authentik_flows.flowstagebinding'), [fsb]],
  ]),
);

const rows: [string, [string, Json][], Json][] = [
  ['authentik_core.user', [['username', 'alice']], 1],
  ['authentik_core.user', [['username', 'ALICE']], null],
  ['authentik_core.user', [['username__iexact', 'ALICE']], 1],
  ['authentik_core.user', [['pk', '2']], 2],
  ['authentik_core.user', [['is_active', false]], 2],
  ['authentik_core.user', [['path__startswith', 'users/']], 1],
  ['authentik_core.user', [['username__in', ['x', 'bob']]], 2],
  ['authentik_core.user', [['attributes__team', 'x']], 1],
  ['authentik_core.user', [['attributes__missing__isnull', true]], 1],
  ['authentik_core.user', [['attributes__contains', { tags: ['b'] }]], 1],
  ['authentik_core.user', [['groups', 'G1']], 1],
  ['authentik_core.user', [['groups__isnull', true]], 2],
  [
    'authentik_flows.flowstagebinding',
    [
      ['target__slug', 'Default-Auth'],
      ['order', '10'],
    ],
    'b1',
  ],
  ['authentik_flows.flowstagebinding', [['target__designation', 'enrollment']], null],
];

for (const [model, query, want] of rows) {
  test(`!Find [${model}, ${JSON.stringify(query)}] → ${JSON.stringify(want)}`, () => {
    const r = evalQuery(reg23, ix, modelName(model), query);
    assert.notEqual(r, 'unknown');
    assert.equal(r === 'unknown' ? undefined : (r.match?.pk ?? null), want);
  });
}

test('an identifier in another notation (numeric string, upper-case uuid) still hits the hash index', () => {
  const id = 'AAAAAAAA-0000-4000-8000-000000000001';
  const g: LiveObject = { model: modelName('authentik_core.group'), pk: id.toLowerCase(), body: { pk: id.toLowerCase(), name: 'g', num_pk: 7 } };
  const gi = new ObjectIndex(reg23, new Map([[modelName('authentik_core.group'), [g]]]));
  const cases: JsonObject[] = [{ pk: id }, { num_pk: '7' }, { name: 'g', num_pk: 7 }];
  for (const ids of cases) {
    const r = matchIdentifiers(reg23, gi, modelName('authentik_core.group'), ids);
    assert.ok(r !== 'unknown' && r.match === g, JSON.stringify(ids));
  }
});

test('a model that was not read cannot answer: unknown, not "no match"', () => {
  assert.equal(evalQuery(reg23, ix, modelName('authentik_core.group'), [['name', 'x']]), 'unknown');
});
