// Rules about entry ids and `!KeyOf`: authentik resolves references in document order.
import { ruleTester, yaml } from './rule-tester.js';
import { duplicateId } from '../../src/validate/rules/duplicate-id.js';
import { keyofTarget } from '../../src/validate/rules/keyof-target.js';
import { referenceCycle } from '../../src/validate/rules/reference-cycle.js';

ruleTester(duplicateId, {
  valid: [
    {
      name: 'distinct ids',
      yaml: yaml`
      version: 1
      entries:
        - {model: authentik_core.group, id: a, identifiers: {name: a}}
        - {model: authentik_core.group, id: b, identifiers: {name: b}}`,
    },
    {
      name: 'entries without ids',
      yaml: yaml`
      version: 1
      entries:
        - {model: authentik_core.group, identifiers: {name: a}}
        - {model: authentik_core.group, identifiers: {name: b}}`,
    },
  ],
  invalid: [
    {
      name: 'second entry reuses an id',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          id: admins
          identifiers: {name: a}
        - model: authentik_core.group
          id: admins
          identifiers: {name: b}`,
      errors: [
        { code: 'AKB2006', line: 7, column: 9, severity: 'error', says: ['Duplicate entry id `admins`'], related: ['4:9 `admins` is first defined here'] },
      ],
    },
  ],
});

ruleTester(keyofTarget, {
  valid: [
    {
      name: 'reference to an earlier entry',
      yaml: yaml`
      version: 1
      entries:
        - {model: authentik_flows.flow, id: flow, identifiers: {slug: f}}
        - {model: authentik_flows.flowstagebinding, identifiers: {target: !KeyOf flow, stage: x, order: 0}}`,
    },
    {
      name: 'reference to an absent entry on 2026.5, whose importer records the object it deletes',
      yaml: yaml`
      version: 1
      entries:
        - {model: authentik_core.group, id: old, state: absent, identifiers: {name: old}}
        - {model: authentik_core.group, state: absent, identifiers: {name: child}, attrs: {parents: [!KeyOf old]}}`,
    },
    {
      name: 'reference from the context block is resolved where it is used',
      yaml: yaml`
      version: 1
      context:
        flow: !KeyOf flow
      entries:
        - {model: authentik_flows.flow, id: flow, identifiers: {slug: f}}`,
    },
  ],
  invalid: [
    {
      name: 'no entry has the id',
      yaml: yaml`
      version: 1
      entries:
        - {model: authentik_flows.flow, id: flow, identifiers: {slug: f}}
        - model: authentik_flows.flowstagebinding
          identifiers: {target: !KeyOf flwo, stage: x, order: 0}`,
      errors: [{ code: 'AKB2007', line: 5, column: 27, severity: 'error', says: ['!KeyOf `flwo`: no entry has this id', 'Did you mean `flow`?'] }],
    },
    {
      name: 'the id is defined later in the document',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flowstagebinding
          identifiers: {target: !KeyOf flow, stage: x, order: 0}
        - model: authentik_flows.flow
          id: flow
          identifiers: {slug: f}`,
      errors: [
        { code: 'AKB2008', line: 4, column: 27, severity: 'error', says: ['defined later'], related: ['6:9 `flow` is defined here, after the reference'] },
      ],
    },
    {
      name: 'an id given inside identifiers is no entry id (20-flow-default-source-enrollment.yaml)',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flowstagebinding
          identifiers: {order: 0, id: prompt-binding}
        - model: authentik_policies.policybinding
          identifiers: {order: 0, target: !KeyOf prompt-binding}`,
      errors: [
        {
          code: 'AKB2007',
          line: 6,
          column: 37,
          says: ['`prompt-binding`', 'has `id: prompt-binding` inside identifiers'],
          related: ['4:33 `id: prompt-binding` is a field of identifiers here, not the entry id'],
        },
      ],
    },
    {
      name: 'reference to an absent entry on 2023.6, whose importer records nothing for it',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - {model: authentik_core.group, id: old, state: absent, identifiers: {name: old}}
        - {model: authentik_core.user, identifiers: {username: u}, attrs: {groups: [!KeyOf old]}}`,
      errors: [{ code: 'AKB2021', line: 4, column: 79, says: ['state `absent`', 'authentik 2023.6'] }],
    },
    {
      name: 'reference to a meta-model entry',
      yaml: yaml`
      version: 1
      entries:
        - {model: authentik_blueprints.metaapplyblueprint, id: dep, attrs: {identifiers: {name: x}}}
        - {model: authentik_core.group, identifiers: {name: g}, attrs: {attributes: {dep: !KeyOf dep}}}`,
      errors: [{ code: 'AKB2021', line: 4, column: 85, says: ['meta model'] }],
    },
    {
      name: 'unknown id used in the context block',
      yaml: yaml`
      version: 1
      context:
        flow: !KeyOf nothing
      entries: []`,
      errors: [{ code: 'AKB2007', line: 3, column: 9 }],
    },
  ],
});

ruleTester(referenceCycle, {
  valid: [
    {
      name: 'a chain is not a cycle',
      yaml: yaml`
      version: 1
      entries:
        - {model: authentik_core.group, id: a, identifiers: {name: a}}
        - {model: authentik_core.group, id: b, identifiers: {name: b}, attrs: {parents: [!KeyOf a]}}
        - {model: authentik_core.group, id: c, identifiers: {name: c}, attrs: {parents: [!KeyOf b, !KeyOf a]}}`,
    },
  ],
  invalid: [
    {
      name: 'two entries referencing each other',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          id: a
          identifiers: {name: a}
          attrs: {parents: [!KeyOf b]}
        - model: authentik_core.group
          id: b
          identifiers: {name: b}
          attrs: {parents: [!KeyOf a]}`,
      errors: [{ code: 'AKB2009', line: 6, column: 23, severity: 'error', says: ['Reference cycle: a → b → a'] }],
    },
    {
      name: 'three entries',
      yaml: yaml`
      version: 1
      entries:
        - {model: authentik_core.group, id: a, identifiers: {name: a}, attrs: {parents: [!KeyOf c]}}
        - {model: authentik_core.group, id: b, identifiers: {name: b}, attrs: {parents: [!KeyOf a]}}
        - {model: authentik_core.group, id: c, identifiers: {name: c}, attrs: {parents: [!KeyOf b]}}`,
      errors: [{ code: 'AKB2009', line: 3, column: 84, says: ['a → c → b → a'] }],
    },
    {
      name: 'an entry referencing itself',
      yaml: yaml`
      version: 1
      entries:
        - {model: authentik_core.group, id: a, identifiers: {name: a}, attrs: {parents: [!KeyOf a]}}`,
      errors: [{ code: 'AKB2009', line: 3, column: 84, says: ['a → a'] }],
    },
  ],
});
