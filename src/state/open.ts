// `--state URL` / AKBP_STATE → a StateStore: a path (the file backend, default
// `.akbp/state.json`), `authentik` (the target server itself), or `postgres://…`.
import { isAbsolute, resolve } from 'node:path';
import type { ServerClient } from '../model/ports.js';
import { AuthentikStateStore } from './authentik.js';
import { STATE_CODES } from './codes.js';
import { FileStateStore } from './file.js';
import { StateError } from './index.js';
import { PostgresStateStore } from './postgres.js';
import type { StateStore } from './store.js';
import { msg } from '../diag/index.js';

const DEFAULT_STATE = '.akbp/state.json';

export interface OpenStateOptions {
  /** `--state`; AKBP_STATE when absent; else the default path. */
  state?: string;
  /** `--workspace`; AKBP_WORKSPACE when absent; else derived from the sources. */
  workspace?: string;
  sources?: readonly string[];
  cwd: string;
  env: { [name: string]: string | undefined };
  /** The target server, for the `authentik` backend (connected lazily by the caller). */
  client?: () => ServerClient | undefined;
}

export type StateBackendKind = 'file' | 'authentik' | 'postgres';

export function stateBackendKind(spec: string): StateBackendKind {
  if (spec === 'authentik') return 'authentik';
  if (/^postgres(ql)?:\/\//.test(spec)) return 'postgres';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new StateError(STATE_CODES.badUrl, msg(STATE_CODES.badUrl, 'unknownBackend', { spec: spec.replace(/\/\/[^@/]*@/, '//***@') }));
  }
  return 'file';
}

export function stateSpec(opts: Pick<OpenStateOptions, 'state' | 'env'>): string {
  return opts.state || opts.env.AKBP_STATE || DEFAULT_STATE;
}

export function openStateStore(opts: OpenStateOptions): StateStore {
  const spec = stateSpec(opts);
  const kind = stateBackendKind(spec);
  if (kind === 'file') return new FileStateStore(isAbsolute(spec) ? spec : resolve(opts.cwd, spec), { env: opts.env });
  const workspace = opts.workspace || opts.env.AKBP_WORKSPACE || deriveWorkspace(opts.sources ?? []);
  const key = opts.env.AKBP_STATE_KEY ?? '';
  if (kind === 'postgres') return new PostgresStateStore({ url: spec, workspace, key });
  const client = opts.client?.();
  if (!client) throw new StateError(STATE_CODES.badUrl, msg(STATE_CODES.badUrl, 'authentikNeedsServer', {}));
  return new AuthentikStateStore({ client, workspace, key });
}

/**
 * The default workspace of a set of sources: the last meaningful segment of each (a directory's
 * name, a repository's name and sub-path, an OCI repository), so the same blueprints read on
 * another runner, from another checkout path or another ref land in the same workspace.
 */
export function deriveWorkspace(sources: readonly string[]): string {
  if (sources.length === 0) return 'default';
  const names = sources.map((s) => {
    let t = s.replace(/^git::/, '').replace(/^oci:\/\//, '');
    t = t
      .replace(/[?#].*$/, '')
      .replace(/@sha256:[0-9a-f]+$/, '')
      .replace(/:[^/:]*$/, (m) => (/^:\d+$/.test(m) ? m : ''));
    const parts = t.split(/\/+|\/\//).filter((p) => p && p !== '.' && p !== '..' && !/\.(ya?ml)$/i.test(p));
    const last = parts[parts.length - 1] ?? 'default';
    return last.replace(/\.git$/, '');
  });
  const joined = [...new Set(names)]
    .sort()
    .join('+')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 100);
  return joined || 'default';
}
