// sources → load → validate, on its own so that `akbp validate` loads neither compile nor plan nor
// apply: its start-up is measured against `node -e 0`.
import type { Diagnostic, ParsedBlueprint, SourceFile } from '../model/index.js';
import { strictify } from '../diag/index.js';
import { loadBlueprint } from '../load/index.js';
import { validateBlueprints } from '../validate/index.js';
// From instances.js, not compile's index: the index pulls in the whole compiler.
import { neededLibrary } from '../compile/instances.js';
import type { ReconcileDeps, ReconcileSpec } from './types.js';
import { maskSecretValues } from './secrets.js';

export interface Loaded {
  blueprints: ParsedBlueprint[];
  library: ParsedBlueprint[];
  files: SourceFile[];
  texts: Map<string, string>;
  diagnostics: Diagnostic[];
  revision?: string;
}

/** sources → load → validate. */
export async function loadAndValidate(spec: ReconcileSpec, deps: ReconcileDeps): Promise<Loaded> {
  const read = await deps.readSources(spec.sources);
  const diagnostics: Diagnostic[] = [...read.diagnostics];
  const texts = new Map<string, string>();
  const load = deps.loadBlueprint ?? loadBlueprint;
  const parse = (files: readonly SourceFile[]): ParsedBlueprint[] => {
    const out: ParsedBlueprint[] = [];
    for (const f of files) {
      const r = load(f);
      diagnostics.push(...r.diagnostics);
      if (r.blueprint) {
        texts.set(f.uri, maskSecretValues(r.blueprint, deps.registry));
        out.push(r.blueprint);
      } else {
        texts.set(f.uri, new TextDecoder('utf-8', { fatal: false }).decode(f.bytes));
      }
    }
    return out;
  };
  const blueprints = parse(read.files);
  const library = parse(read.library ?? []);
  // Library files an instance runs are validated too: compile inlines them and takes validation as given.
  diagnostics.push(
    ...(deps.validate ?? validateBlueprints)([...blueprints, ...neededLibrary(blueprints, library)], {
      registry: deps.registry,
      strict: spec.strict ?? false,
      lenient: spec.lenient ?? false,
    }),
  );
  const revisions = [...new Set(read.origins.map((o) => o.revision).filter((r): r is string => Boolean(r)))];
  const out: Loaded = {
    blueprints,
    library,
    files: [...read.files, ...(read.library ?? [])],
    texts,
    diagnostics: spec.strict ? strictify(diagnostics) : diagnostics,
  };
  if (revisions.length > 0) out.revision = revisions.join(',');
  return out;
}
