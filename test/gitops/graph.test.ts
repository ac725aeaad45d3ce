import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderGraph, type GraphEntry } from '../../src/gitops/graph.js';
import { modelName } from '../helpers/model.js';

const entries: GraphEntry[] = [
  {
    key: 'f.yaml#binding',
    model: modelName('authentik_flows.flowstagebinding'),
    dependsOn: ['f.yaml#flow', 'f.yaml#stage'],
    wave: 1,
    order: 2,
    id: 'binding',
    identifiers: { target: { $keyOf: 'flow' }, order: 10 },
  },
  { key: 'f.yaml#flow', model: modelName('authentik_flows.flow'), dependsOn: [], wave: 0, order: 0, identifiers: { slug: 'login "main"' } },
  { key: 'f.yaml#stage', model: modelName('authentik_stages_password.passwordstage'), dependsOn: [], wave: 0, order: 1, identifiers: { name: 'pw<1>' } },
  { key: 'f.yaml#3', model: modelName('authentik_core.group'), dependsOn: ['elsewhere#x'], wave: 0, order: 3, state: 'absent', identifiers: { name: 'old' } },
];

test('mermaid: nodes by wave and named by their identity as plan headers name them, edges dependency → dependent, labels escaped, stable order', () => {
  const out = renderGraph(entries, 'mermaid');
  assert.equal(
    out,
    [
      'flowchart LR',
      '  subgraph wave0["wave 0"]',
      '    n0["flow slug=login #quot;main#quot;"]',
      '    n1["passwordstage name=pw#lt;1#gt;"]',
      '    n2["group name=old (absent)"]',
      '  end',
      '  subgraph wave1["wave 1"]',
      '    n3["flowstagebinding target=!KeyOf flow order=10"]',
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
  assert.match(out, /subgraph cluster_wave1 \{\n {4}label="wave 1";\n {4}n3 \[label="flowstagebinding target=!KeyOf flow order=10"\];/);
  assert.match(out, /n0 \[label="flow slug=login \\"main\\""\];/);
  assert.match(out, / {2}n0 -> n3;\n {2}n1 -> n3;\n\}\n$/);
});
