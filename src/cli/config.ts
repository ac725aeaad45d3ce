// The project config file, akbp.config.yaml, found by walking up from the working directory:
// what a team would otherwise repeat on every command (authentik version, server URL, state,
// sources, env-allow, file-root, strictness, concurrency). Command-line flags override it. The
// token never belongs here (the file is committed): one found there is refused.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { isMap, parseDocument } from 'yaml';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';
import { msg } from '../diag/index.js';
import { CLI_CODES } from './codes.js';

const CONFIG_NAMES = ['akbp.config.yaml', 'akbp.config.yml'];

interface ProjectConfig {
  path: string;
  values: { [option: string]: unknown };
  sources?: string[];
}

/** Config key → commander option attribute, and how its value is checked and resolved. */
const KEYS: { [key: string]: { option: string; kind: 'string' | 'path' | 'paths' | 'strings' | 'boolean' | 'integer' } } = {
  'authentik-version': { option: 'authentikVersion', kind: 'string' },
  server: { option: 'server', kind: 'string' },
  state: { option: 'state', kind: 'path' },
  'env-allow': { option: 'envAllow', kind: 'strings' },
  'file-root': { option: 'fileRoot', kind: 'paths' },
  strict: { option: 'strict', kind: 'boolean' },
  lenient: { option: 'lenient', kind: 'boolean' },
  concurrency: { option: 'concurrency', kind: 'integer' },
  'cache-dir': { option: 'cacheDir', kind: 'path' },
  sources: { option: 'source', kind: 'paths' },
};

const SECRET_KEYS = /^(token|authentik-token|password|webhook-secret|registry-auth)$/i;

function findConfig(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** A path in the file is relative to the file; remote sources (git::, oci://) stay as written. */
function resolvePath(base: string, v: string): string {
  if (/^(git::|oci:\/\/|[a-z]+:\/\/)/.test(v) || isAbsolute(v)) return v;
  return resolve(base, v);
}

function loadConfig(path: string): ProjectConfig {
  const text = readFileSync(path, 'utf8');
  const doc = parseDocument(text);
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  if (doc.errors.length)
    throw new UsageError(msg(CLI_CODES.usage, 'configYaml', { at: `${path}:${lineOf(doc.errors[0]!.pos[0])}`, why: doc.errors[0]!.message.split('\n')[0]! }));
  if (doc.contents === null) return { path, values: {} };
  if (!isMap(doc.contents)) throw new UsageError(msg(CLI_CODES.usage, 'configNotMapping', { path }));
  const base = dirname(path);
  const values: { [option: string]: unknown } = {};
  let sources: string[] | undefined;
  for (const pair of doc.contents.items) {
    const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
    const at = `${path}:${lineOf((pair.key as unknown as { range?: readonly number[] })?.range?.[0] ?? 0)}`;
    if (SECRET_KEYS.test(key)) throw new UsageError(msg(CLI_CODES.usage, 'configSecret', { at, key }));
    const spec = KEYS[key];
    if (!spec) throw new UsageError(msg(CLI_CODES.usage, 'configUnknown', { at, key, known: Object.keys(KEYS).join(', ') }));
    const v = (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null;
    const bad = (what: string) => new UsageError(msg(CLI_CODES.usage, 'configType', { at, key, what, got: JSON.stringify(v) }));
    switch (spec.kind) {
      case 'string':
        if (typeof v !== 'string' && typeof v !== 'number') throw bad('a string');
        // `2023.6` unquoted is a YAML float; 2023.10 would read as 2023.1, so keep what was written.
        values[spec.option] = typeof v === 'number' ? String((pair.value as { source?: string }).source ?? v) : v;
        break;
      case 'path':
        if (typeof v !== 'string') throw bad('a path');
        values[spec.option] = resolvePath(base, v);
        break;
      case 'boolean':
        if (typeof v !== 'boolean') throw bad('true or false');
        values[spec.option] = v;
        break;
      case 'integer':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw bad('a whole number ≥ 1');
        values[spec.option] = String(v);
        break;
      case 'strings':
      case 'paths': {
        const list = typeof v === 'string' ? [v] : v;
        if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw bad('a list of strings');
        const out = spec.kind === 'paths' ? (list as string[]).map((x) => resolvePath(base, x)) : (list as string[]);
        if (key === 'sources') sources = out;
        else values[spec.option] = out;
        break;
      }
    }
  }
  return { path, values, ...(sources ? { sources } : {}) };
}

/**
 * commander preAction hook: fills every option the command has and the user did not give with
 * the config's value, and empty source arguments with the config's `sources`.
 */
export function applyProjectConfig(cmd: Command, ctx: CliContext): void {
  const path = findConfig(ctx.cwd);
  const first = cmd.registeredArguments[0];
  const sourceArgs =
    first?.variadic && first.name().startsWith('source') && Array.isArray(cmd.processedArgs[0]) ? (cmd.processedArgs[0] as string[]) : undefined;
  let config: ProjectConfig = { path: '', values: {} };
  try {
    if (path) config = loadConfig(path);
  } catch (err) {
    // A usage error: commander prints it and main exits 2.
    cmd.error(`akbp: ${(err as Error).message}`, { exitCode: 2, code: 'akbp.config' });
  }
  if (sourceArgs && sourceArgs.length === 0 && !config.sources) {
    cmd.error(`akbp: ${cmd.name()} needs SOURCE arguments, or \`sources:\` in akbp.config.yaml`, { exitCode: 2, code: 'akbp.sources' });
  }
  if (!path) return;
  const known = new Set(cmd.options.map((o) => o.attributeName()));
  for (const [option, value] of Object.entries(config.values)) {
    if (!known.has(option)) continue;
    const from = cmd.getOptionValueSource(option);
    if (from === undefined || from === 'default') cmd.setOptionValueWithSource(option, value, 'config');
  }
  if (config.sources) {
    if (known.has('source') && !(cmd.getOptionValue('source') as string[] | undefined)?.length)
      cmd.setOptionValueWithSource('source', config.sources, 'config');
    if (sourceArgs && sourceArgs.length === 0) cmd.processedArgs[0] = config.sources;
  }
}
