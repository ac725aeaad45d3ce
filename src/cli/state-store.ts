// The ownership state a command with a server opens (`--state`, AKBP_STATE, else the default file).
// Apart from target.ts so that `validate` and `compile`, which have no server, do not load the
// state backends at start-up.
import type { ServerClient } from '../model/index.js';
import type { Registry } from '../authentik/registry.js';
import type { ReconcileDeps } from '../pipeline/types.js';
import { openStateStore } from '../state/open.js';
import { StateError, type StateStore } from '../state/index.js';
import type { CliContext } from './context.js';
import type { CompileCliOptions } from './options.js';
import { UsageError } from './errors.js';
import { concurrencyOf, pipelineDeps } from './target.js';

/** pipelineDeps plus the server: with a client, the ownership state is opened too; the caller closes `deps.state`. */
export function targetDeps(
  opts: CompileCliOptions & { state?: string; workspace?: string; concurrency?: string },
  ctx: CliContext,
  registry: Registry,
  client?: ServerClient,
  sources?: readonly string[],
): ReconcileDeps {
  const deps = pipelineDeps(opts, ctx, registry);
  if (!client) return deps;
  return { ...deps, client, concurrency: concurrencyOf(opts), state: openState(opts, ctx, client, sources) };
}

export function openState(
  opts: { state?: string; workspace?: string },
  ctx: CliContext,
  client: ServerClient | undefined,
  sources?: readonly string[],
): StateStore {
  try {
    return openStateStore({
      ...(opts.state ? { state: opts.state } : {}),
      ...(opts.workspace ? { workspace: opts.workspace } : {}),
      ...(sources ? { sources } : {}),
      cwd: ctx.cwd,
      env: ctx.env,
      client: () => client,
    });
  } catch (e) {
    if (e instanceof StateError) throw new UsageError(`${e.code}: ${e.message}`);
    throw e;
  }
}
