// `akbp import SOURCE... ENTRY_KEY PK`: takes ownership of an object that already exists for one
// entry (terraform's `import`). It is recorded as adopted, so prune leaves it alone unless
// `--prune-adopted`. Nothing on the server is written; the record goes through the StateStore
// with its compare-and-swap, under the apply lock.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CompiledEntry, Json, JsonObject, LiveObject, ServerClient } from '../../model/index.js';
import type { ModelInfo, Registry } from '../../authentik/registry.js';
import { findModel } from '../../authentik/registry.js';
import { compileLoaded, loadAndValidate } from '../../pipeline/index.js';
import { observe } from '../../observe/index.js';
import { containsJson, looseEqual, pkKey } from '../../live/index.js';
import { containsDeferred, mapLimit } from '../../values/index.js';
import { hasErrors, msg } from '../../diag/index.js';
import { diagnosticsToJson, renderDiagnosticsText } from '../../report/index.js';
import { StateError, STATE_CODES, type StateStore } from '../../state/index.js';
import type { CliContext } from '../context.js';
import { addTargetOptions, parseContextOptions, useColor, type TargetCliOptions } from '../options.js';
import { action, textsOf } from '../run.js';
import { connectTarget, lockTimeoutMs, UsageError } from '../target.js';
import { targetDeps } from '../state-store.js';
import { CLI_CODES } from '../codes.js';

interface ImportCliOptions extends TargetCliOptions {
  format: 'text' | 'json';
  force?: boolean;
}

/** A refusal: its code and a message naming what was expected. */
class ImportRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The entry by its full key, or by a unique suffix that starts at a path segment (`flows.yaml#login`). */
export function findEntry(entries: readonly CompiledEntry[], wanted: string): CompiledEntry {
  const exact = entries.find((e) => e.key === wanted);
  if (exact) return exact;
  const hits = entries.filter((e) => e.key.endsWith(wanted) && (wanted.startsWith('#') || e.key[e.key.length - wanted.length - 1] === '/'));
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) {
    throw new ImportRefused(
      STATE_CODES.importNoEntry.code,
      msg(STATE_CODES.importNoEntry, 'ambiguous', {
        wanted: JSON.stringify(wanted),
        count: hits.length,
        keys: hits
          .slice(0, 5)
          .map((e) => e.key)
          .join(', '),
      }),
    );
  }
  const near = entries
    .filter((e) => e.key.includes(wanted.replace(/^.*#/, '#')))
    .slice(0, 5)
    .map((e) => e.key);
  throw new ImportRefused(
    STATE_CODES.importNoEntry.code,
    msg(STATE_CODES.importNoEntry, 'noEntry', {
      wanted: JSON.stringify(wanted),
      similar: near.length ? msg(STATE_CODES.importNoEntry, 'similar', { keys: near.join(', ') }) : '',
    }),
  );
}

/** A pk as typed: integer pks are numbers, everything else (uuids, slugs) stays a string. */
function parsePk(info: ModelInfo, raw: string): string | number {
  return info.pkType === 'integer' && /^\d+$/.test(raw) ? Number(raw) : raw;
}

function shown(v: Json | undefined): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

/** The readable identity of an object, as the plan shows it: `flow slug="x"`. */
export function identity(info: ModelInfo, ids: JsonObject): string {
  const parts = Object.keys(ids)
    .sort()
    .map((k) => `${k}=${shown(ids[k])}`);
  return `${info.verboseName || info.model}${parts.length ? ` ${parts.join(' ')}` : ''}`;
}

/**
 * The model an unknown pk belongs to, if any: tried only after the entry's own model answered
 * 404, over the models whose pk has the same shape, a few at a time.
 */
async function otherModelOf(reg: Registry, client: ServerClient, info: ModelInfo, raw: string, concurrency: number): Promise<string | undefined> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw);
  const candidates = Object.values(reg.models).filter(
    (m) =>
      m.model !== info.model &&
      m.kind === 'model' &&
      m.apiPath &&
      m.operations.retrieve &&
      (uuid ? m.pkType === 'uuid' : /^\d+$/.test(raw) ? m.pkType === 'integer' : false),
  );
  let found: string | undefined;
  await mapLimit(candidates, concurrency, async (m) => {
    if (found) return;
    const o = await client.get(m.model, parsePk(m, raw)).catch(() => null);
    if (o && !found) found = m.model;
  });
  return found;
}

export interface ImportRecord {
  key: string;
  model: string;
  pk: string | number;
  identity: string;
  identifiers: JsonObject;
  adopted: true;
  /** Set when the key was recorded before (`--force`): the pk it had. */
  replaced?: string | number;
  unchanged?: boolean;
  stateVersion: number;
  state: string;
}

