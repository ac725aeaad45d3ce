// What akbp knows of one authentik version: every blueprint model, its REST resource and its fields.
// Built by generate.ts from an OpenAPI document (plus facts the OpenAPI does not state) and
// committed as schemas/authentik-<version>/registry.json. Pure: no I/O here.
import type { ModelName } from '../model/types.js';

export type PkType = 'integer' | 'uuid' | 'string';

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'enum' | 'any';

export interface FieldInfo {
  type: FieldType;
  format?: string; // uuid, date-time, email, uri, …
  nullable?: boolean;
  readOnly?: boolean;
  writeOnly?: boolean;
  enum?: (string | number | null)[];
  items?: FieldInfo;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  default?: unknown;
  /** OpenAPI component the field points at (nested object / enum name). */
  ref?: string;
  /** Nested object fields, when the request takes a structured object (e.g. redirect_uris items). */
  properties?: { [name: string]: FieldInfo };
  required?: string[];
  description?: string;
}

/**
 * A foreign key or many-to-many field: which model(s) its pk values point at, and what a delete
 * of the target does to this object.
 */
export interface ReferenceInfo {
  /** Target models; several for a polymorphic family (any stage, any policy, …). */
  targets: ModelName[];
  /** Family name when the target is polymorphic (`stages`, `policies`, `providers`, …). */
  family?: string;
  many: boolean;
  /** On delete of the target: remove this object, null the field, drop the member, or refuse. */
  onDelete: 'CASCADE' | 'SET_NULL' | 'PROTECT' | 'REMOVE_MEMBER';
  /** Deleting THIS object deletes the targets too (an application's backchannel providers). */
  deleteTargetsWithOwner?: boolean;
  /** PolicyBinding.target: accepts any policy-binding model's pk or pbm_uuid. */
  policyBindingTarget?: boolean;
}

export interface ListFilter {
  name: string;
  type: string; // string, integer, number, boolean, array
  format?: string;
  itemsType?: string;
  /** Generic pagination/ordering/search parameter rather than a field filter. */
  generic?: boolean;
  enum?: string[];
}

export interface ModelInfo {
  /** `app_label.modelname`, lower case. */
  model: ModelName;
  appLabel: string;
  modelName: string;
  /**
   * `base`: a polymorphic base model (`authentik_policies.policy`, …). Not a blueprint model, but
   * `!Find` may query it (authentik filters the base model, spanning its subclasses); served by
   * its family's `/…/all/` endpoint, read-only.
   */
  kind: 'model' | 'meta' | 'base';
  verboseName: string;
  /** Collection path below /api/v3, with trailing slash, e.g. `/core/users/`. Null for meta models. */
  apiPath: string | null;
  detailPath: string | null;
  /** Detail path parameter name (`id`, `slug`, `fsb_uuid`, …). */
  lookupParam: string | null;
  /** Response field whose value fills the detail path (`pk`, `slug`, `identifier`, …). */
  lookupField: string | null;
  /** Response field holding the primary key (`pk`, or `tenant_uuid`, `brand_uuid`, …). */
  pkField: string | null;
  pkType: PkType | null;
  operations: { list: boolean; create: boolean; retrieve: boolean; update: boolean; partialUpdate: boolean; destroy: boolean };
  /** Required fields of the create request schema. */
  requiredOnCreate: string[];
  /** Union of request and response fields. Request-only fields are writeOnly, response-only readOnly. */
  fields: { [name: string]: FieldInfo };
  readOnlyFields: string[];
  writeOnlyFields: string[];
  manyToManyFields: string[];
  /** Request fields that take nested read serializers in the schema but must never be sent (`flow_set`). */
  neverSend: string[];
  uniqueFields: string[];
  uniqueTogether: string[][];
  defaultOrdering: string[];
  searchFields: string[];
  listFilters: ListFilter[];
  references: { [field: string]: ReferenceInfo };
  polymorphicFamily: string | null;
  isPolicyBindingModel: boolean;
  /** Read-only response field holding the policy-binding-model uuid when it differs from pk. */
  pbmField: string | null;
  /** Blueprint-only writable fields and how a REST client performs them. */
  blueprintOnlyFields: { [field: string]: BlueprintOnlyField };
  /** Fields whose values are secrets: never print them (write-only ones and echoed secrets). */
  secretFields: string[];
  /** Attrs of a meta model (`identifiers`, `required`, `model_name`). */
  metaAttrs?: { [name: string]: string };
  /** Known renames from other versions: old field name → this version's name. */
  renamedFields?: { [old: string]: string };
}

