// Builds the adapters a command needs from its options and the environment: the source reader,
// the registry of the target authentik version, and the server client (a real server or the
// embedded sandbox). This is where argv/env turn into ReconcileDeps; commands stay thin.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { ServerClient } from '../model/index.js';
import type { Registry } from '../authentik/registry.js';
import { bundledRegistry, defaultVersion, isBundledVersion, registryVersionFor } from '../authentik/bundled.js';
import { readSources } from '../sources/index.js';
import type { ReconcileDeps } from '../pipeline/types.js';
import type { CliContext } from './context.js';
import type { CompileCliOptions, SourceCliOptions, TargetCliOptions } from './options.js';

/** A usage problem the user must fix; the command prints it and exits 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

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
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

export function sourceReader(opts: SourceCliOptions, ctx: CliContext): ReconcileDeps['readSources'] {
  const registryCa = readPem(opts.registryCa, ctx);
  return (specs) =>
    readSources(specs, {
      cwd: ctx.cwd,
      cacheDir: cacheDir(opts, ctx),
      env: ctx.env,
      ...(opts.registryAuth ? { registryAuth: opts.registryAuth } : {}),
      ...(registryCa ? { registryCa } : {}),
      ...(opts.insecureRegistry ? { insecureRegistries: opts.insecureRegistry } : {}),
    });
}

export function offlineRegistry(opts: CompileCliOptions): { registry: Registry; note: string } {
  const v = opts.authentikVersion ?? defaultVersion();
  if (!isBundledVersion(v)) throw new UsageError(`--authentik-version ${v} is not bundled; use 2023.6 or 2026.5 (or --schema-from-server with --server)`);
  const note = opts.authentikVersion ? `authentik ${v}` : `authentik ${v} (newest bundled; choose with --authentik-version)`;
  return { registry: bundledRegistry(v), note };
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
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--concurrency ${opts.concurrency}: expected a whole number from 1 to 256`);
  return n;
}

export async function connectTarget(opts: TargetCliOptions, ctx: CliContext): Promise<Target> {
  const concurrency = concurrencyOf(opts);
  // Loaded here, not at start-up: validate and compile need neither undici nor the sandbox.
  const { createClient, detectVersion, fetchServerRegistry, resolveConnection, undiciTransport } = await import('../server/index.js');
  if (opts.sandbox !== undefined && opts.sandbox !== false) {
    const { createSandbox } = await import('../sandbox/index.js');
    const { registry } = offlineRegistry(opts);
    const statePath = typeof opts.sandbox === 'string' && opts.sandbox !== '' ? resolve(ctx.cwd, opts.sandbox) : undefined;
    const sandbox = await createSandbox({ registry, token: EMBEDDED_TOKEN, ...(statePath ? { statePath } : {}) });
    const client = createClient({ baseUrl: 'http://sandbox.invalid/api/v3', token: EMBEDDED_TOKEN, registry, transport: sandbox.transport(), concurrency });
    const where = statePath ? `embedded sandbox, state ${statePath}` : 'embedded sandbox, in memory';
    return { client, registry, description: `${where} (authentik ${registry.authentikVersion})`, close: () => client.close() };
  }
  const conn = resolveConnection(
    { ...(opts.server ? { server: opts.server } : {}), ...(opts.token ? { token: opts.token } : {}), ...(opts.insecure ? { insecure: true } : {}), ...(opts.ca ? { ca: readPem(opts.ca, ctx)! } : {}) },
    ctx.env,
  );
  if ('error' in conn) throw new UsageError(`${conn.error} (or use --sandbox to try akbp on the embedded sandbox)`);
  const transport = undiciTransport(conn.baseUrl, { connections: concurrency, ...(conn.insecure ? { insecure: true } : {}), ...(conn.ca ? { ca: conn.ca } : {}) });
  const serverVersion = await detectVersion(transport, conn.token);
  let registry: Registry;
  if (opts.authentikVersion) registry = offlineRegistry(opts).registry;
  else if (opts.schemaFromServer) registry = await fetchServerRegistry(transport, conn.token, resolve(cacheDir(opts, ctx), 'schemas'), bundledRegistry(registryVersionFor(serverVersion)));
  else registry = bundledRegistry(registryVersionFor(serverVersion));
  const client = createClient({ baseUrl: conn.baseUrl, token: conn.token, registry, transport, version: serverVersion, concurrency });
  return { client, registry, description: `${conn.baseUrl} (authentik ${serverVersion}, registry ${registry.authentikVersion})`, close: () => client.close() };
}

/** Deps for the pipeline; `readFile` for !File is plain disk I/O (compile confines the paths). */
export function pipelineDeps(opts: CompileCliOptions & { state?: string; concurrency?: string }, ctx: CliContext, registry: Registry, client?: ServerClient): ReconcileDeps {
  return {
    readSources: sourceReader(opts, ctx),
    registry,
    ...(client ? { client, concurrency: concurrencyOf(opts) } : {}),
    env: ctx.env,
    now: () => new Date(),
    ...(opts.state ? { statePath: isAbsolute(opts.state) ? opts.state : resolve(ctx.cwd, opts.state) } : {}),
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    ...(opts.fileRoot ? { fileRoots: opts.fileRoot.map((d) => resolve(ctx.cwd, d)) } : {}),
    ...(opts.envAllow ? { envAllow: opts.envAllow } : {}),
  };
}

