// The contract between drivers (cli, gitops) and the pipeline. reconcileOnce runs
// sources → load → validate → compile → observe → plan → (apply) once for one set of sources.
import type { ApplyResult, CompileResult, Diagnostic, LoadResult, ParsedBlueprint, Plan, ServerClient, SourceFile, SourceOrigin } from '../model/index.js';
import type { Registry } from '../authentik/registry.js';
import type { OwnershipState, StateStore } from '../state/index.js';
import type { FileReader } from '../compile/policy.js';
import type { CompileOptions } from '../compile/index.js';
import type { ValidateOptions } from '../validate/index.js';
import type { SnapshotReuse } from './incremental.js';

type ReconcileMode = 'validate' | 'compile' | 'plan' | 'apply';

export interface ReconcileSpec {
  /** Source references as the user wrote them: paths, `git::…`, `oci://…`. */
  sources: string[];
  mode: ReconcileMode;
  /** `--context key=value` overrides, already parsed. */
  context?: { [key: string]: unknown };
  prune?: boolean;
  /** With prune: adopted objects no entry declares are deleted too. */
  pruneAdopted?: boolean;
  /** List (plan) and record (apply) live objects entries match that the state does not own. */
  adopt?: boolean;
  maxDeletes?: number;
  passwordPolicy?: 'on-create' | 'on-change' | 'always';
  rollbackOnFailure?: boolean;
  /** `--no-rollback`: keep the changes of a blueprint that failed half-way. */
  keepPartial?: boolean;
  strict?: boolean;
  /** Fields unknown to the model are warnings, not errors (`--lenient`). */
  lenient?: boolean;
}

export interface ReconcileDeps {
  /** Reads the sources (built by the driver: file/dir/git/oci adapters). */
  readSources(specs: string[]): Promise<ReadSourcesResult>;
  registry: Registry;
  /** Absent for validate/compile. */
  client?: ServerClient;
  env: { [name: string]: string | undefined };
  now(): Date;
  /** akbp's ownership record (file, authentik or postgres backend); none = empty, never written. */
  state?: StateStore;
  /** Reads a file for `!File` (confined by compile to the blueprint root and fileRoots). */
  readFile?: FileReader;
  fileRoots?: string[];
  /** Env var patterns remote blueprints may read with `!Env`. */
  envAllow?: string[];
  /** Bounded concurrency for reads and writes against the server. */
  concurrency?: number;
  /** The loader to use; watch passes a cache so only changed files are re-parsed. */
  loadBlueprint?: (file: SourceFile) => LoadResult;
  /** Validation kept between runs (watch: per blueprint, see incremental.ts); validateBlueprints when absent. */
  validate?: (bps: ParsedBlueprint[], opts: ValidateOptions) => Diagnostic[];
  /** Live lists kept between runs (watch, see incremental.ts); everything is read when absent. */
  snapshot?: SnapshotReuse;
  /** Runs compile elsewhere (the daemon: a worker thread); in this thread when absent. */
  compile?: (bps: ParsedBlueprint[], opts: CompileOptions) => Promise<CompileResult>;
  /** Progress callback for long applies. */
  onProgress?: (done: number, total: number, line: string) => void;
}

interface ReadSourcesResult {
  files: SourceFile[];
  origins: SourceOrigin[];
  diagnostics: Diagnostic[];
  /** Files found in directories with `instantiate: "false"`: targets for metaapplyblueprint only. */
  library?: SourceFile[];
}

/**
 * A file left out of this run: it failed to load, validate or compile, or it needs such a file
 * (metaapplyblueprint, `!Find`). Nothing of it is planned, applied or pruned.
 */
export interface BlockedFile {
  uri: string;
  /** Path inside its source, as authentik names the instance. */
  path: string;
  /** Its own first error, or (for a dependent) the reference to the blocked file it needs. */
  cause: Diagnostic;
  /** For a dependent: uri of the blocked file it needs. */
  by?: string;
}

export interface ReconcileOutcome {
  /** Source revision(s) the run read: git sha or OCI digest, joined when several. */
  revision?: string;
  diagnostics: Diagnostic[];
  plan?: Plan;
  apply?: ApplyResult;
  /** Texts of every file read, for rendering diagnostics with line:col. */
  texts: Map<string, string>;
  compiled?: CompileResult;
  /** akbp's ownership state as this run left it (plan: as read; apply: as written). */
  state?: OwnershipState;
  /** The store's version of `state`, for the compare-and-swap of the apply that follows a plan. */
  stateVersion?: number;
  /** Files this run left out, each with its cause; `ok` is false when there are any. */
  blocked?: BlockedFile[];
  ok: boolean;
}
