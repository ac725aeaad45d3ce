// Attribute rules: value types from the per-model schema, fields authentik drops silently,
// fields a create needs.
import { ruleTester, yaml } from './rule-tester.js';
import { attrTypes } from '../../src/validate/rules/attr-types.js';
import { attrFields } from '../../src/validate/rules/attr-fields.js';
import { requiredFields } from '../../src/validate/rules/required-fields.js';
import { identifierPk } from '../../src/validate/rules/identifier-pk.js';

ruleTester(attrTypes, {
  valid: [
    {
      name: 'plain values of the right types',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          identifiers: {slug: my-flow}
          attrs: {name: Flow, title: Flow, designation: authentication, compatibility_mode: true}`,
    },
    {
      name: 'a tag may stand for any value',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flowstagebinding
          identifiers: {target: !KeyOf flow, stage: !Find [authentik_stages_dummy.dummystage, [name, x]], order: !Context order}
          attrs: {re_evaluate_policies: !If [true, true, false]}`,
    },
    {
      name: 'tags nested inside lists',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.user
          identifiers: {username: u}
          attrs: {groups: [!KeyOf admins, !Find [authentik_core.group, [name, b]]]}`,
    },
    {
      name: 'choice given as a number matches a numeric choice, as DRF compares str(value)',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_stages_authenticator_totp.authenticatortotpstage
          identifiers: {name: totp}
          attrs: {digits: 6}`,
    },
    {
      name: 'a CharField takes a number',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_stages_email.emailstage
          identifiers: {name: email}
          attrs: {token_expiry: 30}`,
    },
    {
      name: 'a slug given as a number, which DRF turns into the slug "2024"',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          identifiers: {slug: 2024}
          attrs: {name: Flow, title: Flow, designation: authentication}`,
    },
    {
      name: 'a pk reference as a numeric string',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.token
          identifiers: {identifier: t}
          attrs: {user: "1", intent: api}`,
    },
    {
      name: 'identifier mapping is a containment filter, not a value',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: a, attributes: {team: x}}`,
    },
    {
      name: 'blueprint-only field typed by the registry',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.user
          identifiers: {username: u}
          attrs: {name: U, password: secret}`,
    },
  ],
  invalid: [
    {
      name: 'enum value the version does not know',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          identifiers: {slug: my-flow}
          attrs:
            designation: login`,
      errors: [{ code: 'AKB2002', line: 6, column: 20, severity: 'error', says: ['`designation`', '"authentication"', 'got the string "login"'] }],
    },
    {
      name: 'boolean given as a string',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: a}
          attrs:
            is_superuser: "yes"`,
      errors: [{ code: 'AKB2002', line: 6, column: 21, says: ['expected a boolean'] }],
    },
    {
      name: "invalid e-mail (authentik's invalid_model_attributes fixture)",
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.User
          identifiers: {username: test-user}
          attrs:
            email: invalid-email`,
      errors: [{ code: 'AKB2002', line: 6, column: 14, says: ['`email`', 'valid email'] }],
    },
    {
      name: 'redirect_uris changed from a string to a list in newer versions',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_providers_oauth2.oauth2provider
          identifiers: {name: p}
          attrs:
            redirect_uris: https://example.com/cb`,
      errors: [{ code: 'AKB2002', line: 6, column: 22, says: ['expected a list'] }],
    },
    {
      name: 'nested item of a list',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.user
          identifiers: {username: u}
          attrs:
            groups: [!KeyOf a, 5]`,
      errors: [{ code: 'AKB2002', line: 6, column: 26, says: ['`groups.1`', 'expected a string'] }],
    },
    {
      name: 'identifier value of the wrong type',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flowstagebinding
          identifiers: {target: !KeyOf f, stage: !KeyOf s, order: first}`,
      errors: [{ code: 'AKB2002', line: 4, column: 61, says: ['`order`', 'expected an integer'] }],
    },
    {
      name: 'slug pattern',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          identifiers: {slug: "my flow"}`,
      errors: [{ code: 'AKB2002', line: 4, column: 25, says: ['`slug`'] }],
    },
  ],
});

ruleTester(attrFields, {
  valid: [
    {
      name: 'blueprint-only fields: user password, application icon, flow background, token key',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.user
          identifiers: {username: u}
          attrs: {name: U, password: x}
        - model: authentik_core.application
          identifiers: {slug: a}
          attrs: {name: A, icon: https://example.com/i.png}
        - model: authentik_flows.flow
          identifiers: {slug: f}
          attrs: {background: https://example.com/b.png}
        - model: authentik_core.token
          identifiers: {identifier: t}
          attrs: {key: x}`,
    },
    {
      name: 'newer blueprint-only fields on 2026.5: password_hash, role permissions',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.user
          identifiers: {username: u}
          attrs: {password_hash: "pbkdf2_sha256$x", permissions: [authentik_blueprints.view_blueprintinstance]}
        - model: authentik_rbac.role
          identifiers: {name: r}
          attrs: {permissions: [authentik_blueprints.view_blueprintinstance]}`,
    },
    {
      name: 'managed is writable on scope mappings',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_providers_oauth2.scopemapping
          identifiers: {managed: goauthentik.io/providers/oauth2/scope-openid}
          attrs: {managed: goauthentik.io/providers/oauth2/scope-openid, name: x}`,
    },
  ],
  invalid: [
    {
      name: 'typo gets the closest field',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          identifiers: {slug: f}
          attrs:
            titel: Flow`,
      errors: [{ code: 'AKB2004', line: 6, column: 7, severity: 'error', says: ['no field `titel`', 'authentik ignores it', 'Did you mean `title`?'] }],
    },
    {
      name: 'field renamed in a later version (group parent → parents)',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: g}
          attrs:
            parent: !KeyOf other`,
      errors: [{ code: 'AKB2004', line: 6, column: 7, says: ['Did you mean `parents`?'] }],
    },
    {
      name: 'password_hash does not exist in 2023.6',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.user
          identifiers: {username: u}
          attrs:
            password_hash: x`,
      errors: [{ code: 'AKB2004', line: 6, column: 7, says: ['authentik 2023.6'] }],
    },
    {
      name: 'read-only managed on a certificate keypair in 2023.6',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_crypto.certificatekeypair
          identifiers: {name: k}
          attrs:
            managed: goauthentik.io/crypto/jwt-managed`,
      errors: [{ code: 'AKB2005', line: 6, column: 7, severity: 'warning', says: ['`managed` is read-only', 'authentik 2023.6'] }],
    },
  ],
});

