// --schema-from-server against a server over real HTTP (the sandbox, which serves an OpenAPI
// document like authentik's /api/v3/schema/): the registry is built from it, cached by version,
// and plans the same as the bundled one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';

const examples = fileURLToPath(new URL('../../examples/blueprints/', import.meta.url));

test("plan --schema-from-server builds and caches the registry from the server's own schema", async () => {
  const sandbox = await createSandbox({ registry: bundledRegistry('2026.5'), token: 'schema-token-0123456789' });
  const server = await sandbox.listen('127.0.0.1', 0);
  const dir = mkdtempSync(join(tmpdir(), 'akbp-sfs-'));
  try {
    const env = { PATH: process.env.PATH, AKBP_CACHE_DIR: join(dir, 'cache'), AUTHENTIK_URL: server.url, AUTHENTIK_TOKEN: 'schema-token-0123456789' };
    const first = await runCli(['plan', examples, '--schema-from-server', '--detailed-exitcode'], { cwd: dir, env });
    assert.equal(first.code, 2, first.stdout + first.stderr);
    assert.match(first.stdout, /Plan: 17 to create, 0 to update, 0 to delete/);
    const cached = readdirSync(join(dir, 'cache', 'schemas'));
    assert.equal(cached.length, 1);
    assert.match(cached[0]!, /2026\.5\.0-rc1/);
    sandbox.clearLog();
    const second = await runCli(['plan', examples, '--schema-from-server', '--detailed-exitcode'], { cwd: dir, env });
    assert.equal(second.code, 2);
    assert.equal(sandbox.requestLog.filter((r) => r.path.startsWith('/schema/')).length, 0, 'the cached registry is reused');
    assert.ok(existsSync(join(dir, 'cache', 'schemas', cached[0]!)));
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
