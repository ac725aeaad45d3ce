// Which authentik is on the other end, and (for --schema-from-server) its own model registry.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { factsFromRegistry, generateRegistry, modelEnumOf } from '../authentik/generate.js';
import type { OpenApiDoc } from '../authentik/openapi.js';
import type { Registry } from '../authentik/registry.js';
import { ApiError } from '../model/errors.js';
import type { HttpTransport } from '../model/ports.js';
import type { Json } from '../model/types.js';
import { Http } from './http.js';

interface Probe {
  version: string;
  /** The OpenAPI document when the probe had to download it anyway. */
  doc?: OpenApiDoc;
}

const SCHEMA_PATH = '/schema/?format=json';

/**
 * `/admin/version/` is small and authenticated; `/schema/` is public but megabytes, so it is the
 * fallback (for tokens that may not read admin endpoints, or proxies that block them).
 */
export async function probeVersion(http: Http): Promise<Probe> {
  let first: unknown;
  try {
    const { body } = await http.json('GET', '/admin/version/');
    const v = field(body, 'version_current');
    if (v) return { version: v };
  } catch (e) {
    // No answer at all: the schema endpoint is on the same server, so it will not answer either.
    if (e instanceof ApiError && e.status === 0) throw e;
    first = e;
  }
  try {
    const { body } = await http.json('GET', SCHEMA_PATH);
    const info = body && typeof body === 'object' && !Array.isArray(body) ? body.info : undefined;
    const v = field(info ?? null, 'version');
    if (v) return { version: v, doc: body as unknown as OpenApiDoc };
  } catch (e) {
    throw first ?? e;
  }
  throw first ?? new ApiError(200, 'GET', '/schema/', { detail: 'neither /admin/version/ nor /schema/ reported a version' });
}

export async function detectVersion(transport: HttpTransport, token: string): Promise<string> {
  return (await probeVersion(new Http({ transport, token, retries: 2 }))).version;
}

/**
 * The running server's registry, generated from its OpenAPI document with `fallback` supplying
 * what OpenAPI does not say. Cached per (server version, fallback version), since a version's
 * schema never changes and downloading it costs seconds.
 */
export async function fetchServerRegistry(transport: HttpTransport, token: string, cacheDir: string, fallback: Registry): Promise<Registry> {
  const http = new Http({ transport, token, retries: 2 });
  const probe = await probeVersion(http);
  const file = join(cacheDir, `authentik-${safeName(probe.version)}.from-${safeName(fallback.version)}.registry.json`);
  try {
    const cached = JSON.parse(await readFile(file, 'utf8')) as Registry;
    if (cached.formatVersion === 1 && cached.authentikVersion === probe.version) return cached;
  } catch {
    // Missing or unreadable cache: regenerate below.
  }
  const doc = probe.doc ?? ((await http.json('GET', SCHEMA_PATH)).body as unknown as OpenApiDoc);
  const reg = generateRegistry(doc, factsFromRegistry(fallback, modelEnumOf(doc)));
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(reg)}\n`);
  await rename(tmp, file);
  return reg;
}

function field(v: Json, key: string): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const x = v[key];
  return typeof x === 'string' && x.trim() !== '' ? x.trim() : undefined;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_');
}
