// Builds the adapters a command needs from its options and the environment: the source reader,
// the registry of the target authentik version, and the server client (a real server or the
// embedded sandbox). This is where argv/env turn into ReconcileDeps; commands stay thin.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { ServerClient } from '../model/index.js';
import type { Registry } from '../authentik/registry.js';
import { bundledRegistry, defaultVersion, isBundledVersion, registryVersionFor } from '../authentik/bundled.js';
import { parseByteSize, readConfinedFile, readSources } from '../sources/index.js';
import type { ReconcileDeps } from '../pipeline/types.js';
import type { CliContext } from './context.js';
import type { CompileCliOptions, SourceCliOptions, TargetCliOptions } from './options.js';

import { UsageError } from './errors.js';
import { msg } from '../diag/index.js';
import { CLI_CODES } from './codes.js';

export { UsageError } from './errors.js';

/** The token the embedded sandbox accepts; it never leaves the process. */
const EMBEDDED_TOKEN = 'akbp-embedded-sandbox';

export function cacheDir(opts: SourceCliOptions, ctx: CliContext): string {
  if (opts.cacheDir) return resolve(ctx.cwd, opts.cacheDir);
  if (ctx.env.AKBP_CACHE_DIR) return resolve(ctx.cwd, ctx.env.AKBP_CACHE_DIR);
  const xdg = ctx.env.XDG_CACHE_HOME || resolve(homedir(), '.cache');
  return resolve(xdg, 'akbp');
}

function readPem(file: string | undefined, ctx: CliContext): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(resolve(ctx.cwd, file), 'utf8');
  } catch (e) {
    throw new UsageError(msg(CLI_CODES.usage, 'cannotRead', { file, why: (e as Error).message }));
  }
}

function sourceReader(opts: SourceCliOptions, ctx: CliContext): ReconcileDeps['readSources'] {
  const registryCa = readPem(opts.registryCa, ctx);
  const maxFileBytes = opts.maxFileSize === undefined ? undefined : parseByteSize(opts.maxFileSize);
  if (opts.maxFileSize !== undefined && maxFileBytes === undefined)
    throw new UsageError(msg(CLI_CODES.usage, 'maxFileSize', { value: String(opts.maxFileSize) }));
  return (specs) =>
    readSources(specs, {
      cwd: ctx.cwd,
      cacheDir: cacheDir(opts, ctx),
      env: ctx.env,
      ...(opts.registryAuth ? { registryAuth: opts.registryAuth } : {}),
      ...(registryCa ? { registryCa } : {}),
      ...(opts.insecureRegistry ? { insecureRegistries: opts.insecureRegistry } : {}),
      ...(maxFileBytes !== undefined ? { maxFileBytes } : {}),
    });
}

export function offlineRegistry(opts: CompileCliOptions): { registry: Registry; note: string } {
  const v = opts.authentikVersion ?? defaultVersion();
  if (!isBundledVersion(v)) throw new UsageError(msg(CLI_CODES.usage, 'versionNotBundled', { version: v }));
  const note = opts.authentikVersion ? `authentik ${v}` : `authentik ${v} (newest bundled; choose with --authentik-version)`;
  return { registry: bundledRegistry(v), note };
}

/** The bundled version a sandbox state file was written for, if the file exists and says. */
function sandboxStateVersion(statePath: string | undefined): string | undefined {
  if (!statePath || !existsSync(statePath)) return undefined;
  try {
    const v = (JSON.parse(readFileSync(statePath, 'utf8')) as { authentikVersion?: unknown }).authentikVersion;
    return typeof v === 'string' ? registryVersionFor(v) : undefined;
  } catch {
    return undefined;
  }
}

export interface Target {
  client: ServerClient;
  registry: Registry;
  /** e.g. "embedded sandbox (authentik 2026.5.0-rc1)" or the server URL. */
  description: string;
  close(): Promise<void>;
}

/** `--concurrency N`: a positive integer (default 8). */
export function concurrencyOf(opts: { concurrency?: string }): number {
  if (opts.concurrency === undefined) return 8;
  const n = Number(opts.concurrency);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(msg(CLI_CODES.usage, 'concurrency', { value: String(opts.concurrency) }));
  return n;
}

