// Types that cross a stage boundary. Types only: no behaviour lives here.
// See ../../DESIGN.md (shared) and src/README.md for who produces and who consumes each.

/**
 * `app_label.modelname` as the registry of one authentik version spells it (model name lower
 * case, aliases resolved). Only `src/authentik/registry.ts` makes one, at the boundary where a
 * name written by a person or a server enters, so later stages compare names without
 * re-canonicalising them.
 */
export type ModelName = string & { readonly __brand: 'ModelName' };

/** Plain JSON as it travels to and from authentik. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// ---------------------------------------------------------------------------------------------
// Sources

type SourceKind = 'file' | 'git' | 'oci';

export interface SourceOrigin {
  kind: SourceKind;
  /** What the user named, with credentials removed: `examples/`, `git::https://…//dir?ref=main`, `oci://h:5000/r:t`. */
  uri: string;
  /** Tag, branch or other symbolic reference asked for. */
  ref?: string;
  /** Exact revision read: git commit sha or OCI manifest digest. */
  revision?: string;
  /** Content digest of what was read (sha256:…), for files of any kind. */
  digest?: string;
  /**
   * Local directory that holds the files of this source (for `!File` confinement and for
   * `metaapplyblueprint` path resolution). Absent for sources that are not on local disk.
   */
  root?: string;
  /** True when the blueprint came from the local disk the user controls (affects `!Env`). */
  local: boolean;
}

/** One blueprint file as read by a source adapter; load decodes it (UTF-8 checked there). */
export interface SourceFile {
  /** Stable display name used in diagnostics, e.g. `examples/flows.yaml` or `oci://…/file.yaml`. */
  uri: string;
  /** Path relative to the source root (forward slashes), as authentik's instance `path` would be. */
  path: string;
  bytes: Uint8Array;
  origin: SourceOrigin;
}

// ---------------------------------------------------------------------------------------------
// Locations and diagnostics

/**
 * Offsets are indices into the decoded text of `uri` (UTF-16 code units, as the `yaml` package
 * reports them); line:col and code frames are computed only when printing (src/diag).
 */
export interface SourceRange {
  uri: string;
  start: number;
  end: number;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable code from the catalogue in src/diag/codes.ts, e.g. `AKB1003`. */
  code: string;
  severity: Severity;
  /** One line, says what is wrong. Never contains a secret value. */
  summary: string;
  /** What was expected / how to fix it. */
  detail?: string;
  subject?: SourceRange;
  /**
   * Other places that explain this one (terraform's Subject/Context): the first definition of a
   * duplicate id, the entry a `!KeyOf` cannot use, the other side of a conflict. Rendered with
   * their own file:line:col instead of "line N" in the summary.
   */
  related?: RelatedLocation[];
  /** Key of the compiled entry this is about, when there is one. */
  entry?: string;
}

