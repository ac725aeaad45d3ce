// The fuzz campaign shared by `npm test` (test/fuzz/fuzz.test.ts, a fixed seed) and long runs
// (`npm run fuzz -- --runs N`): valid blueprints (our examples and authentik's corpus) mutated in
// structure, tags, values and encodings, each run through load → validate → compile → plan
// against the in-process sandbox. Properties: nothing throws, every error diagnostic has an
// AKB code and a location, and each input finishes within a time and heap bound.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import type { Registry } from '../../src/authentik/registry.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { reconcileOnce, type ReconcileDeps } from '../../src/pipeline/index.js';
import { loadBlueprint } from '../../src/load/index.js';
import { compileBlueprints } from '../../src/compile/index.js';
import type { Diagnostic, ServerClient } from '../../src/model/index.js';

const root = new URL('../..', import.meta.url).pathname;
const sharedCorpus = join(root, '..', 'shared', 'authentik', 'blueprints');

export interface Seed {
  name: string;
  text: string;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** Our examples always; authentik's corpus when `../shared` is there (`skipped` says when not). */
export function loadSeeds(): { seeds: Seed[]; skipped?: string } {
  const seeds: Seed[] = [];
  for (const dir of ['examples/blueprints', 'examples/blueprints-2023.6']) {
    for (const f of yamlFiles(join(root, dir))) seeds.push({ name: relative(root, f), text: readFileSync(f, 'utf8') });
  }
  let skipped: string | undefined;
  try {
    // Files over 64 KiB add time per case, not kinds of input.
    for (const f of yamlFiles(sharedCorpus))
      if (statSync(f).size <= 64 * 1024) seeds.push({ name: relative(join(root, '..'), f), text: readFileSync(f, 'utf8') });
  } catch {
    skipped = `authentik's blueprint corpus is not at ${sharedCorpus}: fuzzing seeds from examples/ only`;
  }
  return skipped ? { seeds, skipped } : { seeds };
}

const TAGS = [
  '!Context x',
  '!Context [x, 1]',
  '!Context a.b.0',
  '!KeyOf nope',
  '!Env [AKBP_TOKEN, d]',
  '!Env HOME',
  '!File /etc/passwd',
  '!File [../../x, d]',
  '!Format ["%s-%d", a, 1]',
  '!Format ["%s%s", !Context x, !Context x]',
  '!Format ["%999999999s", x]',
  '!Format ["%.500f", 0.1]',
  '!Format ["%(a)s", x]',
  '!Format ["%*s", 99999999999, x]',
  '!Find [authentik_core.group, [name, x]]',
  '!FindObject [authentik_flows.flow, [slug, x]]',
  '!Find [nope.model, [a, b]]',
  '!If [true, a, b]',
  '!If [!Find [authentik_core.group, [name, x]], 1, 2]',
  '!If x',
  '!Condition [AND, true, false]',
  '!Condition [NOPE]',
  '!Condition [XOR]',
  '!Enumerate [[1, 2], SEQ, !Index 0]',
  '!Enumerate [{a: 1}, MAP, [!Index 0, !Value 0]]',
  '!Enumerate [abc, SEQ, !Enumerate [abc, SEQ, !Value 1]]',
  '!Enumerate [!Context x, MAP, !Value 0]',
  '!Index 0',
  '!Value 3',
  '!AtIndex [[1], 5, d]',
  '!AtIndex [{a: 1}, a]',
  '!AtIndex [x, 0]',
  '!ParseJSON \'{"a": [1, 2]}\'',
  '!ParseJSON nope',
  '!KeyOf',
  '!Unknown x',
  '!!binary AA==',
  '!!python/object x',
  '!!str 1',
  '!!int x',
];
const VALUES = [
  '"\\x1b[2J\\x1b[HNo changes."',
  '"[x](https://evil.example)"',
  '"<img src=x>"',
  '"a|b`c"',
  "''",
  '~',
  'null',
  '.nan',
  '-.inf',
  '0x1F',
  '1e400',
  '0o777',
  '12:30:00',
  '2026-01-01',
  'yes',
  'off',
  '"\\u202e"',
  '"𝔘𝔫𝔦"',
  `"${'x'.repeat(5000)}"`,
  '[',
  '{',
  '}',
  ']',
  '&a [1, 2]',
  '*a',
  '*nope',
  '"unterminated',
  '|\n  block',
  '>-\n  folded',
  '{a: 1, a: 2}',
  '[!Context x, !Context x]',
  '? complex\n: key',
  '!Context',
  '%TAG ! tag:x,2000:',
];
const LINES = [
  '---',
  '...',
  'version: 2',
  'version: 1',
  'context: {x: 1}',
  'context:\n  x: !Context x',
  'entries: {}',
  'entries: [1]',
  '- model: x',
  '  - model: authentik_core.group\n    identifiers: {name: !Format ["%s", !Context x]}',
  'metadata: {name: x, labels: {blueprints.goauthentik.io/instantiate: "false"}}',
  '<<: *a',
  '\t',
  '#',
  '% x',
];

type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'replaceValue'; which: number; text: string }
  | { kind: 'line'; op: 'duplicate' | 'remove' | 'swap' | 'indent' | 'dedent' | 'insert'; at: number; other: number; text: string }
  | { kind: 'control'; at: number; code: number }
  | { kind: 'expand'; shape: 'chain' | 'doubling' | 'format' | 'anchors' | 'enumerate'; n: number; which: number };

