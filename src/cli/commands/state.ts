// `akbp state …`: look at and repair akbp's ownership record, for every backend (terraform's
// `state` commands are the model). Changes take the apply lock and write with the version check;
// output is text for people or `--format json`. Secret digests are never printed except by
// `pull`, which exists to move a record between backends.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { OwnershipState } from '../../model/index.js';
import { isObj, parseState, sortState, StateError, STATE_CODES, type StateStore } from '../../state/index.js';
import { PostgresStateStore } from '../../state/postgres.js';
import { stateBackendKind, stateSpec } from '../../state/open.js';
import type { CliContext } from '../context.js';
import type { TargetCliOptions } from '../options.js';
import { action } from '../run.js';
import { connectTarget, lockTimeoutMs, UsageError, type Target } from '../target.js';
import { openState } from '../state-store.js';
import { msg } from '../../diag/index.js';
import { CLI_CODES } from '../codes.js';

interface StateCliOptions extends TargetCliOptions {
  format: 'text' | 'json';
  force?: boolean;
}

function addStateOptions(cmd: Command): Command {
  return cmd
    .option('--state <url>', 'the record: a file path (default .akbp/state.json), `authentik` or postgres://… (or AKBP_STATE)')
    .option('--workspace <name>', 'workspace in an authentik or postgres backend (or AKBP_WORKSPACE; default "default")')
    .option('--server <url>', 'authentik URL for --state authentik (or AUTHENTIK_URL)')
    .option('--token <token>', 'API token for --state authentik (or AUTHENTIK_TOKEN); never printed')
    .option('--insecure', 'skip TLS verification (or AUTHENTIK_INSECURE=true)')
    .option('--ca <file>', 'PEM file of a private CA for the server')
    .addOption(new Option('--sandbox [state-file]', 'the embedded sandbox as the server for --state authentik'))
    .option('--authentik-version <version>', 'with --sandbox: the authentik version to emulate')
    .option('--lock-timeout <duration>', 'how long to wait for the apply lock (default 10m)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
}

/** Opens the record; only the authentik backend needs a server connection. */
async function withStore<T>(opts: StateCliOptions, ctx: CliContext, fn: (store: StateStore) => Promise<T>, anyWorkspace = false): Promise<T> {
  const spec = stateSpec({ ...(opts.state ? { state: opts.state } : {}), env: ctx.env });
  let target: Target | undefined;
  try {
    if (stateBackendKind(spec) === 'authentik') target = await connectTarget(opts, ctx);
    let store = openState({ ...opts, state: spec, workspace: opts.workspace ?? ctx.env.AKBP_WORKSPACE ?? 'default' }, ctx, target?.client);
    if (!anyWorkspace && !opts.workspace && !ctx.env.AKBP_WORKSPACE && store.kind !== 'file') {
      // apply names the workspace after the sources; with one workspace there is nothing to choose.
      const all = await store.workspaces().catch(async (e: unknown) => {
        await store.close();
        throw e;
      });
      if (all.length > 1) {
        await store.close();
        throw new UsageError(msg(CLI_CODES.usage, 'severalWorkspaces', { store: store.description.replace(/ \(.*$/, ''), workspaces: all.join(', ') }));
      }
      if (all.length === 1 && all[0] !== store.workspace) {
        await store.close();
        store = openState({ ...opts, state: spec, workspace: all[0]! }, ctx, target?.client);
      }
    }
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  } finally {
    await target?.close();
  }
}

/** Read, change, write back under the apply lock with the version check. */
async function change(store: StateStore, opts: StateCliOptions, fn: (s: OwnershipState, version: number) => void): Promise<number> {
  const got = await store.lock({ onBusy: 'wait', timeoutMs: lockTimeoutMs(opts), purpose: 'state edit' });
  if (!got.ok) throw new StateError(STATE_CODES.locked, msg(STATE_CODES.locked, 'lockedBy', { store: store.description, reason: got.reason }));
  try {
    const snap = await store.read();
    fn(snap.state, snap.version);
    return await store.write(snap.state, snap.version);
  } finally {
    await got.lock.release();
  }
}

function noSuchKey(store: StateStore, key: string): StateError {
  return new StateError(STATE_CODES.noSuchKey, msg(STATE_CODES.noSuchKey, 'noEntry', { store: store.description, key: JSON.stringify(key) }));
}

function print(ctx: CliContext, opts: StateCliOptions, json: unknown, text: string): void {
  ctx.io.stdout(opts.format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : text);
}

export function register(program: Command, ctx: CliContext): void {
  const state = program
    .command('state')
    .description("Inspect and repair akbp's ownership record (list, show, rm, mv, pull, push, migrate)")
    .addHelpText(
      'after',
      "\nExamples:\n  akbp state list\n  AKBP_STATE=authentik akbp state pull > state.json\n  akbp state rm --state postgres://akbp@db/akbp --workspace prod 'people.yaml#bob'\n",
    );

  addStateOptions(state.command('list').description('every entry key with its model, pk and whether akbp created it')).action(
    action(ctx, async (opts: StateCliOptions) =>
      withStore(opts, ctx, async (store) => {
        const { state: s, version } = await store.read();
        const entries = Object.entries(s.objects)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([key, o]) => ({
            key,
            model: o.model,
            pk: o.pk,
            owner: o.adopted ? 'adopted' : 'created',
            secrets: Object.keys(s.secrets[key] ?? {}).sort(),
          }));
        const text = entries.length
          ? entries
              .map((e) => `${e.key}\t${e.model}\t${String(e.pk)}\t${e.owner}${e.secrets.length ? `\t(digests: ${e.secrets.join(', ')})` : ''}`)
              .join('\n') + '\n'
          : `${store.description}: no entries (version ${version})\n`;
        print(ctx, opts, { backend: store.kind, workspace: store.workspace, version, entries }, text);
      }),
    ),
  );

  addStateOptions(state.command('show').description('one entry: its object, identifiers and when its secrets were set').argument('<key>')).action(
    action(ctx, async (key: string, opts: StateCliOptions) =>
      withStore(opts, ctx, async (store) => {
        const { state: s } = await store.read();
        const o = s.objects[key];
        if (!o) throw noSuchKey(store, key);
        const secrets = Object.fromEntries(
          Object.entries(s.secrets[key] ?? {}).map(([f, r]) => [
            f,
            { setAt: r.setAt, ...(r.serverChangeDate ? { serverChangeDate: r.serverChangeDate } : {}) },
          ]),
        );
        const rec = { key, model: o.model, pk: o.pk, owner: o.adopted ? 'adopted' : 'created', identifiers: o.identifiers, secrets };
        const lines = [
          `key:         ${key}`,
          `model:       ${o.model}`,
          `pk:          ${String(o.pk)}`,
          `owner:       ${rec.owner}`,
          `identifiers: ${JSON.stringify(o.identifiers)}`,
        ];
        for (const [f, r] of Object.entries(secrets)) lines.push(`secret ${f}: set ${r.setAt} (digest kept, value never stored)`);
        print(ctx, opts, rec, `${lines.join('\n')}\n`);
      }),
    ),
  );

  addStateOptions(
    state.command('rm').description('forget entries without deleting their objects (akbp will neither prune nor own them)').argument('<key...>'),
  ).action(
    action(ctx, async (keys: string[], opts: StateCliOptions) =>
      withStore(opts, ctx, async (store) => {
        const version = await change(store, opts, (s) => {
          for (const k of keys) {
            if (!s.objects[k] && !s.secrets[k]) throw noSuchKey(store, k);
            delete s.objects[k];
            delete s.secrets[k];
            if (s.pending) delete s.pending[k];
          }
        });
        print(
          ctx,
          opts,
          { removed: keys, version },
          `Removed ${keys.length} entr${keys.length === 1 ? 'y' : 'ies'} from ${store.description} (now version ${version}); the objects stay on the server.\n`,
        );
      }),
    ),
  );

  addStateOptions(
    state.command('mv').description('move a record to another entry key (its object and secret digests with it)').argument('<old>').argument('<new>'),
  ).action(
    action(ctx, async (from: string, to: string, opts: StateCliOptions) =>
      withStore(opts, ctx, async (store) => {
        const version = await change(store, opts, (s) => {
          if (!s.objects[from]) throw noSuchKey(store, from);
          if (s.objects[to])
            throw new StateError(STATE_CODES.conflict, msg(STATE_CODES.conflict, 'keyExists', { store: store.description, key: JSON.stringify(to) }));
          s.objects[to] = s.objects[from]!;
          delete s.objects[from];
          if (s.secrets[from]) {
            s.secrets[to] = s.secrets[from]!;
            delete s.secrets[from];
          }
        });
        print(ctx, opts, { moved: { from, to }, version }, `Moved ${from} → ${to} in ${store.description} (now version ${version}).\n`);
      }),
    ),
  );

  addStateOptions(state.command('pull').description('print the whole record as JSON (for backups and moving between backends)')).action(
    action(ctx, async (opts: StateCliOptions) =>
      withStore(opts, ctx, async (store) => {
        const { state: s, version } = await store.read();
        ctx.io.stdout(`${JSON.stringify({ ...sortState(s), version, workspace: store.workspace }, null, 2)}\n`);
      }),
    ),
  );

  addStateOptions(
    state
      .command('push')
      .description('replace the record with a file written by `state pull`; refused if the record changed since (use --force to override)')
      .argument('<file>'),
  )
    .option('--force', 'replace even when the record is newer than the file')
    .action(
      action(ctx, async (file: string, opts: StateCliOptions) =>
        withStore(opts, ctx, async (store) => {
          let raw: unknown;
          try {
            raw = JSON.parse(readFileSync(resolve(ctx.cwd, file), 'utf8'));
          } catch (e) {
            throw new StateError(STATE_CODES.corrupt, msg(STATE_CODES.corrupt, 'notStateFile', { file, why: (e as Error).message }));
          }
          const parsed = parseState(raw, file);
          const pulledAt = isObj(raw) && typeof raw.version === 'number' ? raw.version : isObj(raw) && typeof raw.serial === 'number' ? raw.serial : undefined;
          const version = await change(store, opts, (s, current) => {
            if (!opts.force && pulledAt !== undefined && pulledAt !== current) {
              throw new StateError(STATE_CODES.conflict, msg(STATE_CODES.conflict, 'pulledVersion', { store: store.description, current, file, pulledAt }));
            }
            if (!opts.force && pulledAt === undefined && current > 0) {
              throw new StateError(STATE_CODES.conflict, msg(STATE_CODES.conflict, 'carriesNoVersion', { file, store: store.description }));
            }
            s.objects = parsed.state.objects;
            s.secrets = parsed.state.secrets;
            if (parsed.state.pending) s.pending = parsed.state.pending;
            else delete s.pending;
          });
          print(
            ctx,
            opts,
            { pushed: file, version, entries: Object.keys(parsed.state.objects).length },
            `Pushed ${file} to ${store.description} (now version ${version}, ${Object.keys(parsed.state.objects).length} entries).\n`,
          );
        }),
      ),
    );

  addStateOptions(state.command('migrate').description("bring the backend's storage up to this akbp's schema (postgres; the others migrate on write)")).action(
    action(ctx, async (opts: StateCliOptions) =>
      withStore(
        opts,
        ctx,
        async (store) => {
          if (store instanceof PostgresStateStore) {
            const r = await store.migrate();
            print(
              ctx,
              opts,
              { backend: store.kind, from: r.from, to: r.to },
              r.from === r.to
                ? `${store.description}: schema is current (version ${r.to}).\n`
                : `${store.description}: schema migrated from version ${r.from} to ${r.to}.\n`,
            );
            return;
          }
          const snap = await store.read();
          const version = snap.migrated ? await store.write(snap.state, snap.version) : snap.version;
          print(
            ctx,
            opts,
            { backend: store.kind, migrated: snap.migrated ?? [], version },
            snap.migrated ? `${store.description}: migrated (${snap.migrated.join('; ')}).\n` : `${store.description}: the record is current.\n`,
          );
        },
        true,
      ),
    ),
  );
}