export interface RelatedLocation {
  range: SourceRange;
  /** What this place is to the diagnostic, e.g. "first defined here". */
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Loaded blueprints (src/load)

export type TagName =
  | 'KeyOf'
  | 'Env'
  | 'File'
  | 'Context'
  | 'Format'
  | 'Find'
  | 'FindObject'
  | 'Condition'
  | 'If'
  | 'Enumerate'
  | 'Index'
  | 'Value'
  | 'AtIndex'
  | 'ParseJSON';

interface TagBase {
  /** Discriminator; a YAML mapping never produces a `$tag` key of this shape by accident. */
  $tag: TagName;
  range: SourceRange;
  /** JSON pointer of this node inside its blueprint document (see ParsedBlueprint.pointers). */
  pointer: string;
}

export interface KeyOfTag extends TagBase {
  $tag: 'KeyOf';
  id: string;
}
export interface EnvTag extends TagBase {
  $tag: 'Env';
  name: Value;
  default: Value;
}
export interface FileTag extends TagBase {
  $tag: 'File';
  path: Value;
  default: Value;
}
export interface ContextTag extends TagBase {
  $tag: 'Context';
  key: Value;
  default: Value;
}
export interface FormatTag extends TagBase {
  $tag: 'Format';
  format: Value;
  args: Value[];
}
export interface FindTag extends TagBase {
  $tag: 'Find' | 'FindObject';
  model: Value;
  query: [Value, Value][];
}
export interface ConditionTag extends TagBase {
  $tag: 'Condition';
  mode: Value;
  args: Value[];
}
/** `then`/`else` absent = the one-argument form (≥2023.8), which yields a boolean. */
export interface IfTag extends TagBase {
  $tag: 'If';
  condition: Value;
  then?: Value;
  else?: Value;
}
export interface EnumerateTag extends TagBase {
  $tag: 'Enumerate';
  iterable: Value;
  output: Value;
  body: Value;
}
export interface IndexTag extends TagBase {
  $tag: 'Index' | 'Value';
  depth: number;
}
export interface AtIndexTag extends TagBase {
  $tag: 'AtIndex';
  obj: Value;
  key: Value;
  hasDefault: boolean;
  default: Value;
}
interface ParseJSONTag extends TagBase {
  $tag: 'ParseJSON';
  text: string;
}

export type TagNode =
  | KeyOfTag
  | EnvTag
  | FileTag
  | ContextTag
  | FormatTag
  | FindTag
  | ConditionTag
  | IfTag
  | EnumerateTag
  | IndexTag
  | AtIndexTag
  | ParseJSONTag;

/** A loaded YAML value: plain JSON or an authentik tag, at any depth. */
export type Value = null | boolean | number | string | TagNode | Value[] | { [key: string]: Value };

export interface ParsedEntry {
  /** Index in document order across sections (0-based). */
  index: number;
  /** JSON pointer of the entry, e.g. `/entries/3` or `/entries/users/0` for sectioned entries. */
  pointer: string;
  model: Value;
  state: Value;
  id?: string;
  identifiers: { [key: string]: Value };
  attrs: { [key: string]: Value };
  conditions: Value[];
  permissions: Value[];
  range: SourceRange;
}

export interface ParsedBlueprint {
  uri: string;
  /** Decoded text; kept so diagnostics can print code frames. */
  text: string;
  origin: SourceOrigin;
  path: string;
  version: number;
  name?: string;
  labels: { [key: string]: string };
  context: { [key: string]: Value };
  entries: ParsedEntry[];
  /** JSON pointer → source range, for every node (mapping keys under `<pointer>#key`). */
  pointers: ReadonlyMap<string, SourceRange>;
  /** SHA-256 hex of the raw bytes. */
  sha256: string;
}

export interface LoadResult {
  blueprint?: ParsedBlueprint;
  diagnostics: Diagnostic[];
}

// ---------------------------------------------------------------------------------------------
// Compiled entries (src/compile)

export type EntryState = 'present' | 'created' | 'must_created' | 'absent';

/** A `!Find` / `!FindObject` query with its parts resolved as far as compile could. */
export interface FindQuery {
  model: string;
  query: [string, DesiredValue][];
}

/**
 * A value compile could not compute because it needs the server or the result of an earlier
 * write. Residual forms keep local tags whose inputs are deferred (`!Format` over `!KeyOf`, …);
 * `resolveDeferred` in src/compile evaluates them once the references are known.
 */
export type Deferred =
  | { $keyOf: string; pbm?: boolean }
  | { $find: FindQuery }
  | { $findObject: FindQuery }
  | { $format: { format: string; args: DesiredValue[] } }
  | { $atIndex: { obj: DesiredValue; key: DesiredValue; hasDefault: boolean; default: DesiredValue } }
  | { $condition: { mode: string; args: DesiredValue[] } }
  | { $if: { condition: DesiredValue; then: DesiredValue; else: DesiredValue; short: boolean } };

export type DesiredValue = Json | Deferred | DesiredValue[] | { [key: string]: DesiredValue };

export interface EntryOrigin {
  uri: string;
  range: SourceRange;
  /** attr / identifier name → range of its value, so server field errors map to a YAML line. */
  fields: { [field: string]: SourceRange };
}

export interface CompiledEntry {
  /** Unique across one compilation: `<uri>#<id>` when the entry has an id, else `<uri>#<index>`. */
  key: string;
  /** The blueprint-local `id`, if any. */
  id?: string;
  model: ModelName;
  state: EntryState;
  identifiers: { [key: string]: DesiredValue };
  /**
   * attrs with identifiers merged in as authentik merges them, minus every field of `secrets`:
   * secret-free by construction, so any stage or renderer may print it.
   */
  attrs: { [key: string]: DesiredValue };
  /**
   * Every secret, write-only and blueprint-only field, classified here once (from the registry):
   * `bind_password`, `client_secret`, user `password`, token `key`, but also an application's
   * `icon` or a flow's `background`, which go through their own calls. `secret` marks the values
   * no output may print.
   */
  secrets: { [field: string]: { value: DesiredValue; secret: boolean } };
  /** Entry conditions that compile could not decide (they depend on `!Find`). All must be truthy. */
  conditions: DesiredValue[];
  /** Entry-level object permissions (2024.8+), granted on this entry's object after it is written. */
  permissions?: EntryPermission[];
  /** Keys of entries this one needs first. */
  dependsOn: string[];
  /** 0 for entries with no dependencies; else 1 + max wave of dependencies. */
  wave: number;
  /** Position in the total deterministic order. */
  order: number;
  origin: EntryOrigin;
  /** Source this entry came from. */
  source: SourceOrigin;
}

/** One item of an entry's `permissions`: a permission granted on the entry's object to a user or role. */
export interface EntryPermission {
  /** `app_label.codename` or a bare codename of the object's app. */
  permission: DesiredValue;
  /** User pk. */
  user?: DesiredValue;
  /** Role pk (uuid). */
  role?: DesiredValue;
  range: SourceRange;
}

export interface DroppedEntry {
  key: string;
  model: string;
  reason: string;
  origin: EntryOrigin;
}

export interface CompileResult {
  entries: CompiledEntry[];
  dropped: DroppedEntry[];
  diagnostics: Diagnostic[];
}

// ---------------------------------------------------------------------------------------------
// Live state (src/observe, src/server)

export interface LiveObject {
  model: ModelName;
  pk: string | number;
  body: JsonObject;
}

export interface LiveSnapshot {
  observedAt: string;
  /** Entry key → the live object it matches, or null when none. */
  byKey: Map<string, LiveObject | null>;
  /** Canonical query string → matched pk (null when nothing matched). */
  finds: Map<string, Json>;
  /** model → every live object read for it (the indexes plan uses for prune). */
  objects: Map<ModelName, readonly LiveObject[]>;
  /** Requests made to build this snapshot. */
  requests: number;
  /** Entry key → the model whose failed read leaves it undecidable; observe reported the failure once. */
  blocked?: Map<string, string>;
  /** Permissions the roles entries grant to hold now (2024.8+ RBAC), when any entry grants some. */
  rbac?: RbacSnapshot;
}

/** What the server grants the roles (and users' managed roles) a plan's entries name. */
export interface RbacSnapshot {
  /** Role pk → its global permissions, `app_label.codename`. */
  global: Map<string, string[]>;
  /** Role pk → its object permissions, `app_label.codename app_label.model object_pk`. */
  object: Map<string, string[]>;
  /** User pk → pk of the role authentik keeps for that user's own permissions, null when it has none. */
  managedRoles: Map<string, string | null>;
}

// ---------------------------------------------------------------------------------------------
// Plans (src/plan) and apply results (src/apply)

type ChangeAction = 'create' | 'update' | 'delete' | 'noop' | 'conflict';

export interface FieldChange {
  /** JSON pointer into the object body, e.g. `/name` or `/attributes/foo`. */
  path: string;
  op: 'add' | 'replace' | 'remove';
  before?: Json;
  /** May still hold a Deferred ("known after apply"). */
  after?: DesiredValue;
  /** Value must never be printed: shown as "(sensitive)". */
  sensitive?: boolean;
  /** For sensitive fields: keyed digest of the value (HMAC), so a saved plan can be checked without the secret. */
  digest?: string;
}

export interface Change {
  key: string;
  model: ModelName;
  action: ChangeAction;
  /** For people; apply decides from action, patch and the object it re-reads. */
  reason: string;
  identifiers: { [key: string]: DesiredValue };
  pk?: string | number;
  patch: FieldChange[];
  /** Live body the plan saw (secret fields removed), for staleness checks and rollback. */
  before?: JsonObject;
  /** Body apply will send (create) or the fields it will patch (update); secrets excluded. */
  after?: { [key: string]: DesiredValue };
  order: number;
  wave: number;
  origin?: { uri: string; line: number; range?: SourceRange };
  dependsOn: string[];
  /** Key of the earlier change of this run that creates this entry's object (another instance declares it too). */
  sameObjectAs?: string;
}

export interface Plan {
  /** 2 since sources became a list (`source.uris`); apply refuses other versions. */
  formatVersion: 2;
  createdAt: string;
  /** The sources exactly as the user named them (one item per argument, spaces and all). */
  source: { uris: string[]; revision?: string; digest: string };
  /** Plan options that change which changes exist; apply of a saved plan recomputes with them. */
  options?: { prune: boolean; maxDeletes: number; passwordPolicy: 'on-create' | 'on-change' | 'always'; adopt?: boolean; pruneAdopted?: boolean };
  server: { url: string; version: string };
  changes: Change[];
  /** With `--adopt`: live objects an entry matches that the ownership state does not record yet. */
  adoptions?: Adoption[];
  diagnostics: Diagnostic[];
  /** False when any error diagnostic or conflict exists. */
  applyable: boolean;
  summary: { create: number; update: number; delete: number; noop: number; conflict: number };
}

/** A live object `apply --adopt` records as adopted by its entry. */
export interface Adoption {
  key: string;
  model: string;
  pk: string | number;
  /** Readable identity, e.g. `flow slug="x"`. */
  identity: string;
}

type ChangeStatus = 'applied' | 'unchanged' | 'failed' | 'not-attempted' | 'rolled-back' | 'rollback-failed';

export interface ChangeResult {
  key: string;
  model: string;
  action: ChangeAction;
  status: ChangeStatus;
  pk?: string | number;
  diagnostics: Diagnostic[];
}

export interface ApplyResult {
  phase: 'succeeded' | 'partial' | 'failed' | 'rolled-back';
  results: ChangeResult[];
  /** With `--adopt`: how many of the plan's adoptions the ownership state now records. */
  adopted?: number;
  diagnostics: Diagnostic[];
  /** Write requests made (POST/PATCH/PUT/DELETE). */
  writes: number;
}

// ---------------------------------------------------------------------------------------------
// akbp's ownership record (src/state reads and writes it; observe, plan and apply use it)

export interface OwnedObject {
  model: string;
  pk: string | number;
  identifiers: JsonObject;
  /** True when the object existed before akbp first applied its entry: never pruned. */
  adopted: boolean;
}

export interface SecretRecord {
  /** Salted, keyed scrypt digest (`s1$…`) of the value akbp last set; format 1 kept a bare HMAC. */
  digest: string;
  setAt: string;
  /** The server's own change date (`password_change_date`) right after akbp set it, when exposed. */
  serverChangeDate?: string;
}

/** A create apply announced before sending it: if the run dies before recording the answer, the object found later is still akbp's. */
export interface PendingCreate {
  model: string;
  at: string;
}

export interface OwnershipState {
  formatVersion: 2;
  objects: { [entryKey: string]: OwnedObject };
  secrets: { [entryKey: string]: { [field: string]: SecretRecord } };
  /** Creates announced by an apply that has not recorded their outcome yet (write-ahead). */
  pending?: { [entryKey: string]: PendingCreate };
  /** Per source (credentials removed): the revision `akbp serve --apply` last applied, so a restarted daemon knows it. */
  applied?: { [source: string]: AppliedRevision };
}

export interface AppliedRevision {
  revision: string;
  /** ISO time of the apply. */
  at: string;
}
