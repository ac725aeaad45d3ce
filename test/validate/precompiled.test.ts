// validate's ahead-of-time validators (src/validate/standalone.ts, written at build time) against
// the validators ajv compiles at run time: the same field errors for the same wrong values, so
// `akbp validate` says the same thing from the packed CLI as from the sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED_VERSIONS, bundledRegistry, bundledRegistryDigest } from '../../src/authentik/bundled.js';
import { writableFields } from '../../src/authentik/blueprint-schema.js';
import { precompiledFile, validatorErrors, modelValidator, type ModelValidator } from '../../src/validate/ajv.js';
import { standaloneValidators } from '../../src/validate/standalone.js';

const requireHere = createRequire(import.meta.url);

/** Wrong values of every kind a blueprint author writes by mistake, plus a tag and null. */
const WRONG: unknown[] = [{ nested: [1] }, 12345, 'x'.repeat(300), 'not-an-email-or-uuid', [{ a: 1 }, 'b'], true, null, { $tag: '!KeyOf', args: ['x'] }, ''];

for (const version of BUNDLED_VERSIONS) {
  test(`the generated validators of ${version} report what ajv compiled at run time reports`, () => {
    const reg = bundledRegistry(version);
    // A copy has no bundled digest, so modelValidator compiles it with ajv.
    const runtime = structuredClone(reg);
    assert.equal(bundledRegistryDigest(runtime), undefined);
    // Inside the project, as in dist/: the generated code requires ajv's small runtime helpers.
    const tmp = fileURLToPath(new URL('../../.tmp/', import.meta.url));
    mkdirSync(tmp, { recursive: true });
    const dir = mkdtempSync(join(tmp, 'precompiled-'));
    try {
      const code = standaloneValidators(reg);
      let compared = 0;
      let errors = 0;
      for (const [name, info] of Object.entries(reg.models)) {
        if (info.kind === 'base') continue;
        const file = join(dir, precompiledFile(name));
        writeFileSync(file, code.get(precompiledFile(name)) ?? assert.fail(`no generated validator for ${name}`));
        const generated = (requireHere(file) as { validate: ModelValidator }).validate;
        const fields = writableFields(info);
        const samples: unknown[] = [{}, 'not a mapping', ...WRONG.map((w) => Object.fromEntries(fields.map((f) => [f, w])))];
        for (const data of samples) {
          const want = validatorErrors(modelValidator(runtime, name), data);
          assert.deepEqual(validatorErrors(generated, data), want, `${name} with ${JSON.stringify(data).slice(0, 120)}`);
          compared++;
          errors += want.length;
        }
      }
      assert.ok(compared > 100 && errors > 1000, `${compared} comparisons with ${errors} field errors`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('only the registry read from a bundled file has a digest, and it follows the file', () => {
  const a = bundledRegistry('2026.5');
  const b = bundledRegistry('2023.6');
  assert.match(bundledRegistryDigest(a) ?? '', /^[0-9a-f]{20}$/);
  assert.notEqual(bundledRegistryDigest(a), bundledRegistryDigest(b));
  assert.equal(bundledRegistryDigest({ ...a }), undefined);
});