/** Compares the object with the entry's identifiers: literal ones directly, references through observe's match. */
async function checkIdentifiers(
  entry: CompiledEntry,
  info: ModelInfo,
  obj: LiveObject,
  entries: CompiledEntry[],
  client: ServerClient,
  reg: Registry,
  concurrency: number,
): Promise<JsonObject> {
  const ids: JsonObject = {};
  const deferred: string[] = [];
  for (const k of Object.keys(entry.identifiers).sort()) {
    const want = entry.identifiers[k]!;
    if (containsDeferred(want)) {
      deferred.push(k);
      continue;
    }
    const w = want as Json;
    const have = k === 'pk' ? obj.pk : obj.body[k];
    const same =
      k === 'pk'
        ? pkKey(w) === pkKey(have)
        : w !== null && typeof w === 'object' && !Array.isArray(w)
          ? have !== undefined && containsJson(have, w)
          : looseEqual(have, w) || (have !== undefined && JSON.stringify(have) === JSON.stringify(w));
    if (!same) {
      throw new ImportRefused(
        STATE_CODES.importMismatch.code,
        msg(STATE_CODES.importMismatch, 'identifier', { model: info.model, pk: String(obj.pk), key: entry.key, field: k, have: shown(have), want: shown(w) }),
      );
    }
    ids[k] = w;
  }
  if (deferred.length) {
    // References (!KeyOf, !Find) are resolved the way plan resolves them: by observing the entries.
    const { snapshot } = await observe(entries, client, reg, { concurrency });
    const match = snapshot.byKey.get(entry.key);
    if (!match || pkKey(match.pk) !== pkKey(obj.pk)) {
      throw new ImportRefused(
        STATE_CODES.importMismatch.code,
        msg(STATE_CODES.importMismatch, 'reference', {
          model: info.model,
          pk: String(obj.pk),
          key: entry.key,
          fields: deferred.map((k) => `\`${k}\``).join(', '),
          selects: match
            ? msg(STATE_CODES.importMismatch, 'selects', { model: info.model, pk: String(match.pk) })
            : msg(STATE_CODES.importMismatch, 'selectsNothing', {}),
        }),
      );
    }
    for (const k of deferred) if (obj.body[k] !== undefined) ids[k] = obj.body[k]!;
  }
  return ids;
}

