// Dependencies across everything compiled together: !KeyOf, !Find matching another entry,
// metaapplyblueprint; cycles; waves and one deterministic order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { compileBlueprints } from '../../src/compile/index.js';
import { codes, compile, load } from './helpers.js';

const flows = `version: 1
metadata:
  name: Flows
entries:
  - model: authentik_flows.flow
    id: flow
    identifiers: {slug: login}
    attrs: {name: Login, title: Login, designation: authentication}
  - model: authentik_stages_dummy.dummystage
    identifiers: {name: dummy}
`;
const bindings = `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: independent}
  - model: authentik_flows.flowstagebinding
    identifiers:
      target: !Find [authentik_flows.flow, [slug, login]]
      stage: !Find [authentik_stages_dummy.dummystage, [name, dummy]]
      order: 10
  - model: authentik_policies.policybinding
    identifiers:
      target: !Find [authentik_flows.flowstagebinding, [order, "10"]]
      group: !Find [authentik_core.group, [name, independent]]
      order: 0
`;

test('!Find of an object another file writes orders that file (instance) first; waves and order are deterministic', () => {
  const a = load('a-bindings.yaml', bindings);
  const b = load('b-flows.yaml', flows);
  const res = compile([a, b]);
  assert.deepEqual(codes(res), []);
  assert.deepEqual(
    res.entries.map((e) => [e.order, e.wave, e.key, e.dependsOn]),
    [
      [0, 0, 'b-flows.yaml#flow', []],
      [1, 0, 'b-flows.yaml#authentik_stages_dummy.dummystage[name=dummy]', []],
      [2, 0, 'a-bindings.yaml#authentik_core.group[name=independent]', []],
      [
        3,
        1,
        'a-bindings.yaml#authentik_flows.flowstagebinding[order=10,stage=~5a6d2650e8,target=~942d6c92de]',
        ['b-flows.yaml#flow', 'b-flows.yaml#authentik_stages_dummy.dummystage[name=dummy]'],
      ],
      [
        4,
        2,
        'a-bindings.yaml#authentik_policies.policybinding[group=~83b73dd8a2,order=0,target=~ce406bf396]',
        [
          'a-bindings.yaml#authentik_core.group[name=independent]',
          'a-bindings.yaml#authentik_flows.flowstagebinding[order=10,stage=~5a6d2650e8,target=~942d6c92de]',
        ],
      ],
    ],
  );
  const again = compile([load('b-flows.yaml', flows), load('a-bindings.yaml', bindings)]);
  assert.deepEqual(
    again.entries.map((e) => [e.order, e.wave, e.key, e.dependsOn]),
    res.entries.map((e) => [e.order, e.wave, e.key, e.dependsOn]),
    'input order does not matter',
  );
});

test('!KeyOf: earlier entries only; compile reports what only evaluation shows (a target its conditions skip)', () => {
  const bp = load(
    'a.yaml',
    `version: 1
entries:
  - model: authentik_core.group
    id: skipped
    conditions: [false]
    identifiers: {name: s}
  - model: authentik_core.group
    id: gone
    state: absent
    identifiers: {name: g}
  - model: authentik_core.group
    identifiers:
      name: user
      parent: !KeyOf later
    attrs:
      roles: [!KeyOf nowhere, !KeyOf skipped, !KeyOf gone]
  - model: authentik_core.group
    id: later
    identifiers: {name: l}
  - model: authentik_core.group
    identifiers: {name: ok, parent: !KeyOf later}
`,
  );
  const res = compile([bp]);
  // Later, unknown and absent targets are written in the text: validate's (AKB2008, AKB2007, AKB2021).
  assert.deepEqual(codes(res), ['AKB3016 a.yaml:16:31']);
  assert.match(res.diagnostics[0]!.summary, /line 3 is skipped because its conditions are false/);
  const ok = res.entries.find((e) => e.key === 'a.yaml#authentik_core.group[name=ok,parent=!KeyOf:later]')!;
  assert.deepEqual(ok.dependsOn, ['a.yaml#later']);
  assert.equal(ok.wave, 1);
});

test('!KeyOf to a created entry warns before 2023.10 only', () => {
  const text = `version: 1
entries:
  - model: authentik_core.group
    id: g
    state: created
    identifiers: {name: g}
  - model: authentik_core.group
    identifiers: {name: child, parent: !KeyOf g}
`;
  assert.deepEqual(codes(compile([load('a.yaml', text)], {}, '2023.6')), ['AKB3017 a.yaml:8:40']);
  assert.deepEqual(codes(compile([load('a.yaml', text)], {}, '2026.5')), []);
  // 2023.8 (e.g. a registry read from such a server) still skips existing `created` objects.
  const res = compileBlueprints([load('a.yaml', text)], { registry: { ...bundledRegistry('2023.6'), version: '2023.8.3' }, env: {} });
  assert.deepEqual(
    res.diagnostics.map((d) => d.code),
    ['AKB3017'],
  );
  assert.match(res.diagnostics[0]!.summary, /authentik 2023\.8\.3 records no object/);
});

