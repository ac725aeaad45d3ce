// Every stage's diagnostic catalogue in one list, for `akbp explain` and docs/diagnostics.md.
// Each stage keeps its own table (`<stage>/codes.ts`); this only gathers them.
import type { CodeDef } from '../diag/index.js';
import * as load from '../load/codes.js';
import * as validate from '../validate/codes.js';
import * as compile from '../compile/codes.js';
import * as plan from '../plan/codes.js';
import * as observe from '../observe/codes.js';
import * as apply from '../apply/codes.js';
import * as server from '../server/codes.js';
import * as sources from '../sources/codes.js';
import * as gitops from '../gitops/codes.js';
import * as cli from './codes.js';
import * as pipeline from '../pipeline/codes.js';
import * as exportStage from '../export/codes.js';
import * as state from '../state/codes.js';
import { EXPLANATIONS } from './explanations.js';

export interface CatalogueEntry extends CodeDef {
  /** The folder whose `codes.ts` defines the code. */
  stage: string;
}

/** Catalogue modules by the folder that owns them (`test/diag/catalogue.test.ts` checks every codes.ts is here). */
export const CATALOGUES: Record<string, object> = {
  load,
  validate,
  compile,
  plan,
  observe,
  apply,
  server,
  sources,
  gitops,
  cli,
  pipeline,
  export: exportStage,
  state,
};

function isCodeDef(v: unknown): v is CodeDef {
  if (v === null || typeof v !== 'object') return false;
  const o = v as { [k: string]: unknown };
  return typeof o.code === 'string' && /^AKB\d{4}$/.test(o.code) && typeof o.title === 'string' && typeof o.severity === 'string';
}

/** Every code once, sorted; a code defined in two tables is returned twice (the test refuses that). */
export function allCodes(): CatalogueEntry[] {
  const out: CatalogueEntry[] = [];
  const seen = new Set<CodeDef>();
  for (const [stage, mod] of Object.entries(CATALOGUES)) {
    for (const table of Object.values(mod)) {
      const values = Array.isArray(table) ? table : table !== null && typeof table === 'object' ? Object.values(table) : [];
      for (const d of values) {
        if (!isCodeDef(d) || seen.has(d)) continue;
        seen.add(d);
        out.push({ ...d, stage });
      }
    }
  }
  return out.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Text of `akbp explain CODE`: the catalogue line, then the longer explanation and example where written. */
export function explainCode(code: string): string | undefined {
  const want = code.toUpperCase().replace(/^(\d{4})$/, 'AKB$1');
  const d = allCodes().find((c) => c.code === want);
  if (!d) return undefined;
  const lines = [`${d.code} (${d.severity}, ${d.stage}): ${d.title}`];
  const ex = EXPLANATIONS[d.code];
  if (ex) {
    lines.push('', ex.text.trim());
    if (ex.example)
      lines.push(
        '',
        'Example:',
        '',
        ...ex.example
          .trim()
          .split('\n')
          .map((l) => `    ${l}`),
      );
    if (ex.fix) lines.push('', `Fix: ${ex.fix.trim()}`);
  }
  return lines.join('\n') + '\n';
}

/** docs/diagnostics.md, generated (`npm run docs`); a test keeps the committed file current. */
export function diagnosticsMarkdown(): string {
  const rows = allCodes().map(
    (c) =>
      `| \`${c.code}\` | ${c.severity} | ${c.stage} | ${c.title.replace(/\|/g, '\\|')}${EXPLANATIONS[c.code] ? ' ([more](#' + c.code.toLowerCase() + '))' : ''} |`,
  );
  const templates = allCodes()
    .filter((c) => Object.keys(c.messages ?? {}).length > 0)
    .flatMap((c) => [`### ${c.code} messages`, '', ...Object.entries(c.messages!).map(([id, text]) => `- \`${id}\`: ${text.replace(/\n/g, ' ')}`), '']);
  const more = allCodes()
    .filter((c) => EXPLANATIONS[c.code])
    .flatMap((c) => {
      const ex = EXPLANATIONS[c.code]!;
      const block = [`### ${c.code}`, '', `**${c.title}** (${c.severity})`, '', ex.text.trim()];
      if (ex.example) block.push('', '```yaml', ex.example.trim(), '```');
      if (ex.fix) block.push('', `Fix: ${ex.fix.trim()}`);
      return [...block, ''];
    });
  return [
    '# Diagnostic codes',
    '',
    'Generated from the catalogues in `src/*/codes.ts` by `npm run docs`; `akbp explain CODE` prints the same.',
    'Codes are stable: never renumbered or reused. Ranges: AKB1xxx load, 2xxx validate, 3xxx compile,',
    '40xx plan, 41xx observe, 43xx export, 5xxx apply, 6001–6049 server, 7xxx sources, 8xxx gitops, 90xx cli, 91xx saved plans, 92xx state.',
    '',
    '| code | severity | stage | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
    '## Message templates',
    '',
    'What each code says, by message id; `{{name}}` is filled where the diagnostic is raised.',
    '',
    ...templates,
    '## Explanations',
    '',
    ...more,
  ].join('\n');
}