async function runImport(
  store: StateStore,
  entry: CompiledEntry,
  info: ModelInfo,
  obj: LiveObject,
  ids: JsonObject,
  opts: ImportCliOptions,
): Promise<ImportRecord> {
  const got = await store.lock({ onBusy: 'wait', timeoutMs: lockTimeoutMs(opts), purpose: 'import' });
  if (!got.ok) throw new ImportRefused(STATE_CODES.locked.code, msg(STATE_CODES.locked, 'lockedBy', { store: store.description, reason: got.reason }));
  try {
    const snap = await store.read();
    const s = snap.state;
    const here = s.objects[entry.key];
    const base = {
      key: entry.key,
      model: info.model,
      pk: obj.pk,
      identity: identity(info, ids),
      identifiers: ids,
      adopted: true as const,
      state: store.description,
    };
    if (here && here.model === info.model && pkKey(here.pk) === pkKey(obj.pk)) {
      // Already akbp's: an object it created stays prunable, so it is not turned into an adopted one.
      return { ...base, unchanged: true, stateVersion: snap.version, ...(here.adopted ? {} : { adopted: true }) };
    }
    if (here && !opts.force) {
      throw new ImportRefused(
        STATE_CODES.importOwned.code,
        msg(STATE_CODES.importOwned, 'keyTaken', { key: entry.key, model: here.model, pk: String(here.pk), how: here.adopted ? 'adopted' : 'created by akbp' }),
      );
    }
    const other = Object.entries(s.objects).find(([k, r]) => k !== entry.key && r.model === info.model && pkKey(r.pk) === pkKey(obj.pk));
    if (other && !opts.force) {
      throw new ImportRefused(
        STATE_CODES.importOwned.code,
        msg(STATE_CODES.importOwned, 'objectTaken', { model: info.model, pk: String(obj.pk), otherKey: other[0] }),
      );
    }
    if (other) {
      delete s.objects[other[0]];
      delete s.secrets[other[0]];
    }
    if (here) delete s.secrets[entry.key];
    s.objects[entry.key] = { model: info.model, pk: obj.pk, identifiers: ids, adopted: true };
    if (s.pending) delete s.pending[entry.key];
    const version = await store.write(s, snap.version);
    return { ...base, stateVersion: version, ...(here ? { replaced: here.pk } : {}) };
  } finally {
    await got.lock.release();
  }
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('import')
    .description('Record an existing object as adopted by a blueprint entry (terraform import); writes only the state')
    .argument('<source...>', 'blueprint sources, then ENTRY_KEY (full, or a unique suffix such as flows.yaml#login-flow) and PK');
  addTargetOptions(cmd)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--force', 'replace a record the entry key (or the object) already has')
    .addHelpText(
      'after',
      '\nExamples:\n  akbp import blueprints/ flow-login.yaml#login-flow 3f0c…-uuid\n  akbp import --state authentik blueprints/ groups-and-users.yaml#admins 5e2a… --format json\n',
    )
    .action(
      action(ctx, async (args: string[], opts: ImportCliOptions) => {
        if (args.length < 3) throw new UsageError(msg(CLI_CODES.usage, 'importArguments', {}));
        const sources = args.slice(0, -2);
        const wanted = args[args.length - 2]!;
        const rawPk = args[args.length - 1]!;
        const context = parseContextOptions(opts.context);
        if (context.errors.length) throw new UsageError(context.errors.join('; '));
        const fail = (code: string, message: string): void => {
          if (opts.format === 'json') ctx.io.stdout(`${JSON.stringify({ ok: false, error: { code, message } }, null, 2)}\n`);
          else ctx.io.stderr(`akbp: ${code}: ${message}\n`);
          ctx.exitCode = 1;
        };
        const target = await connectTarget(opts, ctx);
        try {
          const deps = targetDeps(opts, ctx, target.registry, target.client, sources);
          const store = deps.state!;
          try {
            const spec = { sources, mode: 'compile' as const, context: context.value, strict: opts.strict ?? false };
            const loaded = await loadAndValidate(spec, deps);
            const compiled = hasErrors(loaded.diagnostics) ? undefined : await compileLoaded(loaded, spec, deps);
            const diagnostics = [...loaded.diagnostics, ...(compiled?.diagnostics ?? [])];
            if (!compiled || hasErrors(diagnostics)) {
              const texts = textsOf(loaded.texts);
              if (opts.format === 'json') ctx.io.stdout(diagnosticsToJson(diagnostics, texts, { applyable: false }));
              else ctx.io.stderr(`${renderDiagnosticsText(diagnostics, texts, useColor(ctx.io.isTTY, ctx.env))}\n`);
              ctx.exitCode = 1;
              return;
            }
            const entry = findEntry(compiled.entries, wanted);
            const info = findModel(target.registry, entry.model);
            if (info?.kind !== 'model' || !info.apiPath) {
              throw new ImportRefused(STATE_CODES.importNoEntry.code, msg(STATE_CODES.importNoEntry, 'noObjectModel', { key: entry.key, model: entry.model }));
            }
            if (entry.state === 'absent') {
              throw new ImportRefused(STATE_CODES.importNoEntry.code, msg(STATE_CODES.importNoEntry, 'absent', { key: entry.key }));
            }
            const pk = parsePk(info, rawPk);
            const obj = await target.client.get(info.model, pk);
            if (!obj) {
              const other = await otherModelOf(target.registry, target.client, info, rawPk, Math.min(8, deps.concurrency ?? 8));
              if (other) {
                throw new ImportRefused(
                  STATE_CODES.importWrongModel.code,
                  msg(STATE_CODES.importWrongModel, 'otherModel', {
                    pk: rawPk,
                    other,
                    key: entry.key,
                    model: info.model,
                    name: info.verboseName || info.model,
                  }),
                );
              }
              throw new ImportRefused(
                STATE_CODES.importNoObject.code,
                msg(STATE_CODES.importNoObject, 'noObject', { model: info.model, pk: rawPk, key: entry.key, name: info.verboseName || info.model }),
              );
            }
            const ids = await checkIdentifiers(entry, info, obj, compiled.entries, target.client, target.registry, deps.concurrency ?? 8);
            const rec = await runImport(store, entry, info, obj, ids, opts);
            if (opts.format === 'json') {
              ctx.io.stdout(`${JSON.stringify({ ok: true, imported: rec }, null, 2)}\n`);
            } else if (rec.unchanged) {
              ctx.io.stdout(`${rec.key} already records ${rec.identity} (pk ${String(rec.pk)}) in ${rec.state}; nothing changed.\n`);
            } else {
              ctx.io.stdout(
                `Imported ${rec.identity} (pk ${String(rec.pk)}) as ${rec.key}: recorded as adopted in ${rec.state} (version ${rec.stateVersion})${rec.replaced !== undefined ? `, replacing pk ${String(rec.replaced)}` : ''}.\nPrune leaves it on the server unless --prune-adopted.\n`,
              );
            }
          } finally {
            await store.close();
          }
        } catch (e) {
          if (e instanceof ImportRefused) return fail(e.code, e.message);
          if (e instanceof StateError) return fail(e.code, e.message);
          throw e;
        } finally {
          await target.close();
        }
      }),
    );
}