test('two files whose entries find each other: the first by path runs first and its !Find sees nothing of the other', () => {
  const a = load(
    'a.yaml',
    `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: a, parent: !Find [authentik_core.group, [name, b]]}
`,
  );
  const b = load(
    'b.yaml',
    `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: b, parent: !Find [authentik_core.group, [name, a]]}
`,
  );
  const res = compile([b, a]);
  assert.deepEqual(codes(res), [], 'authentik applies one file, then the other: no cycle');
  assert.deepEqual(
    res.entries.map((e) => [e.key, e.dependsOn]),
    [
      ['a.yaml#authentik_core.group[name=a,parent=~e0c0c1687b]', []],
      ['b.yaml#authentik_core.group[name=b,parent=~d2f43e1887]', ['a.yaml#authentik_core.group[name=a,parent=~e0c0c1687b]']],
    ],
  );
});

test('entries of one file that find each other still form a cycle, reported once with lines', () => {
  const a = load(
    'a.yaml',
    `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: a}
    attrs: {parent: !Find [authentik_core.group, [name, b]]}
  - model: authentik_core.group
    identifiers: {name: b}
    attrs: {parent: !Find [authentik_core.group, [name, a]]}
`,
  );
  const res = compile([a]);
  assert.deepEqual(codes(res), [], 'within a file only earlier entries are seen: document order, no cycle');
  assert.deepEqual(
    res.entries.map((e) => [e.key, e.dependsOn]),
    [
      ['a.yaml#authentik_core.group[name=a]', []],
      ['a.yaml#authentik_core.group[name=b]', ['a.yaml#authentik_core.group[name=a]']],
    ],
  );
});

test('instances: metaapplyblueprint first, then !Find on objects another file creates, then path', () => {
  const z = load(
    'z-base.yaml',
    `version: 1
metadata: {name: Base}
entries:
  - model: authentik_core.group
    identifiers: {name: base}
`,
  );
  const m = load(
    'm-user.yaml',
    `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: child, parent: !Find [authentik_core.group, [name, base]]}
`,
  );
  const a = load(
    'a-main.yaml',
    `version: 1
entries:
  - model: authentik_blueprints.metaapplyblueprint
    attrs: {identifiers: {name: Base}}
  - model: authentik_core.group
    identifiers: {name: after-base}
`,
  );
  const res = compile([a, m, z]);
  assert.deepEqual(codes(res), []);
  const order = res.entries.map((e) => e.key);
  const at = (prefix: string): number => order.findIndex((k) => k.startsWith(prefix));
  assert.ok(at('z-base.yaml#authentik_core.group[name=base]') >= 0 && at('m-user.yaml#authentik_core.group[name=child') >= 0);
  assert.ok(at('z-base.yaml#authentik_core.group[name=base]') < at('m-user.yaml#authentik_core.group[name=child'), '!Find dependency first');
  assert.ok(at('z-base.yaml#authentik_core.group[name=base]') < at('a-main.yaml#authentik_core.group[name=after-base]'), 'metaapplyblueprint target first');
  const again = compile([z, m, a]);
  assert.deepEqual(
    again.entries.map((e) => e.key),
    order,
    'input order does not matter',
  );
});

test('two instances declaring one object: the later one runs after the earlier, keys unchanged', () => {
  const one = load(
    'default/flow-a.yaml',
    `version: 1
entries:
  - model: authentik_stages_user_login.userloginstage
    id: login
    identifiers: {name: shared-login}
    attrs: {session_duration: seconds=0}
`,
  );
  const two = load(
    'default/flow-b.yaml',
    `version: 1
entries:
  - model: authentik_stages_user_login.userloginstage
    id: login
    identifiers: {name: shared-login}
    attrs: {session_duration: hours=1}
`,
  );
  const res = compile([two, one]);
  assert.deepEqual(codes(res), []);
  assert.deepEqual(
    res.entries.map((e) => [e.key, e.dependsOn]),
    [
      ['default/flow-a.yaml#login', []],
      ['default/flow-b.yaml#login', ['default/flow-a.yaml#login']],
    ],
  );
});

const lib = `version: 1
metadata:
  name: Shared groups
  labels: {blueprints.goauthentik.io/instantiate: "false"}
entries:
  - model: authentik_core.group
    id: base
    identifiers: {name: base}
  - model: authentik_core.group
    identifiers: {name: admins, parent: !KeyOf base}
`;

