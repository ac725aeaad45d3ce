// Options several commands share, declared once so every command spells and documents them alike.
import { Option, type Command } from 'commander';

export interface SourceCliOptions {
  registryAuth?: string;
  registryCa?: string;
  insecureRegistry?: string[];
  cacheDir?: string;
  maxFileSize?: string;
}

export interface CompileCliOptions extends SourceCliOptions {
  authentikVersion?: string;
  context?: string[];
  envAllow?: string[];
  fileRoot?: string[];
  strict?: boolean;
  lenient?: boolean;
}

export interface TargetCliOptions extends CompileCliOptions {
  server?: string;
  token?: string;
  insecure?: boolean;
  ca?: string;
  sandbox?: string | boolean;
  schemaFromServer?: boolean;
  state?: string;
  workspace?: string;
  lockTimeout?: string;
  concurrency?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--registry-auth <user:pass>', 'OCI registry credentials (or AKBP_REGISTRY_AUTH, or ~/.docker/config.json)')
    .option('--registry-ca <file>', 'PEM file of a private CA for OCI registries')
    .option('--insecure-registry <host>', 'allow plain HTTP to this registry host (loopback hosts always may)', collect)
    .option('--cache-dir <dir>', 'cache for git checkouts and OCI blobs (default ~/.cache/akbp)')
    .option('--max-file-size <size>', 'largest blueprint file read, e.g. 8MiB (default 4MiB)');
}

export function addCompileOptions(cmd: Command): Command {
  return addSourceOptions(cmd)
    .option('--authentik-version <version>', "authentik version to validate against: 2023.6 or 2026.5 (default: the server's, else the newest bundled)")
    .option('--context <key=value>', 'override a blueprint context value (repeatable; dotted keys nest)', collect)
    .option('--env-allow <pattern>', 'environment variables (glob, e.g. AK_*) that blueprints not read from local disk may use with !Env', collect)
    .option('--file-root <dir>', "extra directory !File may read (besides the blueprint's own directory)", collect)
    .option('--strict', 'treat warnings as errors')
    .option('--lenient', 'fields the model does not know are warnings (authentik drops them) instead of errors');
}

export function addTargetOptions(cmd: Command): Command {
  return addCompileOptions(cmd)
    .option('--server <url>', 'authentik URL, with or without /api/v3 (or AUTHENTIK_URL)')
    .option('--token <token>', 'API token (or AUTHENTIK_TOKEN); never printed')
    .option('--insecure', 'skip TLS verification (or AUTHENTIK_INSECURE=true)')
    .option('--ca <file>', 'PEM file of a private CA for the server')
    .addOption(new Option('--sandbox [state-file]', 'use the embedded authentik sandbox (in-process), persisted to state-file (a .json file) when given'))
    .option('--schema-from-server', "build the model registry from the server's own OpenAPI schema (cached by version)")
    .option(
      '--state <url>',
      'where akbp keeps its ownership record: a file path (default .akbp/state.json), `authentik` (on the target server) or postgres://… (or AKBP_STATE)',
    )
    .option('--workspace <name>', 'name of the record in an authentik or postgres backend (or AKBP_WORKSPACE; default derived from the sources)')
    .option('--lock-timeout <duration>', 'how long to wait for the apply lock (30s, 5m; default 10m)')
    .option('--concurrency <n>', 'requests in flight at once, for reads and for the writes of one wave', '8');
}

/** `--context a.b=1` → {a: {b: 1}}; values parse as YAML scalars would (numbers, booleans). */
export function parseContextOptions(pairs: readonly string[] = []): { value: { [k: string]: unknown }; errors: string[] } {
  const value: { [k: string]: unknown } = {};
  const errors: string[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      errors.push(`--context expects key=value, got "${pair}"`);
      continue;
    }
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    let v: unknown = raw;
    if (/^(true|false)$/i.test(raw)) v = raw.toLowerCase() === 'true';
    else if (/^-?\d+$/.test(raw)) v = Number(raw);
    else if (raw === 'null' || raw === '~') v = null;
    // The exact dotted key is kept as well so an exact-key lookup finds it, as authentik prefers.
    value[key] = v;
    if (key.includes('.')) {
      const parts = key.split('.');
      let cur = value;
      for (const p of parts.slice(0, -1)) {
        if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
        cur = cur[p] as { [k: string]: unknown };
      }
      cur[parts[parts.length - 1]!] = v;
    }
  }
  return { value, errors };
}

/** Colour only on a terminal and never when NO_COLOR is set (https://no-color.org). */
export function useColor(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTTY && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}
