// Every stage's diagnostic catalogue: codes unique across all tables, each inside its stage's
// range, every codes.ts gathered for `akbp explain`, and docs/diagnostics.md current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allCodes, CATALOGUES, diagnosticsMarkdown, explainCode } from '../../src/cli/catalogue.js';
import { EXPLANATIONS } from '../../src/cli/explanations.js';
import { runCli } from '../helpers/cli.js';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

/** The range each folder's codes must fall in (src/README.md). */
const RANGES: Record<string, RegExp> = {
  load: /^AKB1\d{3}$/,
  validate: /^AKB2\d{3}$/,
  compile: /^AKB3\d{3}$/,
  plan: /^AKB40\d{2}$/,
  observe: /^AKB41\d{2}$/,
  export: /^AKB43\d{2}$/,
  apply: /^AKB5\d{3}$/,
  server: /^AKB60([0-3]\d|4\d)$/,
  sandbox: /^AKB6(0[5-9]\d|[1-9]\d\d)$/,
  sources: /^AKB7\d{3}$/,
  gitops: /^AKB8\d{3}$/,
  cli: /^AKB90\d{2}$/,
  pipeline: /^AKB91\d{2}$/,
  state: /^AKB92\d{2}$/,
};

test('every src/*/codes.ts is gathered by the catalogue', () => {
  const folders = readdirSync(src)
    .filter((d) => existsSync(`${src}${d}/codes.ts`))
    .sort();
  assert.deepEqual(folders, Object.keys(CATALOGUES).sort());
});

test('diagnostic codes are unique across every catalogue', () => {
  const seen = new Map<string, string>();
  for (const c of allCodes()) {
    assert.equal(seen.get(c.code), undefined, `${c.code} is defined by ${seen.get(c.code)} and ${c.stage}`);
    seen.set(c.code, c.stage);
  }
  assert.ok(seen.size > 100, `expected the whole catalogue, got ${seen.size} codes`);
});

test("each code lies in its stage's range and has a title and a severity", () => {
  for (const c of allCodes()) {
    const range = RANGES[c.stage];
    assert.ok(range, `no range written down for ${c.stage}`);
    assert.match(c.code, range, `${c.code} (${c.stage}) is outside the stage's range`);
    assert.ok(['error', 'warning', 'info'].includes(c.severity), `${c.code}: severity ${c.severity}`);
    assert.ok(c.title.length > 5, `${c.code}: title too short`);
  }
});

test('every explanation belongs to a code that exists', () => {
  const codes = new Set<string>(allCodes().map((c) => c.code));
  for (const code of Object.keys(EXPLANATIONS)) assert.ok(codes.has(code), `explanation for unknown ${code}`);
});

test('docs/diagnostics.md is what npm run docs writes', () => {
  const committed = readFileSync(new URL('../../docs/diagnostics.md', import.meta.url), 'utf8');
  assert.equal(committed, diagnosticsMarkdown(), 'docs/diagnostics.md is stale: run npm run docs');
});

test('akbp explain prints the code, its meaning, an example and the fix', async () => {
  const r = await runCli(['explain', 'AKB3014']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^AKB3014 \(error, compile\): !KeyOf names an id no entry defines/);
  assert.match(r.stdout, /Example:/);
  assert.match(r.stdout, /Fix: /);
  assert.equal(explainCode('3014'), r.stdout, 'a bare number is read as AKB3014');
});

test('akbp explain of an unknown code is a usage error naming --list', async () => {
  const r = await runCli(['explain', 'AKB0000']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown diagnostic code "AKB0000".*--list/);
});

/** Every catalogue entry with its key in its table (`C.syntax` → `syntax`). */
function namedDefs(): { stage: string; key: string; code: string; messages: { [id: string]: string } }[] {
  const out: { stage: string; key: string; code: string; messages: { [id: string]: string } }[] = [];
  for (const [stage, mod] of Object.entries(CATALOGUES)) {
    for (const table of Object.values(mod)) {
      if (table === null || typeof table !== 'object' || Array.isArray(table)) continue;
      for (const [key, d] of Object.entries(table as { [k: string]: { code?: unknown; messages?: { [id: string]: string } } })) {
        if (typeof d?.code === 'string' && d.messages) out.push({ stage, key, code: d.code, messages: d.messages });
      }
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(`${dir}${e.name}/`) : e.name.endsWith('.ts') && e.name !== 'codes.ts' ? [`${dir}${e.name}`] : [],
  );
}

test('message templates use only {{name}} placeholders', () => {
  for (const d of namedDefs()) {
    for (const [id, text] of Object.entries(d.messages)) {
      assert.ok(text.length > 0, `${d.code} ${id}: empty template`);
      const rest = text.replace(/\{\{\w+\}\}/g, '');
      assert.ok(!/\{\{/.test(rest), `${d.code} ${id}: malformed placeholder in ${JSON.stringify(text)}`);
    }
  }
});

test('every message template is raised by id somewhere, and table-driven uses fill its placeholders', () => {
  const sources = sourceFiles(src).map((f) => readFileSync(f, 'utf8'));
  const all = sources.join('\n');
  let templates = 0;
  for (const d of namedDefs()) {
    for (const [id, text] of Object.entries(d.messages)) {
      templates++;
      // A call site names the entry and then the id: `diagnose(C.key, 'id', …)`, `fail('key', 'id', …)`,
      // or a table row `{ def: C.key, summary: 'id', … }` whose id the types cannot check.
      const use = new RegExp(`(\\.${d.key}\\b|'${d.key}')[^;]{0,80}?'${id}'`);
      assert.match(all, use, `${d.code} (${d.stage}) message ${id} is never raised`);
      // Table rows hand their data to fillTemplate: each placeholder must be given there by name.
      for (const m of all.matchAll(new RegExp(`def: [\\w.]+\\.${d.key}, summary: '${id}'[^}]*\\}`, 'g'))) {
        for (const p of text.matchAll(/\{\{(\w+)\}\}/g)) assert.ok(m[0].includes(p[1]!), `${d.code} ${id}: {{${p[1]}}} not filled in ${m[0]}`);
      }
    }
  }
  assert.ok(templates > 0, 'no catalogue holds message templates');
});