test('metaapplyblueprint compiles its target in once; later entries wait for it', () => {
  const main = load(
    'main.yaml',
    `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: first}
  - model: authentik_blueprints.metaapplyblueprint
    attrs:
      identifiers: {name: Shared groups}
  - model: authentik_core.group
    identifiers: {name: after}
  - model: authentik_blueprints.metaapplyblueprint
    attrs:
      identifiers: {path: lib/shared.yaml}
      required: false
`,
  );
  const shared = load('lib/shared.yaml', lib, {}, 'lib/shared.yaml');
  const res = compile([main], { library: [shared] });
  assert.deepEqual(codes(res), []);
  assert.deepEqual(
    res.entries.map((e) => [e.key, e.wave, e.dependsOn]),
    [
      ['lib/shared.yaml#base', 0, []],
      ['main.yaml#authentik_core.group[name=first]', 0, []],
      ['lib/shared.yaml#authentik_core.group[name=admins,parent=!KeyOf:base]', 1, ['lib/shared.yaml#base']],
      ['main.yaml#authentik_core.group[name=after]', 2, ['lib/shared.yaml#authentik_core.group[name=admins,parent=!KeyOf:base]']],
    ],
  );
  assert.deepEqual(
    res.dropped.map((d) => [d.key, d.reason]),
    [
      ['main.yaml#authentik_blueprints.metaapplyblueprint[attrs=~60c3129cc1]', 'replaced by the entries of lib/shared.yaml, compiled in'],
      ['main.yaml#authentik_blueprints.metaapplyblueprint[attrs=~bd2b9503cf]', 'replaced by the entries of lib/shared.yaml, compiled in'],
    ],
  );
});

test('metaapplyblueprint cycles are errors; unknown targets stay for apply with a warning', () => {
  const a = load(
    'a.yaml',
    `version: 1
metadata: {name: A}
entries:
  - model: authentik_blueprints.metaapplyblueprint
    attrs: {identifiers: {name: B}}
`,
  );
  const b = load(
    'b.yaml',
    `version: 1
metadata: {name: B}
entries:
  - model: authentik_blueprints.metaapplyblueprint
    attrs: {identifiers: {name: A}}
  - model: authentik_blueprints.metaapplyblueprint
    attrs: {identifiers: {name: Elsewhere}}
`,
  );
  const res = compile([a, b]);
  assert.deepEqual(codes(res), ['AKB3019 b.yaml:5:26', 'AKB3020 b.yaml:7:26']);
  assert.equal(res.diagnostics[0]!.summary, 'metaapplyblueprint cycle: a.yaml → b.yaml → a.yaml');
  assert.deepEqual(
    res.entries.map((e) => [e.key, e.model, e.attrs]),
    [['b.yaml#authentik_blueprints.metaapplyblueprint[attrs=~de0c96c1fc]', 'authentik_blueprints.metaapplyblueprint', { identifiers: { name: 'Elsewhere' } }]],
  );
});

test('entries after a metaapplyblueprint left for apply wait for it', () => {
  const res = compile([
    load(
      'a.yaml',
      `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: before}
  - model: authentik_blueprints.metaapplyblueprint
    attrs: {identifiers: {path: system/elsewhere.yaml}, required: false}
  - model: authentik_core.group
    identifiers: {name: after}
`,
    ),
  ]);
  assert.deepEqual(codes(res), [], 'required: false → no warning');
  assert.deepEqual(
    res.entries.map((e) => [e.key, e.wave, e.dependsOn]),
    [
      ['a.yaml#authentik_core.group[name=before]', 0, []],
      ['a.yaml#authentik_blueprints.metaapplyblueprint[attrs=~4aef9b11ef]', 0, []],
      ['a.yaml#authentik_core.group[name=after]', 1, ['a.yaml#authentik_blueprints.metaapplyblueprint[attrs=~4aef9b11ef]']],
    ],
  );
});

test('keyOfTarget names the entry a !KeyOf resolves to, skipping a dropped entry with the same id', async () => {
  const { keyOfTarget } = await import('../../src/compile/index.js');
  const res = compile([
    load(
      'a.yaml',
      `version: 1
entries:
  - model: authentik_flows.flow
    id: flow
    conditions: [false]
    identifiers: {slug: off}
  - model: authentik_flows.flow
    id: flow
    identifiers: {slug: on}
  - model: authentik_policies.policybinding
    identifiers: {target: !KeyOf flow, group: !Find [authentik_core.group, [name, g]], order: 0}
`,
    ),
  ]);
  const byKey = new Map(res.entries.map((e) => [e.key, e]));
  const binding = res.entries.find((e) => e.model === 'authentik_policies.policybinding')!;
  assert.equal(keyOfTarget(binding, 'flow', byKey), 'a.yaml#authentik_flows.flow[slug=true]');
  assert.deepEqual(
    res.dropped.map((d) => d.key),
    ['a.yaml#flow'],
  );
});
