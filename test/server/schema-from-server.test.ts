// --schema-from-server: the registry is generated from the server's own OpenAPI document and
// cached on disk by version, so the multi-megabyte schema is downloaded once per version.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { fetchServerRegistry, undiciTransport } from '../../src/server/index.js';
import { TOKEN, startFakeServer } from './fake-server.js';
import { reference, referenceSkip } from '../helpers/reference.js';

const openapi = reference('openapi', 'authentik-2023.6.1.yml');
const skip = referenceSkip('openapi', 'authentik-2023.6.1.yml');

test('fetchServerRegistry generates from /schema/ and reuses the cache for the same version', { skip }, async () => {
  const schemaJson = JSON.stringify(parse(readFileSync(openapi, 'utf8'), { maxAliasCount: -1 }));
  const srv = await startFakeServer();
  srv.fault = ({ path }) => (path.startsWith('/api/v3/schema/') ? { kind: 'status', status: 200, body: schemaJson } : undefined);
  const cacheDir = mkdtempSync(join(tmpdir(), 'akbp-schema-'));
  const t = undiciTransport(srv.url, {});
  try {
    const reg = await fetchServerRegistry(t, TOKEN, cacheDir, bundledRegistry('2023.6'));
    assert.equal(reg.authentikVersion, '2023.6.1');
    assert.equal(reg.models['authentik_core.user']?.detailPath, '/core/users/{id}/');
    assert.equal(reg.models['authentik_flows.flow']?.lookupField, 'slug');
    assert.deepEqual(
      srv.seen.map((s) => s.path),
      ['/api/v3/admin/version/', '/api/v3/schema/?format=json'],
    );
    assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.registry.json')).length, 1);

    srv.seen.length = 0;
    const again = await fetchServerRegistry(t, TOKEN, cacheDir, bundledRegistry('2023.6'));
    assert.deepEqual(
      srv.seen.map((s) => s.path),
      ['/api/v3/admin/version/'],
      'second run must not download the schema',
    );
    assert.deepEqual(Object.keys(again.models).sort(), Object.keys(reg.models).sort());
    assert.ok(!readFileSync(join(cacheDir, readdirSync(cacheDir)[0]!), 'utf8').includes(TOKEN));
  } finally {
    await t.close();
    await srv.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
