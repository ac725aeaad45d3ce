// Regenerates the committed schemas/authentik-<version>/ from the OpenAPI documents and model
// maps in ../shared (reference data that is not part of the repo). Run: npm run schemas
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { factsFromModelMap } from '../src/authentik/model-map.js';
import { generateRegistry } from '../src/authentik/generate.js';
import { readOpenApi, writeSchemaDir } from '../src/cli/commands/schema.js';

const shared = fileURLToPath(new URL('../../shared/authentik/', import.meta.url));
if (!existsSync(shared)) {
  console.error(`schemas: ${shared} not found; the committed schemas/ stay as they are`);
  process.exit(1);
}
const inputs = [
  { version: '2023.6', openapi: 'openapi/authentik-2023.6.1.yml', map: 'model-map-2023.6.json' },
  { version: '2026.5', openapi: 'openapi/authentik-2026.5.0-rc1.yml', map: 'model-map-2026.5.json' },
];
for (const i of inputs) {
  const doc = readOpenApi(shared + i.openapi);
  const reg = generateRegistry(doc, factsFromModelMap(JSON.parse(readFileSync(shared + i.map, 'utf8'))));
  const files = writeSchemaDir(reg, fileURLToPath(new URL(`../schemas/authentik-${i.version}/`, import.meta.url)));
  console.log(`authentik ${reg.authentikVersion}: ${Object.keys(reg.models).length} models → ${files.join(', ')}`);
}
