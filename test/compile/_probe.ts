import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { compileBlueprints } from '../../src/compile/index.js';
import { loadBlueprint } from '../../src/load/index.js';
import { renderDiagnostic } from '../../src/diag/index.js';
const root = '/work/shared/authentik/blueprints';
function walk(d: string): string[] { return readdirSync(d).flatMap((n) => { const p = join(d, n); return statSync(p).isDirectory() ? walk(p) : p.endsWith('.yaml') ? [p] : []; }); }
for (const dir of ['default', 'example', 'system', 'newer-than-2026.5']) {
  const files = walk(join(root, dir));
  const bps = [];
  const texts = new Map<string, string>();
  for (const f of files) {
    const uri = relative(root, f);
    const text = readFileSync(f, 'utf8');
    texts.set(uri, text);
    const r = loadBlueprint({ uri, path: relative(join(root, dir), f), bytes: new TextEncoder().encode(text), origin: { kind: 'file', uri, local: true, root: join(root, dir) } });
    if (r.blueprint) bps.push(r.blueprint); else console.log('LOADFAIL', uri, r.diagnostics.map(d => d.summary));
  }
  for (const v of ['2026.5']) {
    const res = compileBlueprints(bps, { registry: bundledRegistry(v), env: {} });
    console.log(dir, v, 'entries', res.entries.length, 'dropped', res.dropped.length, 'diags', res.diagnostics.length, 'maxwave', Math.max(...res.entries.map(e => e.wave)));
    for (const d of res.diagnostics.slice(0, 15)) console.log(renderDiagnostic(d, (u) => texts.get(u), { frame: false }));
  }
}
