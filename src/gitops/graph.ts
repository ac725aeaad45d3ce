// The dependency graph of compiled entries as Mermaid or Graphviz DOT text. Pure: the Markdown
// report embeds the Mermaid form; `akbp graph` prints either. Edges point from an entry to what
// it needs first, drawn dependency → dependent so the picture reads in apply order.
import type { CompiledEntry } from '../model/index.js';
import { formatIdentity } from '../values/index.js';

export type GraphFormat = 'mermaid' | 'dot';

/** What the renderer reads; CompiledEntry and a plan's Change both fit. */
export type GraphEntry = Pick<CompiledEntry, 'key' | 'model' | 'dependsOn'> &
  Partial<Pick<CompiledEntry, 'id' | 'wave' | 'order' | 'state'>> & { identifiers?: { [k: string]: unknown } };

function labelOf(e: GraphEntry): string {
  return `${formatIdentity(e.model, e.identifiers)}${e.state === 'absent' ? ' (absent)' : ''}`;
}

const mermaidText = (s: string) => s.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'));
const dotText = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderGraph(entries: readonly GraphEntry[], format: GraphFormat = 'mermaid'): string {
  const sorted = [...entries].sort((a, b) => (a.wave ?? 0) - (b.wave ?? 0) || (a.order ?? 0) - (b.order ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const idOf = new Map(sorted.map((e, i) => [e.key, `n${i}`]));
  const edges: [string, string][] = [];
  for (const e of sorted) {
    for (const dep of [...e.dependsOn].sort()) {
      const from = idOf.get(dep);
      if (from) edges.push([from, idOf.get(e.key)!]);
    }
  }
  const waves = [...new Set(sorted.map((e) => e.wave ?? 0))];
  if (format === 'dot') {
    const out = ['digraph akbp {', '  rankdir=LR;', '  node [shape=box, fontname="sans-serif"];'];
    for (const w of waves) {
      out.push(`  subgraph cluster_wave${w} {`, `    label="wave ${w}";`);
      for (const e of sorted.filter((x) => (x.wave ?? 0) === w)) out.push(`    ${idOf.get(e.key)} [label="${dotText(labelOf(e))}"];`);
      out.push('  }');
    }
    for (const [a, b] of edges) out.push(`  ${a} -> ${b};`);
    out.push('}');
    return out.join('\n') + '\n';
  }
  const out = ['flowchart LR'];
  for (const w of waves) {
    out.push(`  subgraph wave${w}["wave ${w}"]`);
    for (const e of sorted.filter((x) => (x.wave ?? 0) === w)) out.push(`    ${idOf.get(e.key)}["${mermaidText(labelOf(e))}"]`);
    out.push('  end');
  }
  for (const [a, b] of edges) out.push(`  ${a} --> ${b}`);
  return out.join('\n') + '\n';
}
