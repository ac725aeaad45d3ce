// The registries generated from the OpenAPI documents of the authentik versions akbp ships with
// (schemas/authentik-<version>/registry.json). Reading the project's own data files is the one
// I/O this folder does; each file is read once per process.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Registry } from './registry.js';

const SCHEMAS_DIR = new URL('../../schemas/', import.meta.url);

/** Bundled versions, oldest first. The newest is the offline default. */
export const BUNDLED_VERSIONS = ['2023.6', '2026.5'] as const;

const cache = new Map<string, Registry>();
const digests = new WeakMap<Registry, string>();

export function defaultVersion(): string {
  return BUNDLED_VERSIONS[BUNDLED_VERSIONS.length - 1]!;
}

export function isBundledVersion(v: string): boolean {
  return (BUNDLED_VERSIONS as readonly string[]).includes(v);
}

export function bundledRegistry(version: string): Registry {
  const v = version.split('.').slice(0, 2).join('.');
  if (!isBundledVersion(v)) {
    throw new Error(`no bundled registry for authentik ${version}; bundled: ${BUNDLED_VERSIONS.join(', ')}`);
  }
  let reg = cache.get(v);
  if (!reg) {
    const text = readFileSync(new URL(`authentik-${v}/registry.json`, SCHEMAS_DIR), 'utf8');
    reg = JSON.parse(text) as Registry;
    cache.set(v, reg);
    digests.set(reg, createHash('sha256').update(text).digest('hex').slice(0, 20));
  }
  return reg;
}

/**
 * Digest of the file a bundled registry was read from (undefined for any other registry): what
 * was generated from that file at build time (validate's validators) is known to match it.
 */
export function bundledRegistryDigest(reg: Registry): string | undefined {
  return digests.get(reg);
}

/**
 * The bundled registry to use for a server reporting `serverVersion`: the newest bundled version
 * not newer than the server, else the oldest. Exact-version registries come from --schema-from-server.
 */
export function registryVersionFor(serverVersion: string): string {
  const [y = 0, m = 0] = serverVersion.split('.').map((p) => Number.parseInt(p, 10));
  let pick: string = BUNDLED_VERSIONS[0];
  for (const v of BUNDLED_VERSIONS) {
    const [vy = 0, vm = 0] = v.split('.').map((p) => Number.parseInt(p, 10));
    if (vy < y || (vy === y && vm <= m)) pick = v;
  }
  return pick;
}