export async function connectTarget(opts: TargetCliOptions, ctx: CliContext): Promise<Target> {
  if (opts.sandbox !== undefined && opts.sandbox !== false && (opts.server || opts.token)) {
    throw new UsageError(msg(CLI_CODES.usage, 'sandboxAndServer', { option: opts.server ? '--server' : '--token' }));
  }
  const concurrency = concurrencyOf(opts);
  // Loaded here, not at start-up: validate and compile need neither undici nor the sandbox.
  const { createClient, detectVersion, fetchServerRegistry, resolveConnection, undiciTransport } = await import('../server/index.js');
  if (opts.sandbox !== undefined && opts.sandbox !== false) {
    const { createSandbox } = await import('../sandbox/index.js');
    const statePath = typeof opts.sandbox === 'string' && opts.sandbox !== '' ? resolve(ctx.cwd, opts.sandbox) : undefined;
    // A persisted sandbox knows which authentik it emulates; asking for the flag again is noise.
    const recorded = opts.authentikVersion ? undefined : sandboxStateVersion(statePath);
    const { registry } = offlineRegistry(recorded ? { ...opts, authentikVersion: recorded } : opts);
    const sandbox = await createSandbox({ registry, token: EMBEDDED_TOKEN, ...(statePath ? { statePath } : {}) });
    const client = createClient({ baseUrl: 'http://sandbox.invalid/api/v3', token: EMBEDDED_TOKEN, registry, transport: sandbox.transport(), concurrency });
    const where = statePath ? `embedded sandbox, state ${statePath}` : 'embedded sandbox, in memory';
    return { client, registry, description: `${where} (authentik ${registry.authentikVersion})`, close: () => client.close() };
  }
  const conn = resolveConnection(
    {
      ...(opts.server ? { server: opts.server } : {}),
      ...(opts.token ? { token: opts.token } : {}),
      ...(opts.insecure ? { insecure: true } : {}),
      ...(opts.ca ? { ca: readPem(opts.ca, ctx)! } : {}),
    },
    ctx.env,
  );
  if ('error' in conn) throw new UsageError(msg(CLI_CODES.usage, 'noServer', { why: conn.error }));
  const transport = undiciTransport(conn.baseUrl, {
    connections: concurrency,
    ...(conn.insecure ? { insecure: true } : {}),
    ...(conn.ca ? { ca: conn.ca } : {}),
  });
  const serverVersion = await detectVersion(transport, conn.token);
  let registry: Registry;
  if (opts.authentikVersion) registry = offlineRegistry(opts).registry;
  else if (opts.schemaFromServer)
    registry = await fetchServerRegistry(transport, conn.token, resolve(cacheDir(opts, ctx), 'schemas'), bundledRegistry(registryVersionFor(serverVersion)));
  else registry = bundledRegistry(registryVersionFor(serverVersion));
  const client = createClient({ baseUrl: conn.baseUrl, token: conn.token, registry, transport, version: serverVersion, concurrency });
  return { client, registry, description: `${conn.baseUrl} (authentik ${serverVersion}, registry ${registry.authentikVersion})`, close: () => client.close() };
}

/**
 * Deps for the pipeline without a server; `readFile` for !File is plain disk I/O (resolving real
 * paths against compile's roots). With a server: `targetDeps` (state-store.ts).
 */
export function pipelineDeps(
  opts: CompileCliOptions & { state?: string; workspace?: string; concurrency?: string },
  ctx: CliContext,
  registry: Registry,
): ReconcileDeps {
  return {
    readSources: sourceReader(opts, ctx),
    registry,
    env: ctx.env,
    now: () => new Date(),
    readFile: (p, roots) => readConfinedFile(p, roots),
    ...(opts.fileRoot ? { fileRoots: opts.fileRoot.map((d) => resolve(ctx.cwd, d)) } : {}),
    ...(opts.envAllow ? { envAllow: opts.envAllow } : {}),
  };
}

/** `--lock-timeout`, in ms (default 10 minutes). */
export function lockTimeoutMs(opts: { lockTimeout?: string }): number {
  if (!opts.lockTimeout) return 10 * 60_000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(opts.lockTimeout.trim());
  if (!m) throw new UsageError(msg(CLI_CODES.usage, 'lockTimeout', { value: String(JSON.stringify(opts.lockTimeout)) }));
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!);
}
