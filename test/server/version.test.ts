// Version probing: the CLI probes once and hands the answer to the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
test('a client given the version the CLI already probed does not probe again', async () => {
  const { bundledRegistry } = await import('../../src/authentik/bundled.js');
  const { createSandbox } = await import('../../src/sandbox/index.js');
  const { createClient } = await import('../../src/server/index.js');
  const registry = bundledRegistry('2023.6');
  const sandbox = await createSandbox({ registry, token: 'probe-token-0123456789' });
  const client = createClient({
    baseUrl: 'http://sandbox.invalid',
    token: 'probe-token-0123456789',
    registry,
    transport: sandbox.transport(),
    version: '2023.6.1',
  });
  assert.equal(await client.version(), '2023.6.1');
  assert.equal(sandbox.requestLog.length, 0, 'no /admin/version/ request');
  await client.close();
});
