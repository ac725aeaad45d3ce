// A live authentik → portable blueprint files. Reads as observe does (one paginated list per
// model, pages fetched in parallel by the client), then hands the objects to the pure builder.
import type { Diagnostic, LiveObject, ServerClient } from '../model/index.js';
import { ApiError } from '../model/index.js';
import type { Registry } from '../authentik/registry.js';
import { diagnose, msg, sortDiagnostics } from '../diag/index.js';
import { mapLimit } from '../values/index.js';
import { buildExport, type BuildOptions, type ExportFile } from './build.js';
import { EXPORT_CODES } from './codes.js';
import { renderFile } from './yaml.js';

export { buildExport } from './build.js';
export { renderFile } from './yaml.js';

export interface ExportOptions extends BuildOptions {
  /** Models listed at once. Default 4. */
  concurrency?: number;
  /** Target of the `# yaml-language-server: $schema=` line. */
  schemaUrl?: string;
}

export interface ExportOutput {
  /** File name (with `.yaml`) → text, sorted by name. */
  files: { path: string; text: string; entries: number }[];
  /** `.env.example`: the `!Env` variable names the files use, no values. */
  envExample: string;
  env: string[];
  diagnostics: Diagnostic[];
  counts: { models: number; objects: number; exported: number; managed: number; runtime: number; filtered: number };
  requests: number;
  /** Σ pages per model read: the fewest requests that can read these lists. */
  floor: number;
}

/** Models export reads: every listable blueprint model of the registry. */
function modelsToRead(reg: Registry): string[] {
  return Object.values(reg.models)
    .filter((m) => m.kind === 'model' && m.apiPath && m.operations.list)
    .map((m) => m.model)
    .sort();
}

export async function readAll(
  client: ServerClient,
  reg: Registry,
  concurrency = 4,
): Promise<{ objects: Map<string, LiveObject[]>; diagnostics: Diagnostic[] }> {
  const objects = new Map<string, LiveObject[]>();
  const diagnostics: Diagnostic[] = [];
  await mapLimit(modelsToRead(reg), concurrency, async (model) => {
    try {
      objects.set(model, await client.list(model));
    } catch (e) {
      diagnostics.push(
        diagnose(EXPORT_CODES.listFailed, 'readFailed', { model, why: errorText(e) }, { detail: msg(EXPORT_CODES.listFailed, 'readFailedDetail', {}) }),
      );
    }
  });
  return { objects, diagnostics };
}

export async function exportServer(client: ServerClient, reg: Registry, opts: ExportOptions = {}): Promise<ExportOutput> {
  const start = client.requestCount();
  const read = await readAll(client, reg, opts.concurrency ?? 4);
  const requests = client.requestCount() - start;
  const built = buildExport(read.objects, reg, opts);
  const files = built.files.map((f: ExportFile) => ({
    path: `${f.name}.yaml`,
    text: renderFile(f, { ...(opts.schemaUrl ? { schemaUrl: opts.schemaUrl } : {}), authentikVersion: reg.version }),
    entries: f.entries.length,
  }));
  const pageSize = reg.maxPageSize;
  let floor = 0;
  let total = 0;
  for (const list of read.objects.values()) {
    total += list.length;
    floor += pageSize === null ? 1 : Math.max(1, Math.ceil(list.length / pageSize));
  }
  return {
    files,
    envExample: envExample(built.env),
    env: built.env,
    diagnostics: sortDiagnostics([...read.diagnostics, ...built.diagnostics]),
    counts: { models: read.objects.size, objects: total, ...built.counts },
    requests,
    floor,
  };
}

function envExample(names: readonly string[]): string {
  const head = [
    '# Secrets of the exported blueprints, read with !Env when akbp plans or applies them.',
    '# akbp never exports a secret value: fill these in (or leave one unset to keep the value',
    '# already on the server; an unset secret is left untouched).',
  ];
  return `${[...head, ...names.map((n) => `${n}=`)].join('\n')}\n`;
}

function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
