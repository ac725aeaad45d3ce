// The layering of src/README.md as rules: each folder lists the folders it may import from.
// Imports point down, never up; a stage never imports a sibling stage for shared helpers (those
// live in values/ or live/). `npm run check` fails on any import outside these lists.
/** @type {Record<string, string[]>} folder → folders it may import from */
const MAY_IMPORT = {
  model: [],
  values: ['model'],
  diag: ['model'],
  authentik: ['model', 'diag', 'values'],
  load: ['model', 'diag', 'values', 'authentik'],
  live: ['model', 'diag', 'values', 'authentik'],
  validate: ['model', 'diag', 'values', 'authentik', 'load'],
  compile: ['model', 'diag', 'values', 'authentik', 'load'],
  plan: ['model', 'diag', 'values', 'authentik', 'live'],
  report: ['model', 'diag', 'values', 'authentik', 'live'],
  observe: ['model', 'diag', 'values', 'authentik', 'live'],
  // apply uses plan's blueprint-only field specs (extras): the one documented sideways edge.
  apply: ['model', 'diag', 'values', 'authentik', 'live', 'plan'],
  state: ['model', 'diag', 'values', 'authentik'],
  server: ['model', 'diag', 'values', 'authentik'],
  sources: ['model', 'diag', 'values'],
  sandbox: ['model', 'diag', 'values', 'authentik'],
  export: ['model', 'diag', 'values', 'authentik', 'live', 'observe', 'load'],
  pipeline: ['model', 'diag', 'values', 'authentik', 'live', 'load', 'validate', 'compile', 'observe', 'plan', 'apply', 'report', 'state'],
  gitops: ['model', 'diag', 'values', 'authentik', 'load', 'validate', 'compile', 'report', 'pipeline', 'state', 'sources', 'server'],
  cli: null, // the composition root may import anything
};

const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'Import cycles make the pipeline order unclear (a cycle of type-only imports is allowed: it does not exist at run time).',
    from: {},
    to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
  },
  {
    name: 'unknown-folder',
    severity: 'error',
    comment: 'Every folder of src/ has a place in the layering (add it to .dependency-cruiser.cjs and src/README.md).',
    from: { path: `^src/(?!(${Object.keys(MAY_IMPORT).join('|')})/)[^/]+/` },
    to: {},
  },
];
for (const [folder, allowed] of Object.entries(MAY_IMPORT)) {
  if (allowed === null) continue;
  const ok = [folder, ...allowed].join('|');
  forbidden.push({
    name: `layer-${folder}`,
    severity: 'error',
    comment: `${folder}/ may import only from ${allowed.length ? allowed.join(', ') : 'itself'} (src/README.md).`,
    from: { path: `^src/${folder}/` },
    to: { path: `^src/(?!(${ok})/)` },
  });
}
forbidden.push({
  name: 'src-not-from-test',
  severity: 'error',
  comment: 'Production code never imports test code.',
  from: { path: '^src/' },
  to: { path: '^(test|scripts)/' },
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
