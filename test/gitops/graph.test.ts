import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderGraph, type GraphEntry } from '../../src/gitops/graph.js';

const entries: GraphEntry[] = [
  { key: 'f.yaml#binding', model: 'authentik_flows.flowstagebinding', dependsOn: ['f.yaml#flow', 'f.yaml#stage'], wave: 1, order: 2, id: 'binding' },
  { key: 'f.yaml#flow', model: 'authentik_flows.flow', dependsOn: [], wave: 0, order: 0, identifiers: { slug: 'login "main"' } },
  { key: 'f.yaml#stage', model: 'authentik_stages_password.passwordstage', dependsOn: [], wave: 0, order: 1, identifiers: { name: 'pw<1>' } },
  { key: 'f.yaml#3', model: 'authentik_core.group', dependsOn: ['elsewhere#x'], wave: 0, order: 3, state: 'absent' },
];

test('mermaid: nodes by wave, edges dependency → dependent, labels escaped, stable order', () => {
  const out = renderGraph(entries, 'mermaid');
  assert.equal(
    out,
    [
      'flowchart LR',
      '  subgraph wave0["wave 0"]',
      '    n0["flow: login #quot;main#quot;"]',
      '    n1["passwordstage: pw#lt;1#gt;"]',
      '    n2["group: 3 (absent)"]',
      '  end',
      '  subgraph wave1["wave 1"]',
      '    n3["flowstagebinding: binding"]',
      '  end',
      '  n0 --> n3',
      '  n1 --> n3',
      '',
    ].join('\n'),
  );
  assert.equal(renderGraph([...entries].reverse(), 'mermaid'), out, 'input order does not matter');
});

test('dot: clusters per wave and escaped labels', () => {
  const out = renderGraph(entries, 'dot');
  assert.match(out, /^digraph akbp \{/);
  assert.match(out, /subgraph cluster_wave1 \{\n    label="wave 1";\n    n3 \[label="flowstagebinding: binding"\];/);
  assert.match(out, /n0 \[label="flow: login \\"main\\""\];/);
  assert.match(out, /  n0 -> n3;\n  n1 -> n3;\n\}\n$/);
});
