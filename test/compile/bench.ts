// Compile cost for 1,000 entries in 50 files next to a bare YAML parse of the same text.
// Run: npx tsx test/compile/bench.ts   (not part of npm test: timings on a shared machine vary)
import { parseDocument } from 'yaml';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { compileBlueprints } from '../../src/compile/index.js';
import { loadBlueprint } from '../../src/load/index.js';
const files: { uri: string; text: string }[] = [];
for (let f = 0; f < 50; f++) {
  let t = `version: 1\nmetadata:\n  name: bench ${f}\ncontext:\n  prefix: p${f}\n  items: [a, b, c]\nentries:\n`;
  for (let i = 0; i < 20; i++) {
    if (i % 4 === 0)
      t += `  - model: authentik_flows.flow\n    id: flow${i}\n    identifiers: {slug: !Format ["%s-flow-${i}", !Context prefix]}\n    attrs: {name: F${i}, title: T, designation: authentication}\n`;
    else if (i % 4 === 1)
      t += `  - model: authentik_stages_dummy.dummystage\n    id: stage${i}\n    identifiers: {name: !Format ["%s-stage-${i}", !Context prefix]}\n    attrs: {throw_error: false}\n`;
    else if (i % 4 === 2)
      t += `  - model: authentik_flows.flowstagebinding\n    identifiers: {target: !KeyOf flow${i - 2}, stage: !KeyOf stage${i - 1}, order: ${i}}\n    attrs: {evaluate_on_plan: true}\n`;
    else
      t += `  - model: authentik_core.group\n    identifiers: {name: g${f}-${i}}\n    conditions: [!Condition [OR, !Context prefix, false]]\n    attrs:\n      attributes:\n        list: !Enumerate [!Context items, SEQ, !Format ["%s-%s", !Index 0, !Value 0]]\n        flow: !Find [authentik_flows.flow, [slug, p${f}-flow-0]]\n        env: !Env [HOME, x]\n`;
  }
  files.push({ uri: `f${f}.yaml`, text: t });
}
const reg = bundledRegistry('2026.5');
const enc = new TextEncoder();
function time(fn: () => void, n = 20): number {
  for (let i = 0; i < 3; i++) fn();
  const s = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - s) / n;
}
const tParse = time(() => {
  for (const f of files) parseDocument(f.text, { version: '1.1', schema: 'failsafe' });
});
const bps = files.map(
  (f) => loadBlueprint({ uri: f.uri, path: f.uri, bytes: enc.encode(f.text), origin: { kind: 'file', uri: f.uri, local: true, root: '/x' } }).blueprint!,
);
const tLoad = time(() => {
  for (const f of files) loadBlueprint({ uri: f.uri, path: f.uri, bytes: enc.encode(f.text), origin: { kind: 'file', uri: f.uri, local: true, root: '/x' } });
});
const tCompile = time(() => {
  compileBlueprints(bps, { registry: reg, env: { HOME: '/root' } });
});
const res = compileBlueprints(bps, { registry: reg, env: { HOME: '/root' } });
console.log(`entries=${res.entries.length} diags=${res.diagnostics.length} maxwave=${Math.max(...res.entries.map((e) => e.wave))}`);
console.log(
  `bare yaml parse ${tParse.toFixed(1)} ms, load ${tLoad.toFixed(1)} ms, compile ${tCompile.toFixed(1)} ms, compile/parse ${(tCompile / tParse).toFixed(2)}x`,
);
