// Entry-level rules: the model, its identifiers and state, meta models, sections, permissions.
import { ruleTester, yaml } from './rule-tester.js';
import { unknownModel } from '../../src/validate/rules/unknown-model.js';
import { noIdentifiers } from '../../src/validate/rules/no-identifiers.js';
import { identifierField } from '../../src/validate/rules/identifier-field.js';
import { invalidState } from '../../src/validate/rules/invalid-state.js';
import { sections } from '../../src/validate/rules/sections.js';
import { entryPermissions } from '../../src/validate/rules/entry-permissions.js';
import { metaAttrs } from '../../src/validate/rules/meta-attrs.js';

ruleTester(unknownModel, {
  valid: [
    {
      name: 'known model, lower case',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          identifiers: {slug: a}`,
    },
    {
      name: 'model part in any case, as authentik looks it up',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_providers_saml.SAMLPropertyMapping
          identifiers: {name: a}`,
    },
    {
      name: 'model given by a tag is left to compile',
      yaml: yaml`
      version: 1
      entries:
        - model: !Format ["%s", authentik_flows.flow]
          identifiers: {slug: a}`,
    },
    {
      name: 'tenant exists in 2023.6',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_tenants.tenant
          identifiers: {domain: a}`,
    },
  ],
  invalid: [
    {
      name: 'development-era model unknown to 2026.5',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          identifiers: {slug: a}
        - model: authentik_interfaces.interface
          identifiers: {url_name: a}`,
      errors: [{ code: 'AKB2001', line: 5, column: 12, severity: 'error', says: ['`authentik_interfaces.interface`', 'authentik 2026.5'] }],
    },
    {
      name: 'same model unknown to 2023.6',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_interfaces.interface
          identifiers: {url_name: a}`,
      errors: [{ code: 'AKB2001', line: 3, column: 12, says: ['authentik 2023.6'] }],
    },
    {
      name: 'brand does not exist yet in 2023.6',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_brands.brand
          identifiers: {domain: a}`,
      errors: [{ code: 'AKB2001', line: 3, column: 12, says: ['`authentik_brands.brand`'] }],
    },
    {
      name: 'tenant became brand: the 2023.6 name on 2026.5',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_tenants.Tenant
          identifiers: {domain: a}`,
      errors: [{ code: 'AKB2001', line: 3, column: 12, says: ['knows this model as `authentik_brands.brand`'] }],
    },
    {
      name: 'and the 2026.5 name on 2023.6',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_brands.brand
          identifiers: {domain: a}`,
      errors: [{ code: 'AKB2001', line: 3, column: 12, says: ['knows this model as `authentik_tenants.tenant`'] }],
    },
    {
      name: 'typo gets a suggestion',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flwo
          identifiers: {slug: a}`,
      errors: [{ code: 'AKB2001', line: 3, column: 12, says: ['Did you mean `authentik_flows.flow`?'] }],
    },
    {
      name: 'no dot',
      yaml: yaml`
      version: 1
      entries:
        - model: flow
          identifiers: {slug: a}`,
      errors: [{ code: 'AKB2001', line: 3, column: 12, says: ['app_label.model_name'] }],
    },
  ],
});

ruleTester(noIdentifiers, {
  valid: [
    {
      name: 'identifiers present',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: admins}`,
    },
    {
      name: 'pk alone is an identifier',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {pk: 5}`,
    },
    {
      name: 'meta models take none',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_blueprints.metaapplyblueprint
          attrs: {identifiers: {name: other}}`,
    },
  ],
  invalid: [
    {
      name: 'attrs only',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          attrs: {name: admins}`,
      errors: [{ code: 'AKB2010', line: 3, column: 12, severity: 'error', says: ['No or invalid identifiers'] }],
    },
    {
      name: 'empty mapping',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          identifiers: {}
          attrs: {slug: a}`,
      errors: [{ code: 'AKB2010', line: 3, column: 12, says: ['`slug`'] }],
    },
  ],
});

