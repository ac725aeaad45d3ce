// Rules about tags: !Format arguments, !Index/!Value placement, !Find queries, tag availability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleTester, yaml } from './rule-tester.js';
import { formatArgs, parsePercentFormat } from '../../src/validate/rules/format-args.js';
import { enumerateContext } from '../../src/validate/rules/enumerate-context.js';
import { findQuery } from '../../src/validate/rules/find-query.js';
import { tagVersion } from '../../src/validate/rules/tag-version.js';

test('parsePercentFormat counts what Python consumes', () => {
  const count = (f: string) => {
    const r = parsePercentFormat(f);
    return 'specs' in r ? r.specs.reduce((n, s) => n + s.consumes, 0) : r.error;
  };
  assert.equal(count('%s-%s'), 2);
  assert.equal(count('100%% %s'), 1);
  assert.equal(count('%-10s|%05.2f|%x'), 3);
  assert.equal(count('%*d'), 2);
  assert.equal(count('no placeholders'), 0);
  assert.match(String(count('%(name)s')), /mapping/);
  assert.match(String(count('50%')), /incomplete/);
  assert.match(String(count('%y')), /unsupported format character `y`/);
});

ruleTester(formatArgs, {
  valid: [
    {
      name: 'one argument per placeholder',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: !Format ["%s-%s", !Context a, b]}`,
    },
    {
      name: 'a literal percent',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: !Format ["100%% %s", x]}`,
    },
    {
      name: '%d of a number or of a tag',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: !Format ["%d-%d", 5, !Index 0]}`,
    },
  ],
  invalid: [
    {
      name: 'too few arguments',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers:
            name: !Format ["%s-%s", x]`,
      errors: [{ code: 'AKB2012', line: 5, column: 13, severity: 'error', says: ['2 placeholder(s) but 1 argument(s)', 'not enough arguments'] }],
    },
    {
      name: 'too many arguments',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers:
            name: !Format [prefix, x]`,
      errors: [{ code: 'AKB2012', line: 5, column: 13, says: ['not all arguments converted'] }],
    },
    {
      name: '%d of a string',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers:
            name: !Format ["n-%d", abc]`,
      errors: [{ code: 'AKB2012', line: 5, column: 13, says: ['`%d` needs a number, argument 1 is a string'] }],
    },
    {
      name: 'named placeholder',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers:
            name: !Format ["%(uid)s", x]`,
      errors: [{ code: 'AKB2012', line: 5, column: 13, says: ['needs a mapping'] }],
    },
  ],
});

ruleTester(enumerateContext, {
  valid: [
    {
      name: 'index and value inside the body',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: g}
          attrs:
            attributes: !Enumerate [[a, b], MAP, [!Index 0, !Value 0]]`,
    },
    {
      name: 'depth 1 reaches the outer !Enumerate; depth 2 in a nested iterable (authentik tags.yaml)',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: g}
          attrs:
            attributes: !Enumerate [[a], MAP, [!Index 0, !Enumerate [{k: v}, MAP, [!Index 1, !Enumerate [!Value 2, SEQ, !Value 0]]]]]`,
    },
  ],
  invalid: [
    {
      name: 'outside any !Enumerate',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: !Index 0}`,
      errors: [{ code: 'AKB2013', line: 4, column: 25, severity: 'error', says: ['!Index 0 is not inside an !Enumerate body'] }],
    },
    {
      name: 'deeper than the enclosing !Enumerate tags',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: g}
          attrs:
            attributes: !Enumerate [[a], SEQ, !Value 1]`,
      errors: [{ code: 'AKB2013', line: 6, column: 41, says: ['!Value 1 reaches past the 1 enclosing'] }],
    },
    {
      name: 'depth 0 as the iterable of its own !Enumerate',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: g}
          attrs:
            attributes: !Enumerate [[a], SEQ, !Enumerate [!Value 0, SEQ, x]]`,
      errors: [{ code: 'AKB2013', line: 6, column: 53, says: ['iterable of its own !Enumerate'] }],
    },
  ],
});

ruleTester(findQuery, {
  valid: [
    {
      name: 'fields and Django lookups',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: g}
          attrs:
            parents: [!Find [authentik_core.group, [name__iexact, a], [pk__isnull, false]]]
            attributes: {flow: !Find [authentik_flows.Flow, [slug, a], [designation, authentication]]}`,
    },
    {
      name: 'query key given by a tag',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: !Find [authentik_core.group, [!Context key, a]]}`,
    },
  ],
  invalid: [
    {
      name: 'not a field of the model',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: g}
          attrs:
            parents: [!Find [authentik_core.group, [nmae, a]]]`,
      errors: [{ code: 'AKB2014', line: 6, column: 17, severity: 'error', says: ['`nmae` is not a field of the model', 'Did you mean `name`?'] }],
    },
    {
      name: 'model the version does not have (default-tenant.yaml on 2023.6)',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_tenants.tenant
          identifiers: {domain: x}
          attrs:
            flow_authentication: !Find [authentik_interfaces.Interface, [type, admin]]`,
      errors: [{ code: 'AKB2015', line: 6, column: 28, severity: 'error', says: ['`authentik_interfaces.Interface` is unknown to authentik 2023.6'] }],
    },
  ],
});

ruleTester(tagVersion, {
  valid: [
    {
      name: 'newer tags on 2026.5',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: g}
          attrs:
            attributes:
              a: !AtIndex [[1], 0]
              b: !ParseJSON '{"x": 1}'
              c: !FindObject [authentik_core.group, [name, x]]
              d: !File /etc/hostname
              e: !If [true]
              f: !Context dotted.path`,
    },
    {
      name: 'a dotted key that exists at the top level is one key on any version',
      version: '2023.6',
      yaml: yaml`
      version: 1
      context:
        foo.bar: x
      entries:
        - model: authentik_core.group
          identifiers: {name: !Context foo.bar}`,
    },
  ],
  invalid: [
    {
      name: 'tags 2023.6 does not know',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: g}
          attrs:
            attributes:
              a: !AtIndex [[1], 0]
              b: !ParseJSON '{"x": 1}'`,
      errors: [
        { code: 'AKB2016', line: 7, column: 12, severity: 'warning', says: ['authentik 2023.6 does not know !AtIndex; the server will reject the blueprint'] },
        { code: 'AKB2016', line: 8, column: 12, says: ['!ParseJSON'] },
      ],
    },
    {
      name: 'one-argument !If on 2023.6',
      version: '2023.6',
      yaml: yaml`
      version: 1
      entries:
        - model: authentik_core.group
          identifiers: {name: g}
          attrs:
            is_superuser: !If [true]`,
      errors: [{ code: 'AKB2016', line: 6, column: 21, says: ['one-argument form of !If'] }],
    },
    {
      name: 'dotted !Context path on 2023.6',
      version: '2023.6',
      yaml: yaml`
      version: 1
      context:
        foo: {bar: x}
      entries:
        - model: authentik_core.group
          identifiers: {name: !Context foo.bar}`,
      errors: [{ code: 'AKB2016', line: 6, column: 25, says: ['reads `!Context foo.bar` as one key'] }],
    },
  ],
});