export interface BlueprintOnlyField {
  /**
   * How the client sets it: a detail action (`set_password`), a plain body field in this version,
   * or the RBAC assign endpoints (user/role `permissions`).
   */
  via: 'set_password' | 'set_key' | 'set_icon_url' | 'set_background_url' | 'body' | 'rbac' | 'unsupported';
  /** With via 'body': the REST field that carries the value (`meta_icon` for an application's `icon`). */
  field?: string;
  secret: boolean;
  type: FieldType;
  note?: string;
}

export interface FamilyInfo {
  name: string;
  path: string;
  detailPath: string;
  lookupParam: string;
  operations: string[];
  listFilters: string[];
  members: ModelName[];
}

export interface Registry {
  /** Registry data format, bumped on incompatible change. */
  formatVersion: 1;
  /** Exact authentik version of the OpenAPI document, e.g. `2023.6.1`. */
  authentikVersion: string;
  /** Short version used on the command line: `2023.6`. */
  version: string;
  models: { [model: string]: ModelInfo };
  families: { [name: string]: FamilyInfo };
  /** Blueprint tags this version's importer knows. */
  tags: string[];
  /** Entry states this version accepts. */
  states: string[];
  /** Whether entry-level `permissions` exist. */
  entryPermissions: boolean;
  /** Whether `!Context` accepts dotted paths. */
  dottedContext: boolean;
  /** Whether an `absent` entry records its object, so a later `!KeyOf` to it resolves (to null: the object is deleted by then). */
  keyOfAbsent: boolean;
  /** Whether `entries` may be a mapping of sections. */
  sectionedEntries: boolean;
  /** Largest page size the server accepts, null when uncapped. */
  maxPageSize: number | null;
}

/** Model lookup as authentik does it: app label exact, model name case-insensitive. */
export function findModel(reg: Registry, name: string): ModelInfo | undefined {
  // Hot path: observe and plan look models up per object; canonical names hit directly.
  const direct = reg.models[name];
  if (direct) return direct;
  const dot = name.indexOf('.');
  if (dot < 0 || name.indexOf('.', dot + 1) >= 0) return undefined;
  const key = `${name.slice(0, dot)}.${name.slice(dot + 1).toLowerCase()}`;
  return reg.models[key];
}

/**
 * A model name written in akbp's own source. The type admits only lower-case `app_label.model`
 * literals, the registry's spelling, so such a constant needs no look-up.
 */
export function modelLiteral<const S extends `${Lowercase<string>}.${Lowercase<string>}`>(name: S): ModelName {
  return name as string as ModelName;
}

/**
 * The one canonical spelling of a model name, for names that may come from outside the registry
 * (ownership records, saved plans, server answers): the registry's name when it knows the model,
 * else the name lower-cased, so an unknown model still compares equal to itself across stages.
 */
export function canonicalModel(reg: Registry, name: string): ModelName {
  return findModel(reg, name)?.model ?? (name.toLowerCase() as ModelName);
}

/** A model an entry may declare (not a meta model's action, not a `!Find`-only base model). */
export function isBlueprintModel(info: ModelInfo): boolean {
  return info.kind !== 'base';
}

/** The query of a `!Find` on `query` sees objects of `model` (itself, or a member of its base's family). */
export function findCovers(reg: Registry, query: string, model: string): boolean {
  const q = findModel(reg, query);
  const m = findModel(reg, model);
  if (!q || !m) return false;
  if (q.model === m.model) return true;
  return q.kind === 'base' && q.polymorphicFamily !== null && q.polymorphicFamily === m.polymorphicFamily;
}