type Encoding = 'utf8' | 'bom' | 'utf16le' | 'utf16be' | 'invalid-utf8' | 'nul';

export interface Case {
  seed: number;
  mutations: Mutation[];
  encoding: Encoding;
}

export function caseArbitrary(seedCount: number): fc.Arbitrary<Case> {
  // Weighted towards edits that keep the YAML well-formed, so most cases reach compile and plan.
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('replaceValue' as const), which: fc.nat(), text: fc.constantFrom(...TAGS, ...VALUES) }), weight: 14 },
    {
      arbitrary: fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        text: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...TAGS, ...VALUES)),
      }),
      weight: 3,
    },
    { arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }), weight: 2 },
    {
      arbitrary: fc.record({
        kind: fc.constant('line' as const),
        op: fc.constantFrom('duplicate' as const, 'remove' as const, 'swap' as const, 'indent' as const, 'dedent' as const, 'insert' as const),
        at: fc.nat(),
        other: fc.nat(),
        text: fc.constantFrom(...LINES),
      }),
      weight: 3,
    },
    // Rare: each such case takes up to seconds, until a limit stops it.
    {
      arbitrary: fc.record({
        kind: fc.constant('expand' as const),
        shape: fc.constantFrom('chain' as const, 'doubling' as const, 'format' as const, 'anchors' as const, 'enumerate' as const),
        n: fc.integer({ min: 1, max: 1100 }),
        which: fc.nat(),
      }),
      weight: 1,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('control' as const),
        at: fc.nat(),
        code: fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }), fc.constant(0xfeff), fc.constant(0xd800)),
      }),
      weight: 2,
    },
  );
  return fc.record({
    seed: fc.nat({ max: seedCount - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
    encoding: fc.oneof({ arbitrary: fc.constant<Encoding>('utf8'), weight: 12 }, fc.constantFrom<Encoding>('bom', 'utf16le', 'utf16be', 'invalid-utf8', 'nul')),
  });
}

function mutate(text: string, m: Mutation): string {
  const at = (n: number) => (text.length === 0 ? 0 : n % (text.length + 1));
  switch (m.kind) {
    case 'insert':
      return text.slice(0, at(m.at)) + m.text + text.slice(at(m.at));
    case 'delete':
      return text.slice(0, at(m.at)) + text.slice(at(m.at) + m.length);
    case 'control':
      return text.slice(0, at(m.at)) + String.fromCharCode(m.code) + text.slice(at(m.at));
    case 'expand':
      return expand(text, m);
    case 'replaceValue': {
      // The value after a `key:` on some line: where tags and odd scalars are most meaningful.
      const spots = [...text.matchAll(/:[ ]+([^\n#]+)/g)];
      if (spots.length === 0) return text;
      const s = spots[m.which % spots.length]!;
      const start = s.index! + s[0].length - s[1]!.length;
      return text.slice(0, start) + m.text + text.slice(start + s[1]!.length);
    }
    case 'line': {
      const lines = text.split('\n');
      const i = m.at % lines.length;
      const j = m.other % lines.length;
      if (m.op === 'duplicate') lines.splice(i, 0, lines[i]!);
      else if (m.op === 'remove') lines.splice(i, 1);
      else if (m.op === 'swap') [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      else if (m.op === 'indent') lines[i] = `  ${lines[i]}`;
      else if (m.op === 'dedent') lines[i] = lines[i]!.replace(/^ {1,2}/, '');
      else lines.splice(i, 0, m.text);
      return lines.join('\n');
    }
  }
}

/**
 * Context values that grow per line (chains, doubling lists and strings, alias trees, nested
 * !Enumerate), added to the blueprint's context and read from one of its values. Doubling shapes
 * stay small enough that a case runs in seconds: the limits, not the size, are under test.
 */
function expand(text: string, m: Extract<Mutation, { kind: 'expand' }>): string {
  const doubling = m.shape === 'doubling' || m.shape === 'format' || m.shape === 'anchors';
  // Chains must reach past where the stack would give out (about 2,000 links) to test the depth limit.
  const n = doubling ? 1 + (m.n % 20) : m.shape === 'chain' ? m.n * 3 : m.n;
  const lines = [`  fz0: ${m.shape === 'anchors' ? '&fz0 [ab, ab]' : 'ab'}`];
  for (let i = 1; i <= n; i++) {
    const p = `fz${i - 1}`;
    if (m.shape === 'chain') lines.push(`  fz${i}: !Context ${p}`);
    else if (m.shape === 'doubling') lines.push(`  fz${i}: [!Context ${p}, !Context ${p}]`);
    else if (m.shape === 'format') lines.push(`  fz${i}: !Format ["%s%s", !Context ${p}, !Context ${p}]`);
    else if (m.shape === 'anchors') lines.push(`  fz${i}: &fz${i} [*${p}, *${p}]`);
    else lines.push(`  fz${i}: !Enumerate [!Context ${p}, SEQ, !Enumerate [abc, SEQ, !Value 1]]`);
  }
  const block = lines.join('\n');
  const withContext = /^context:[ \t]*$/m.test(text)
    ? text.replace(/^context:[ \t]*$/m, `context:\n${block}`)
    : text.replace(/^entries:/m, `context:\n${block}\nentries:`);
  // Read from a value of an entry, where it is evaluated (metadata and context are not, alone).
  const at = withContext.search(/^entries:/m);
  if (at < 0) return withContext;
  return withContext.slice(0, at) + mutate(withContext.slice(at), { kind: 'replaceValue', which: m.which, text: `!Context fz${n}` });
}

function encode(text: string, e: Encoding): Uint8Array {
  const utf8 = new TextEncoder().encode(text);
  switch (e) {
    case 'utf8':
      return utf8;
    case 'bom':
      return new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]);
    case 'utf16le':
    case 'utf16be': {
      const out = new Uint8Array(2 + text.length * 2);
      const le = e === 'utf16le';
      out.set(le ? [0xff, 0xfe] : [0xfe, 0xff]);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        out[2 + 2 * i] = le ? c & 0xff : c >> 8;
        out[3 + 2 * i] = le ? c >> 8 : c & 0xff;
      }
      return out;
    }
    case 'invalid-utf8': {
      const out = new Uint8Array(utf8.length + 2);
      const mid = utf8.length >> 1;
      out.set(utf8.subarray(0, mid));
      out.set([0xc3, 0x28], mid);
      out.set(utf8.subarray(mid), mid + 2);
      return out;
    }
    case 'nul':
      return new Uint8Array([...utf8.subarray(0, utf8.length >> 1), 0, ...utf8.subarray(utf8.length >> 1)]);
  }
}

export interface World {
  registry: Registry;
  client: ServerClient;
}

export async function startWorld(version = '2026.5'): Promise<World> {
  const registry = bundledRegistry(version);
  const token = 'fuzz-token-0123456789';
  const sandbox = await createSandbox({ registry, token, seed: 1 });
  const client = createClient({ baseUrl: 'http://sandbox.invalid', token, registry, transport: sandbox.transport() });
  return { registry, client };
}

/** Bounds per input: generous for a loaded 2-core machine, far below a runaway. */
const CASE_LIMITS = { ms: 20_000, heapGrowthMb: 768 };

/** How far a case got: a plan, compiled entries, or diagnostics before compile. */
export type Reach = 'plan' | 'compile' | 'before-compile' | 'threw';

/** Runs one case; `problems` says what was wrong with it (empty when the properties hold). */
export async function runCase(world: World, seeds: readonly Seed[], c: Case): Promise<{ problems: string[]; reach: Reach }> {
  const seed = seeds[c.seed]!;
  let text = seed.text;
  for (const m of c.mutations) text = mutate(text, m);
  const bytes = encode(text, c.encoding);
  const uri = `fuzz/${seed.name.replace(/[^\w.-]+/g, '_')}`;
  const deps: ReconcileDeps = {
    registry: world.registry,
    client: world.client,
    env: { HOME: '/home/fuzz', AKBP_TOKEN: 'must-not-leak' },
    now: () => new Date('2026-12-01T00:00:00Z'),
    readFile: () => undefined,
    readSources: async () => ({
      files: [{ uri, path: uri.slice(5), bytes, origin: { kind: 'file', uri, local: true, root: '/srv/fuzz' } }],
      origins: [],
      diagnostics: [],
    }),
  };
  const problems: string[] = [];
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = Date.now();
  let diagnostics: Diagnostic[] = [];
  let reach: Reach = 'threw';
  try {
    const outcome = await reconcileOnce({ sources: [uri], mode: 'plan' }, deps);
    diagnostics = outcome.diagnostics;
    reach = outcome.plan ? 'plan' : outcome.compiled ? 'compile' : 'before-compile';
  } catch (err) {
    problems.push(`threw: ${err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 4).join(' | ') : String(err)}`);
  }
  // Compile also sees what validation refused: it must hold on any loaded blueprint.
  if (reach === 'before-compile') {
    try {
      const loaded = loadBlueprint({ uri, path: uri.slice(5), bytes, origin: { kind: 'file', uri, local: true, root: '/srv/fuzz' } });
      if (loaded.blueprint) {
        diagnostics = [
          ...diagnostics,
          ...compileBlueprints([loaded.blueprint], { registry: world.registry, env: deps.env, readFile: () => undefined }).diagnostics,
        ];
        reach = 'compile';
      }
    } catch (err) {
      problems.push(
        `compile of an unvalidated blueprint threw: ${err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 4).join(' | ') : String(err)}`,
      );
    }
  }
  const ms = Date.now() - t0;
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  if (ms > CASE_LIMITS.ms) problems.push(`took ${ms} ms`);
  if (heapMb > CASE_LIMITS.heapGrowthMb) problems.push(`heap grew ${heapMb.toFixed(0)} MiB`);
  for (const d of diagnostics) {
    if (!/^AKB\d{4}$/.test(d.code)) problems.push(`diagnostic without an AKB code: ${d.code} ${d.summary}`);
    if (d.severity === 'error' && !d.subject) problems.push(`error without a location: ${d.code} ${d.summary}`);
    if (JSON.stringify(d).includes('must-not-leak')) problems.push(`diagnostic leaks akbp's token: ${d.code}`);
  }
  return { problems, reach };
}

export function describeCase(seeds: readonly Seed[], c: Case): string {
  return JSON.stringify({ seed: seeds[c.seed]!.name, mutations: c.mutations, encoding: c.encoding });
}
