// The incremental re-plan of `akbp watch` (src/pipeline/incremental.ts) against a from-scratch
// plan of the same directory and the same sandbox over HTTP, after every one of many random edits:
// fields, entries and files added and removed, a group renamed under another file's `!Find`, the
// target of a metaapplyblueprint edited, one object declared in several files. Then: someone
// else's write shows up once the kept lists are older than the refresh interval, a failed read
// makes the next run read everything, and `akbp watch` itself plans what it should over HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient, undiciTransport } from '../../src/server/index.js';
import { readSources } from '../../src/sources/index.js';
import { loadBlueprint } from '../../src/load/index.js';
import { parseCache } from '../../src/gitops/index.js';
import { createIncremental, reconcileOnce, type Incremental, type ReconcileDeps, type ReconcileOutcome, type ReconcileSpec } from '../../src/pipeline/index.js';
import { ApiError, type ServerClient } from '../../src/model/index.js';
import { runWatch, type WatchCliOptions } from '../../src/cli/commands/watch.js';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../helpers/cli.js';
import { FileStateStore } from '../../src/state/file.js';

const registry = bundledRegistry('2026.5');
const token = 'incremental-watch-token';
let server: { url: string; close(): Promise<void> };
const clients: ServerClient[] = [];
let scratch: string;

