// Golden files named after the case; rewritten only with UPDATE_GOLDEN=1 and reviewed like code.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function assertGolden(actual: string, file: URL): void {
  const path = file.pathname;
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.UPDATE_GOLDEN !== '1' && process.env.CI === 'true') {
      assert.fail(`golden file ${path} is missing; run with UPDATE_GOLDEN=1 and commit it`);
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `output differs from ${path} (UPDATE_GOLDEN=1 rewrites it)`);
}
