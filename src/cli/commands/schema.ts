// `akbp schema generate`: builds the registry and the blueprint JSON Schema of an authentik
// version from its OpenAPI document, and writes them where akbp (and editors) read them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { CliContext } from '../context.js';
import { factsFromRegistry, generateRegistry, modelEnumOf } from '../../authentik/generate.js';
import type { OpenApiDoc } from '../../authentik/openapi.js';
import { factsFromModelMap } from '../../authentik/model-map.js';
import { bundledRegistry, defaultVersion } from '../../authentik/bundled.js';
import { blueprintJsonSchema } from '../../authentik/blueprint-schema.js';
import type { Registry } from '../../authentik/registry.js';

export function writeSchemaDir(reg: Registry, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const files = [resolve(outDir, 'registry.json'), resolve(outDir, 'blueprint.schema.json')];
  writeFileSync(files[0]!, `${JSON.stringify(reg, null, 1)}\n`);
  writeFileSync(files[1]!, `${JSON.stringify(blueprintJsonSchema(reg), null, 1)}\n`);
  return files;
}

export function readOpenApi(path: string): OpenApiDoc {
  const text = readFileSync(path, 'utf8');
  return (path.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: -1 })) as OpenApiDoc;
}

export function register(program: Command, ctx: CliContext): void {
  const schema = program.command('schema').description('Generate the registry and blueprint JSON Schema of an authentik version');
  schema
    .command('generate')
    .description('Build schemas/authentik-<version>/ from an authentik OpenAPI document')
    .requiredOption('--openapi <file>', "authentik's OpenAPI document (YAML or JSON), e.g. from GET /api/v3/schema/")
    .requiredOption('--out <dir>', 'directory to write registry.json and blueprint.schema.json into')
    .option('--model-map <file>', 'research model map giving facts the OpenAPI lacks (uniqueness, cascades)')
    .option('--facts-from <version>', 'take those facts from a bundled registry instead', defaultVersion())
    .addHelpText(
      'after',
      '\nExample:\n  akbp schema generate --openapi authentik-2023.6.1.yml --model-map model-map-2023.6.json --out schemas/authentik-2023.6\n',
    )
    .action((opts: { openapi: string; out: string; modelMap?: string; factsFrom: string }) => {
      const doc = readOpenApi(resolve(ctx.cwd, opts.openapi));
      const facts = opts.modelMap
        ? factsFromModelMap(JSON.parse(readFileSync(resolve(ctx.cwd, opts.modelMap), 'utf8')))
        : factsFromRegistry(bundledRegistry(opts.factsFrom), modelEnumOf(doc));
      const reg = generateRegistry(doc, facts);
      const files = writeSchemaDir(reg, resolve(ctx.cwd, opts.out));
      ctx.io.stdout(`authentik ${reg.authentikVersion}: ${Object.keys(reg.models).length} models\n${files.map((f) => `  wrote ${f}`).join('\n')}\n`);
    });
}
