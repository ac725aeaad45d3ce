// `--concurrency N`: how many requests plan and apply keep in flight against a real HTTP server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { listenHttp } from '../../src/sandbox/http.js';

const TOKEN = 'concurrency-test-token';

/** 40 groups: one wave of independent creates. */
function blueprint(): string {
  const entries = Array.from({ length: 40 }, (_, i) => `  - model: authentik_core.group\n    identifiers: {name: c-${i}}\n`);
  return `version: 1\nentries:\n${entries.join('')}`;
}

/** The sandbox over real HTTP, slowed to 200 ms per request, counting requests in flight. */
async function server() {
  const sandbox = await createSandbox({ registry: bundledRegistry('2026.5'), token: TOKEN });
  let inFlight = 0;
  let maxWrites = 0;
  const srv = await listenHttp(
    async (req) => {
      inFlight++;
      if (req.method === 'POST') maxWrites = Math.max(maxWrites, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 200));
        return await sandbox.handle(req);
      } finally {
        inFlight--;
      }
    },
    '127.0.0.1',
    0,
  );
  return { url: srv.url, close: () => srv.close(), maxWrites: () => maxWrites };
}

for (const [flag, expected] of [
  [[], 8],
  [['--concurrency', '16'], 16],
  [['--concurrency', '3'], 3],
] as const) {
  test(`apply ${flag.join(' ') || 'without --concurrency'} keeps ${expected} creates in flight`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'akbp-concurrency-'));
    const srv = await server();
    try {
      writeFileSync(join(dir, 'groups.yaml'), blueprint());
      const r = await runCli(['apply', 'groups.yaml', '--server', srv.url, '--token', TOKEN, '--yes', ...flag], { cwd: dir });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout + r.stderr, /40 applied/);
      assert.equal(srv.maxWrites(), expected);
    } finally {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('--concurrency 0 is refused with what is expected', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-concurrency-'));
  try {
    writeFileSync(join(dir, 'groups.yaml'), blueprint());
    const r = await runCli(['plan', 'groups.yaml', '--sandbox', '--concurrency', '0'], { cwd: dir });
    assert.equal(r.code, 2, 'a usage error exits 2');
    assert.match(r.stderr, /--concurrency 0: expected a whole number from 1 to 256/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