before(async () => {
  const sandbox = await createSandbox({ registry, token });
  server = await sandbox.listen('127.0.0.1', 0);
  scratch = await mkdtemp(join(tmpdir(), 'akbp-incr-'));
});
after(async () => {
  for (const c of clients) await c.close();
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

function client(): ServerClient {
  const c = createClient({ baseUrl: server.url, token, registry, transport: undiciTransport(server.url, {}) });
  clients.push(c);
  return c;
}

const FIXED = new Date('2026-06-01T00:00:00Z');

function depsFor(dir: string, c: ServerClient): ReconcileDeps {
  return {
    readSources: (specs) => readSources(specs, { cwd: dir, cacheDir: join(scratch, 'cache'), env: {} }),
    registry,
    client: c,
    env: {},
    now: () => FIXED,
    concurrency: 4,
  };
}

/** A watch-like set-up: parse cache, per-blueprint validation and kept lists. */
function incrementalDeps(dir: string, c: ServerClient, clock: () => number, refreshMs = 60_000): { deps: ReconcileDeps; incr: Incremental } {
  const incr = createIncremental({ registry, refreshMs, now: clock });
  const deps: ReconcileDeps = {
    ...depsFor(dir, c),
    loadBlueprint: parseCache(loadBlueprint).load,
    validate: incr.validate,
    compile: incr.compile,
    snapshot: incr.snapshot,
  };
  return { deps, incr };
}

/** What a user sees of a run: the plan (its clock-dependent stamp aside) and every diagnostic. */
function view(o: ReconcileOutcome): string {
  return JSON.stringify({ ok: o.ok, diagnostics: o.diagnostics, plan: o.plan ? { ...o.plan, createdAt: '' } : null }, null, 1);
}

// ── the random directory ─────────────────────────────────────────────────────────────────────
type Ent =
  | { k: 'group'; name: string; note: string }
  | { k: 'flow'; id: number; slug: string; title: string }
  | { k: 'user'; username: string; group: string }
  | { k: 'provider'; name: string; flow: string }
  | { k: 'meta'; path: string };

function yamlOf(e: Ent): string {
  switch (e.k) {
    case 'group':
      return `  - model: authentik_core.group\n    identifiers: {name: ${e.name}}\n    attrs: {attributes: {note: "${e.note}"}}\n`;
    case 'flow':
      return `  - model: authentik_flows.flow\n    id: flow-${e.id}\n    identifiers: {slug: ${e.slug}}\n    attrs: {name: "${e.title}", title: "${e.title}", designation: authentication}\n`;
    case 'user':
      return `  - model: authentik_core.user\n    identifiers: {username: ${e.username}}\n    attrs: {name: "${e.username}", groups: [!Find [authentik_core.group, [name, ${e.group}]]]}\n`;
    case 'provider':
      return (
        `  - model: authentik_providers_oauth2.oauth2provider\n    identifiers: {name: ${e.name}}\n    attrs:\n` +
        `      authorization_flow: !Find [authentik_flows.flow, [slug, ${e.flow}]]\n      invalidation_flow: !Find [authentik_flows.flow, [slug, ${e.flow}]]\n` +
        `      client_type: confidential\n      client_id: ${e.name}\n      redirect_uris: [{matching_mode: strict, url: "https://${e.name}.example.com/cb"}]\n`
      );
    case 'meta':
      return `  - model: authentik_blueprints.metaapplyblueprint\n    attrs: {identifiers: {path: ${e.path}}, required: false}\n`;
  }
}

const fileText = (ents: Ent[], name = 'watched') =>
  `version: 1\nmetadata:\n  name: ${name}\nentries:\n${ents.map(yamlOf).join('')}${ents.length ? '' : '  []\n'}`;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class World {
  files = new Map<string, Ent[]>();
  /** Entry ids stay unique: a duplicate id is a validation error, which would leave no plan to compare. */
  ids = 1;
  constructor(
    readonly dir: string,
    readonly r: () => number,
  ) {}
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  /** Name prefix of what the next edit writes: a file's own names couple it to no other file. */
  scope = '';
  /** Most edits use the edited file's own names (so most saves touch one file alone). */
  scoped = false;
  group = () => `${this.scope}g${Math.floor(this.r() * 6)}`;
  slug = () => `${this.scope}f${Math.floor(this.r() * 4)}`;
  entry(): Ent {
    const k = this.pick(['group', 'group', 'flow', 'user', 'provider'] as const);
    if (k === 'group') return { k, name: this.group(), note: `n${Math.floor(this.r() * 1000)}` };
    if (k === 'flow') return { k, id: this.ids++, slug: this.slug(), title: `T${Math.floor(this.r() * 1000)}` };
    if (k === 'user') return { k, username: `u${Math.floor(this.r() * 5)}`, group: this.group() };
    return { k, name: `p${Math.floor(this.r() * 4)}`, flow: this.slug() };
  }
  async write(name: string): Promise<void> {
    const ents = this.files.get(name);
    if (ents) await writeFile(join(this.dir, name), fileText(ents, name));
    else await unlink(join(this.dir, name)).catch(() => undefined);
  }
  /** One random edit; says what it did, for the failure message. */
  async edit(): Promise<string> {
    const names = [...this.files.keys()];
    const op = this.pick(['field', 'field', 'add', 'remove', 'addFile', 'deleteFile', 'rename', 'base', 'base'] as const);
    const name = this.pick(names);
    const ents = this.files.get(name)!;
    this.scope = this.scoped && this.r() < 0.85 ? name.replace(/\.yaml$/, '-') : '';
    switch (op) {
      case 'field': {
        const e = ents.length ? this.pick(ents) : undefined;
        if (e?.k === 'group') e.note = `n${Math.floor(this.r() * 1000)}`;
        else if (e?.k === 'flow') e.title = `T${Math.floor(this.r() * 1000)}`;
        else if (e?.k === 'user') e.group = this.group();
        else if (e?.k === 'provider') e.flow = this.slug();
        break;
      }
      case 'add':
        ents.push(this.entry());
        break;
      case 'remove':
        if (ents.length) ents.splice(Math.floor(this.r() * ents.length), 1);
        break;
      case 'addFile': {
        const fresh = `extra-${Math.floor(this.r() * 1e6)}.yaml`;
        if (this.scope) this.scope = fresh.replace(/\.yaml$/, '-');
        this.files.set(fresh, [this.entry(), this.entry()]);
        await this.write(fresh);
        return `add file ${fresh}`;
      }
      case 'deleteFile':
        if (names.length > 3) this.files.delete(name);
        break;
      case 'rename': {
        // A group a user elsewhere finds by name gets another name.
        const wanted = new Set([...this.files.values()].flat().flatMap((e) => (e.k === 'user' ? [e.group] : [])));
        const g = [...this.files.values()].flat().find((e): e is Extract<Ent, { k: 'group' }> => e.k === 'group' && wanted.has(e.name));
        if (g) g.name = this.group();
        await Promise.all([...this.files.keys()].map((n) => this.write(n)));
        return 'rename a found group';
      }
      case 'base': {
        const base = this.files.get('base.yaml');
        if (base) {
          if (base.length && this.r() < 0.6) {
            const e = this.pick(base);
            if (e.k === 'group') e.note = `b${Math.floor(this.r() * 1000)}`;
            else base.push(this.entry());
          } else base.push(this.entry());
          await this.write('base.yaml');
          return 'edit the metaapplyblueprint target base.yaml';
        }
        break;
      }
    }
    await this.write(name);
    return `${op} in ${name}`;
  }
}

async function seedWorld(dir: string, r: () => number): Promise<World> {
  const w = new World(dir, r);
  w.files.set('base.yaml', [
    { k: 'group', name: 'g0', note: 'base' },
    { k: 'flow', id: 0, slug: 'f0', title: 'Base' },
  ]);
  w.files.set('meta.yaml', [
    { k: 'meta', path: 'base.yaml' },
    { k: 'user', username: 'u0', group: 'g0' },
  ]);
  w.files.set('groups.yaml', [
    { k: 'group', name: 'g0', note: 'again' },
    { k: 'group', name: 'g1', note: 'one' },
  ]);
  w.files.set('apps.yaml', [
    { k: 'provider', name: 'p0', flow: 'f0' },
    { k: 'user', username: 'u1', group: 'g1' },
  ]);
  for (const n of w.files.keys()) await w.write(n);
  return w;
}

test('the incremental plan equals a from-scratch plan after each of 60 random edits, applied now and then (same sandbox over HTTP)', async () => {
  const seed = Number(process.env.AKBP_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const dir = await mkdtemp(join(scratch, 'prop-'));
  const w = await seedWorld(dir, rng(seed));
  // One ownership record for both, so prune has objects to delete when entries go away.
  const state = new FileStateStore(join(dir, '.state.json'), { env: {} });
  const full = { ...depsFor(dir, client()), state };
  // Objects on the server first, so plans have updates and no-ops, not only creates.
  const applied = await reconcileOnce({ sources: ['.'], mode: 'apply' }, full);
  assert.ok(applied.plan, view(applied));
  const { deps, incr } = incrementalDeps(dir, client(), () => 0);
  deps.state = state;
  const spec: ReconcileSpec = { sources: ['.'], mode: 'plan', prune: true, maxDeletes: 1000 };
  const history: string[] = [];
  let planned = 0;
  for (let step = 0; step < 60; step++) {
    const incremental = await incr.run((s) => reconcileOnce(s, deps), spec);
    const scratchPlan = await reconcileOnce(spec, { ...depsFor(dir, client()), state });
    assert.equal(view(incremental), view(scratchPlan), `seed ${seed} (AKBP_TEST_SEED=${seed} reproduces), after: ${history.join('; ') || 'start'}`);
    if (scratchPlan.plan && scratchPlan.plan.summary.update + scratchPlan.plan.summary.create > 0) planned += 1;
    // watch --apply: the kept plan and lists are dropped, creates become objects to update or prune.
    if (step % 6 === 5 && scratchPlan.plan?.applyable) {
      await incr.run((s) => reconcileOnce(s, deps), { ...spec, mode: 'apply' });
      history.push('apply');
    }
    history.push(await w.edit());
  }
  // The edits leave plans to compare most of the time, not only blueprints that fail to compile.
  assert.ok(planned >= 30, `only ${planned} of 60 runs planned a change (seed ${seed}): ${history.join('; ')}`);
  const s = incr.stats();
  // Not vacuous: lists, validations and plan outcomes were really kept between runs, and some
  // saves coupled to other files and were planned whole.
  assert.ok(s.listsReused > 0 && s.validationsReused > 0, JSON.stringify(s));
  assert.ok(s.plan && s.plan.spliced > 0 && s.plan.reused > 0 && s.plan.full > 1, JSON.stringify(s));
});

/** Files that mostly keep to their own names: most saves recompile and re-plan one file alone. */
async function seedScopedWorld(dir: string, r: () => number): Promise<World> {
  const w = new World(dir, r);
  w.scoped = true;
  w.files.set('a.yaml', [
    { k: 'group', name: 'a-g0', note: 'a' },
    { k: 'user', username: 'a-u0', group: 'a-g0' },
    { k: 'flow', id: w.ids++, slug: 'a-f0', title: 'A' },
  ]);
  w.files.set('b.yaml', [
    { k: 'group', name: 'b-g1', note: 'b' },
    { k: 'flow', id: w.ids++, slug: 'b-f1', title: 'B' },
    { k: 'provider', name: 'b-p0', flow: 'b-f1' },
  ]);
  w.files.set('c.yaml', [{ k: 'group', name: 'c-g2', note: 'c' }]);
  w.files.set('d.yaml', [{ k: 'user', username: 'd-u1', group: 'a-g0' }]);
  for (const n of w.files.keys()) await w.write(n);
  return w;
}

test('with files that keep to themselves, saves recompile and re-plan one file, and equal a from-scratch plan after 60 random edits', async () => {
  const seed = Number(process.env.AKBP_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const dir = await mkdtemp(join(scratch, 'scoped-'));
  const w = await seedScopedWorld(dir, rng(seed));
  const state = new FileStateStore(join(dir, '.state.json'), { env: {} });
  const applied = await reconcileOnce({ sources: ['.'], mode: 'apply' }, { ...depsFor(dir, client()), state });
  assert.ok(applied.plan, view(applied));
  const { deps, incr } = incrementalDeps(dir, client(), () => 0);
  deps.state = state;
  const spec: ReconcileSpec = { sources: ['.'], mode: 'plan', prune: true, maxDeletes: 1000 };
  const history: string[] = [];
  for (let step = 0; step < 60; step++) {
    const incremental = await incr.run((s) => reconcileOnce(s, deps), spec);
    const scratchPlan = await reconcileOnce(spec, { ...depsFor(dir, client()), state });
    assert.equal(view(incremental), view(scratchPlan), `seed ${seed} (AKBP_TEST_SEED=${seed} reproduces), after: ${history.join('; ') || 'start'}`);
    assert.deepEqual(incremental.compiled?.entries, scratchPlan.compiled?.entries, `compiled entries, seed ${seed}, after: ${history.join('; ')}`);
    if (step % 7 === 6 && scratchPlan.plan?.applyable) {
      await incr.run((s) => reconcileOnce(s, deps), { ...spec, mode: 'apply' });
      history.push('apply');
    }
    history.push(await w.edit());
  }
  const s = incr.stats();
  // How many saves splice depends on the seed (1118046243 gives 9 of 60): at least a few must.
  assert.ok(s.compile && s.compile.spliced >= 5, `compile reused for few saves (seed ${seed}): ${JSON.stringify(s)}`);
  assert.ok(s.plan && s.plan.spliced >= 10, `plan reused for few saves: ${JSON.stringify(s)}`);
  // Observe kept the matches of the entries a spliced compile handed back unchanged.
  assert.ok(s.observe && s.observe.partial > 0 && s.observe.reused > 0, `observe reused no match (seed ${seed}): ${JSON.stringify(s)}`);
});

test('after an apply, saves that change values are patched into the last plan (no pass over every entry) and equal a from-scratch plan', async () => {
  const seed = Number(process.env.AKBP_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const r = rng(seed);
  const dir = await mkdtemp(join(scratch, 'fast-'));
  const w = new World(dir, r);
  for (const f of ['a', 'b', 'c', 'd', 'e', 'f']) {
    w.files.set(`${f}.yaml`, [
      { k: 'group', name: `${f}-g`, note: f },
      { k: 'flow', id: w.ids++, slug: `${f}-flow`, title: f },
      { k: 'user', username: `${f}-u`, group: `${f}-g` },
      { k: 'provider', name: `${f}-p`, flow: `${f}-flow` },
    ]);
  }
  for (const n of w.files.keys()) await w.write(n);
  const state = new FileStateStore(join(dir, '.state.json'), { env: {} });
  const applied = await reconcileOnce({ sources: ['.'], mode: 'apply' }, { ...depsFor(dir, client()), state });
  assert.ok(applied.ok, view(applied));
  const { deps, incr } = incrementalDeps(dir, client(), () => 0);
  deps.state = state;
  const spec: ReconcileSpec = { sources: ['.'], mode: 'plan', prune: true, maxDeletes: 1000 };
  const history: string[] = [];
  for (let step = 0; step < 12; step++) {
    const incremental = await incr.run((s) => reconcileOnce(s, deps), spec);
    const scratchPlan = await reconcileOnce(spec, { ...depsFor(dir, client()), state });
    assert.equal(view(incremental), view(scratchPlan), `seed ${seed} (AKBP_TEST_SEED=${seed} reproduces), after: ${history.join('; ') || 'start'}`);
    // One value of one file: a group's note or a flow's title (updates of objects that exist).
    const name = w.pick([...w.files.keys()]);
    const e = w.pick(w.files.get(name)!.filter((x) => x.k === 'group' || x.k === 'flow'));
    if (e.k === 'group') e.note = `n${step}`;
    else if (e.k === 'flow') e.title = `T${step}`;
    await w.write(name);
    history.push(`${e.k} in ${name}`);
  }
  const s = incr.stats();
  // Every save after the first was patched, and observe matched only the changed file's entries.
  assert.ok(s.plan && s.plan.fast >= 11, `fast splices: ${JSON.stringify(s)}`);
  assert.ok(s.observe && s.observe.partial >= 11 && s.observe.rematched <= 11 * 8, `observe: ${JSON.stringify(s)}`);
});

test("someone else's write is seen once the kept lists are older than the refresh interval", async () => {
  const dir = await mkdtemp(join(scratch, 'timer-'));
  await writeFile(join(dir, 'groups.yaml'), fileText([{ k: 'group', name: 'timer-a', note: 'ours' }]));
  await writeFile(join(dir, 'flows.yaml'), fileText([{ k: 'flow', id: 0, slug: 'timer-f', title: 'Ours' }]));
  const c = client();
  assert.ok((await reconcileOnce({ sources: ['.'], mode: 'apply' }, depsFor(dir, c))).ok);
  let clock = 0;
  const { deps, incr } = incrementalDeps(dir, client(), () => clock, 30_000);
  const spec: ReconcileSpec = { sources: ['.'], mode: 'plan' };
  const first = await incr.run((s) => reconcileOnce(s, deps), spec);
  assert.equal(first.plan?.summary.update, 0, view(first));

  // Someone renames the group's note in the UI; then the user saves an unrelated file.
  const group = (await c.list('authentik_core.group')).find((g) => g.body.name === 'timer-a');
  await c.patch('authentik_core.group', group!.pk, { attributes: { note: 'theirs' } });
  await writeFile(join(dir, 'flows.yaml'), fileText([{ k: 'flow', id: 0, slug: 'timer-f', title: 'Ours, edited' }]));
  clock = 10_000;
  const early = await incr.run((s) => reconcileOnce(s, deps), spec);
  assert.deepEqual(
    early.plan?.changes.filter((ch) => ch.action === 'update').map((ch) => ch.model),
    ['authentik_flows.flow'],
    'within the interval only the lists of the edited file are read again',
  );

  clock = 30_000;
  const late = await incr.run((s) => reconcileOnce(s, deps), spec);
  const fullLate = await reconcileOnce(spec, depsFor(dir, client()));
  assert.equal(view(late), view(fullLate));
  assert.ok(
    late.plan?.changes.some((ch) => ch.action === 'update' && ch.model === 'authentik_core.group'),
    `after the interval the write to the group is seen: ${JSON.stringify(late.plan?.changes.map((ch) => [ch.key, ch.action, ch.reason]))}`,
  );
  assert.equal(incr.stats().fullRefreshes, 2);
});

test('a failed read makes the next run read every list again', async () => {
  const dir = await mkdtemp(join(scratch, 'error-'));
  await writeFile(join(dir, 'groups.yaml'), fileText([{ k: 'group', name: 'err-a', note: 'ours' }]));
  await writeFile(join(dir, 'flows.yaml'), fileText([{ k: 'flow', id: 0, slug: 'err-f', title: 'Ours' }]));
  const c = client();
  assert.ok((await reconcileOnce({ sources: ['.'], mode: 'apply' }, depsFor(dir, c))).ok);
  // The watch's client, with a switch that makes authentik fail listing flows once.
  const inner = client();
  let failFlows = false;
  const flaky: ServerClient = Object.create(inner) as ServerClient;
  flaky.list = async (model, q) => {
    if (failFlows && model === 'authentik_flows.flow') {
      failFlows = false;
      throw new ApiError(500, 'GET', '/flows/instances/', { detail: 'Internal Server Error' });
    }
    return inner.list(model, q);
  };
  const incr = createIncremental({ registry, now: () => 0 });
  const deps: ReconcileDeps = { ...depsFor(dir, flaky), loadBlueprint: parseCache(loadBlueprint).load, validate: incr.validate, snapshot: incr.snapshot };
  const spec: ReconcileSpec = { sources: ['.'], mode: 'plan' };
  await incr.run((s) => reconcileOnce(s, deps), spec);

  const group = (await c.list('authentik_core.group')).find((g) => g.body.name === 'err-a');
  await c.patch('authentik_core.group', group!.pk, { attributes: { note: 'theirs' } });
  await writeFile(join(dir, 'flows.yaml'), fileText([{ k: 'flow', id: 0, slug: 'err-f', title: 'Edited' }]));
  failFlows = true;
  const failed = await incr.run((s) => reconcileOnce(s, deps), spec);
  assert.ok(
    failed.diagnostics.some((d) => d.code === 'AKB4101'),
    view(failed),
  );
  const next = await incr.run((s) => reconcileOnce(s, deps), spec);
  assert.equal(view(next), view(await reconcileOnce(spec, depsFor(dir, client()))));
  assert.ok(
    next.plan?.changes.some((ch) => ch.action === 'update' && ch.model === 'authentik_core.group'),
    view(next),
  );
  assert.equal(incr.stats().fullRefreshes, 2);
});

test('akbp watch over HTTP re-plans a save, keeps untouched lists, and sees an outside write after --refresh', async () => {
  const dir = await mkdtemp(join(scratch, 'cli-'));
  await writeFile(join(dir, 'groups.yaml'), fileText([{ k: 'group', name: 'cli-a', note: 'ours' }]));
  await writeFile(join(dir, 'flows.yaml'), fileText([{ k: 'flow', id: 0, slug: 'cli-f', title: 'Ours' }]));
  const c = client();
  assert.ok((await reconcileOnce({ sources: ['.'], mode: 'apply' }, depsFor(dir, c))).ok);
  let out = '';
  const waiters: { re: RegExp; res: () => void }[] = [];
  const ctx: CliContext = {
    io: {
      stdout: (t) => {
        out += t;
        for (const w of [...waiters]) if (w.re.test(out)) w.res();
      },
      stderr: (t) => void (out += t),
      isTTY: false,
    },
    env: { PATH: process.env.PATH, AUTHENTIK_URL: server.url, AUTHENTIK_TOKEN: token },
    cwd: dir,
    exitCode: 0,
  };
  const seen = (re: RegExp, what: string) =>
    new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`timed out waiting for ${what}; output:\n${out}`)), 20_000);
      waiters.push({
        re,
        res: () => {
          clearTimeout(timer);
          res();
        },
      });
      if (re.test(out)) res();
    });
  const stop = new AbortController();
  const opts = {
    format: 'text',
    maxDeletes: '10',
    passwordPolicy: 'on-change',
    debounce: '50',
    refresh: '1.5',
    state: join(dir, '.state.json'),
  } as WatchCliOptions;
  const running = runWatch('.', opts, ctx, stop.signal);
  try {
    await seen(/Watching for changes/, 'the first plan');
    const group = (await c.list('authentik_core.group')).find((g) => g.body.name === 'cli-a');
    await c.patch('authentik_core.group', group!.pk, { attributes: { note: 'theirs' } });
    out = '';
    await writeFile(join(dir, 'flows.yaml'), fileText([{ k: 'flow', id: 0, slug: 'cli-f', title: 'Ours, edited' }]));
    await seen(/Watching for changes/, 'the plan of the save');
    assert.match(out, /changed: flows\.yaml/);
    assert.match(out, /Plan: 0 to create, 1 to update/, out);
    assert.match(out, /cli-f/);
    await new Promise((r) => setTimeout(r, 1600));
    out = '';
    await writeFile(join(dir, 'flows.yaml'), fileText([{ k: 'flow', id: 0, slug: 'cli-f', title: 'Ours, edited twice' }]));
    await seen(/Watching for changes/, 'the plan after the refresh interval');
    assert.match(out, /Plan: 0 to create, 2 to update/, out);
    assert.match(out, /cli-a/);
  } finally {
    stop.abort();
    await running;
  }
});

test('akbp watch refuses a --refresh that is not a number of seconds, before watching anything', async () => {
  const dir = await mkdtemp(join(scratch, 'usage-'));
  for (const bad of ['soon', '-5', '']) {
    const r = await runCli(['watch', dir, '--sandbox', '--refresh', bad]);
    assert.equal(r.code, 2, `--refresh ${JSON.stringify(bad)}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /--refresh .*expected a number of seconds/);
  }
});