ruleTester(identifierField, {
  valid: [
    {
      name: 'model fields',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flowstagebinding
          identifiers: {target: a, stage: b, order: 0}`,
    },
    {
      name: 'Django lookups on a field',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.user
          identifiers: {username__iexact: a, groups__name: b}`,
    },
    {
      name: 'read-only model field such as managed',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_crypto.certificatekeypair
          identifiers: {managed: goauthentik.io/crypto/jwt-managed}`,
    },
    {
      name: 'model field the API hides (user uuid)',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.user
          identifiers: {uuid: 0b6a5d8e-27a1-4c4f-9d68-2b7d3c4c8a10}`,
    },
  ],
  invalid: [
    {
      name: 'not a field',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          identifiers:
            slug: a
            slgu: b`,
      errors: [{ code: 'AKB2018', line: 6, column: 7, severity: 'error', says: ['Invalid identifier field `slgu`', 'Did you mean `slug`?'] }],
    },
    {
      name: 'id is not a field of a uuid-keyed model',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flowstagebinding
          identifiers: {order: 0, id: prompt-binding}`,
      errors: [{ code: 'AKB2018', line: 4, column: 29 }],
    },
  ],
});

ruleTester(invalidState, {
  valid: [
    {
      name: 'must_created on 2026.5',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          state: must_created
          identifiers: {name: a}`,
    },
    {
      name: 'created on 2023.6',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          state: created
          identifiers: {name: a}`,
    },
  ],
  invalid: [
    {
      name: 'must_created did not exist in 2023.6',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          state: must_created
          identifiers: {name: a}`,
      errors: [{ code: 'AKB2011', line: 4, column: 12, severity: 'error', says: ['`must_created` does not exist in authentik 2023.6', 'use `created`'] }],
    },
  ],
});

ruleTester(sections, {
  valid: [
    {
      name: 'sections on 2026.5',
      yaml: yaml`
      version: 1
      entries:
        groups:
          - model: authentik_core.group
            identifiers: {name: a}`,
    },
    {
      name: 'a list on 2023.6',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: a}`,
    },
  ],
  invalid: [
    {
      name: 'sections on 2023.6',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        groups:
          - model: authentik_core.group
            identifiers: {name: a}`,
      errors: [{ code: 'AKB2020', line: 2, column: 1, severity: 'error', says: ['authentik 2023.6 expects `entries` to be a list'] }],
    },
    {
      name: 'an empty section on 2023.6 is still a mapping the importer refuses',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        later: []`,
      errors: [{ code: 'AKB2020', line: 2, column: 1, severity: 'error' }],
    },
  ],
});

ruleTester(entryPermissions, {
  valid: [
    {
      name: 'permissions on 2026.5',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          identifiers: {slug: a}
          permissions:
            - permission: view_flow
              user: 1`,
    },
  ],
  invalid: [
    {
      name: 'permissions on 2023.6 are ignored',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          identifiers: {slug: a}
          permissions:
            - permission: view_flow
              user: 1`,
      errors: [{ code: 'AKB2017', line: 5, column: 5, severity: 'warning', says: ['authentik 2023.6 ignores entry `permissions`'] }],
    },
  ],
});

ruleTester(metaAttrs, {
  valid: [
    {
      name: 'apply blueprint by name',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_blueprints.metaapplyblueprint
          attrs:
            identifiers: {name: Default - Password change flow}
            required: false`,
    },
    {
      name: 'clean blueprint of a known model',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_blueprints.metacleanblueprint
          attrs: {model_name: authentik_core.application}`,
    },
  ],
  invalid: [
    {
      name: 'apply blueprint without identifiers',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_blueprints.metaapplyblueprint
          attrs:
            required: "no"`,
      errors: [
        { code: 'AKB2019', line: 3, column: 12, says: ['needs attrs `identifiers`'] },
        { code: 'AKB2019', line: 5, column: 17, says: ['`required`', 'a boolean'] },
      ],
    },
    {
      name: 'unknown attribute',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_blueprints.metaapplyblueprint
          attrs:
            identifiers: {name: x}
            requird: true`,
      errors: [{ code: 'AKB2004', line: 6, column: 7, severity: 'error', says: ['Did you mean `required`?'] }],
    },
    {
      name: 'clean blueprint of an unknown model',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_blueprints.metacleanblueprint
          attrs: {model_name: authentik_core.aplication}`,
      errors: [{ code: 'AKB2019', line: 4, column: 25, says: ['`authentik_core.aplication`', 'Did you mean `authentik_core.application`?'] }],
    },
  ],
});