ruleTester(requiredFields, {
  valid: [
    {
      name: 'all required fields from attrs and identifiers',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          identifiers: {slug: f}
          attrs: {name: F, title: F, designation: authentication}`,
    },
    {
      name: 'absent entries create nothing',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          state: absent
          identifiers: {slug: f}`,
    },
  ],
  invalid: [
    {
      name: 'present: a warning, the object may exist',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.Flow
          identifiers: {slug: test-flow}
          attrs: {name: Test Flow}`,
      errors: [{ code: 'AKB2003', line: 3, column: 12, severity: 'warning', says: ['`designation`, `title`', 'when the object does not exist yet'] }],
    },
    {
      name: 'must_created: an error, the entry exists to create',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_flows.flow
          state: must_created
          identifiers: {slug: test-flow}`,
      errors: [{ code: 'AKB2003', line: 3, column: 12, severity: 'error', says: ['`designation`, `name`, `title`'] }],
    },
    {
      name: 'created: an error too',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          state: created
          attrs: {is_superuser: true}
          identifiers: {pk: 1}`,
      errors: [{ code: 'AKB2003', line: 3, column: 12, severity: 'error', says: ['`name`'] }],
    },
  ],
});

ruleTester(identifierPk, {
  valid: [
    {
      name: "an exported entry's uuid and integer pks, present or not on the server",
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {pk: 2b0f6c1e-5a43-4c1d-9f0e-6b7a1c2d3e01}
        - model: authentik_core.user
          identifiers: {pk: 42}
        - model: authentik_core.user
          identifiers: {pk: "43"}`,
    },
    {
      name: 'a pk given by a tag is for compile and the server to judge',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {pk: !Env GROUP_PK}`,
    },
  ],
  invalid: [
    {
      name: "authentik's invalid_references fixture: an integer pk for a group, whose pk is a UUID",
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers:
            pk: 999999
          attrs: {name: test-group}`,
      errors: [
        { code: 'AKB2022', line: 5, column: 11, severity: 'error', says: ['`pk` 999999 cannot be a primary key of `authentik_core.group`: expected a UUID'] },
      ],
    },
    {
      name: 'a word for a user, whose pk is an integer',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.user
          identifiers: {pk: akadmin}`,
      errors: [{ code: 'AKB2022', line: 4, column: 23, says: ['expected an integer'] }],
    },
  ],
});
