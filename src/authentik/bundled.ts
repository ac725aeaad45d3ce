// The registries generated from the OpenAPI documents of the authentik versions akbp ships with
// (schemas/authentik-<version>/registry.json). Reading the project's own data files is the one
// I/O this folder does; each file is read once per process.
import { readFileSync } from 'node:fs';
import type { Registry } from './registry.js';

const SCHEMAS_DIR = new URL('../../schemas/', import.meta.url);

/** Bundled versions, oldest first. The newest is the offline default. */
export const BUNDLED_VERSIONS = ['2023.6', '2026.5'] as const;

const cache = new Map<string, Registry>();

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
    reg = JSON.parse(readFileSync(new URL(`authentik-${v}/registry.json`, SCHEMAS_DIR), 'utf8')) as Registry;
    cache.set(v, reg);
  }
  return reg;
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
