// Failure isolation (compile README "Failure isolation"): a file whose errors are its own blocks
// itself and the files that need it, and the run goes on with the rest, as authentik's discovery
// skips a blueprint it cannot use. An error that belongs to no file (a source that could not be
// read) still stops the whole run: what was not read cannot be told apart from what was removed.
import type { Registry } from '../authentik/registry.js';
import { dependentInstances, type BrokenFile } from '../compile/index.js';
import { diagnose, msg } from '../diag/index.js';
import type { DroppedEntry, Diagnostic, OwnershipState, ParsedBlueprint, SourceFile } from '../model/index.js';
import { PIPELINE_CODES } from './codes.js';
import type { BlockedFile } from './types.js';

export interface Isolation {
  blueprints: ParsedBlueprint[];
  library: ParsedBlueprint[];
  blocked: BlockedFile[];
  /** The dependents' AKB3090 errors and the AKB9106 summary. */
  diagnostics: Diagnostic[];
}

interface IsolateInput {
  files: readonly SourceFile[];
  blueprints: readonly ParsedBlueprint[];
  library: readonly ParsedBlueprint[];
  texts: ReadonlyMap<string, string>;
  registry: Registry;
}

/** The healthy part of a run, or undefined when an error belongs to no file of it. */
export function isolate(input: IsolateInput, diagnostics: readonly Diagnostic[]): Isolation | undefined {
  const files = new Map(input.files.map((f) => [f.uri, f]));
  const causes = new Map<string, Diagnostic>();
  for (const d of diagnostics) {
    if (d.severity !== 'error') continue;
    if (!d.subject || !files.has(d.subject.uri)) return undefined;
    const prev = causes.get(d.subject.uri);
    if (!prev || d.subject.start < prev.subject!.start) causes.set(d.subject.uri, d);
  }
  const parsed = new Map([...input.blueprints, ...input.library].map((bp) => [bp.uri, bp]));
  const broken: BrokenFile[] = [...causes].map(([uri, cause]) => {
    const bp = parsed.get(uri);
    return { uri, path: files.get(uri)!.path, text: input.texts.get(uri) ?? '', cause, ...(bp ? { blueprint: bp } : {}) };
  });
  const healthy = [...input.blueprints, ...input.library].filter((bp) => !causes.has(bp.uri));
  const dependents = dependentInstances({ registry: input.registry, healthy, broken });
  const out = new Set([...causes.keys(), ...dependents.map((d) => d.blueprint.uri)]);
  const blocked: BlockedFile[] = [
    ...broken.map((b) => ({ uri: b.uri, path: b.path, cause: b.cause })),
    ...dependents.map((d) => ({ uri: d.blueprint.uri, path: d.blueprint.path, cause: d.diagnostic, by: d.by })),
  ].sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  const notes = dependents.map((d) => d.diagnostic);
  if (blocked.length > 0) {
    const names = blocked.map((b) => b.path || b.uri);
    notes.push(
      diagnose(
        PIPELINE_CODES.filesBlocked,
        'leftOut',
        { count: blocked.length, names: names.join(', ') },
        { detail: msg(PIPELINE_CODES.filesBlocked, 'leftOutDetail', {}) },
      ),
    );
  }
  return {
    blueprints: input.blueprints.filter((bp) => !out.has(bp.uri)),
    library: input.library.filter((bp) => !out.has(bp.uri)),
    blocked,
    diagnostics: notes,
  };
}

/** An error of a blocked file (or a dependent's reference to one): it does not stop the rest. */
export function blockedBy(blocked: readonly BlockedFile[]): (d: Diagnostic) => boolean {
  const uris = new Set(blocked.map((b) => b.uri));
  return (d) => d.subject !== undefined && uris.has(d.subject.uri);
}

/**
 * Ownership records of blocked files, as entries prune must leave alone: this run does not know
 * what those files declare, so none of their objects is an orphan. Entry keys start with the
 * file's path inside its source (its uri when two sources share the path); both are protected.
 */
export function protectedRecords(state: OwnershipState, blocked: readonly BlockedFile[]): DroppedEntry[] {
  if (blocked.length === 0) return [];
  const out: DroppedEntry[] = [];
  for (const [key, rec] of Object.entries(state.objects)) {
    const file = blocked.find((b) => (b.path !== '' && key.startsWith(`${b.path}#`)) || key.startsWith(`${b.uri}#`));
    if (!file) continue;
    out.push({
      key,
      model: rec.model,
      reason: `${file.path || file.uri} is blocked this run (${file.cause.code})`,
      origin: { uri: file.uri, range: file.cause.subject ?? { uri: file.uri, start: 0, end: 0 }, fields: {} },
    });
  }
  return out;
}
