// Builds a Registry from an authentik OpenAPI document. The document says what each endpoint
// takes and returns; what it does not say (which model lives at which path, uniqueness, delete
// cascades, blueprint-only fields) comes from "facts": for the bundled versions the research
// model map in ../shared, for a live server's schema the nearest bundled registry. Pure.
import type { ModelName } from '../model/types.js';
import type { BlueprintOnlyField, FamilyInfo, FieldInfo, ListFilter, ModelInfo, PkType, ReferenceInfo, Registry } from './registry.js';
import { type OpenApiDoc, type OpenApiOperation, type OpenApiSchema, deref, requestSchemaName, responseSchema, schemaByName, toField } from './openapi.js';

export interface ModelFacts {
  model: string;
  kind: 'model' | 'meta';
  verboseName: string;
  apiPath: string | null;
  pkField: string | null;
  lookupField: string | null;
  uniqueFields: string[];
  uniqueTogether: string[][];
  defaultOrdering: string[];
  searchFields: string[];
  polymorphicFamily: string | null;
  isPolicyBindingModel: boolean;
  pbmField: string | null;
  blueprintOnlyFields: { [field: string]: BlueprintOnlyField };
  metaAttrs?: { [name: string]: string };
}

export interface RegistryFacts {
  models: { [model: string]: ModelFacts };
  families: { [name: string]: { path: string; members: string[] } };
}

/** Behaviour of the blueprint importer that depends on the version, not on the API. */
type ImporterFeatures = Pick<Registry, 'tags' | 'states' | 'entryPermissions' | 'dottedContext' | 'keyOfAbsent' | 'sectionedEntries' | 'maxPageSize'>;

const BASE_TAGS = ['KeyOf', 'Find', 'Context', 'Env', 'Format', 'If', 'Condition', 'Enumerate', 'Index', 'Value'];

/** Importer features by release (BLUEPRINT-SEMANTICS.md §12 timeline). */
function importerFeatures(version: string): ImporterFeatures {
  const [y = 0, m = 0] = version.split('.').map((p) => Number.parseInt(p, 10));
  const at = (yy: number, mm: number) => y > yy || (y === yy && m >= mm);
  const tags = [...BASE_TAGS];
  if (at(2024, 8)) tags.push('AtIndex', 'ParseJSON');
  if (at(2025, 2)) tags.push('FindObject');
  if (at(2025, 8)) tags.push('File');
  return {
    tags,
    states: at(2023, 10) ? ['present', 'created', 'must_created', 'absent'] : ['present', 'created', 'absent'],
    entryPermissions: at(2024, 8),
    dottedContext: at(2026, 5),
    // test_v1_state.test_state_absent_with_key_of; the release that added it is unverified.
    keyOfAbsent: at(2026, 5),
    sectionedEntries: at(2025, 8),
    // 2023.6 has no cap; newer releases read pagination.max_page_size from config (value unverified).
    maxPageSize: at(2024, 1) ? 1000 : null,
  };
}

const GENERIC_PARAMS = new Set(['ordering', 'page', 'page_size', 'search']);

function op(doc: OpenApiDoc, path: string, method: string): OpenApiOperation | undefined {
  return doc.paths[path]?.[method] as OpenApiOperation | undefined;
}

function detailPathOf(doc: OpenApiDoc, apiPath: string): { path: string; param: string } | undefined {
  for (const p of Object.keys(doc.paths)) {
    if (!p.startsWith(apiPath)) continue;
    const rest = p.slice(apiPath.length);
    const m = /^\{([^}/]+)\}\/$/.exec(rest);
    if (m) return { path: p, param: m[1]! };
  }
  return undefined;
}

function listFilters(operation: OpenApiOperation | undefined): ListFilter[] {
  const out: ListFilter[] = [];
  for (const p of operation?.parameters ?? []) {
    if (p.in !== 'query') continue;
    const s = p.schema ?? {};
    const f: ListFilter = { name: p.name, type: typeof s.type === 'string' ? s.type : 'string' };
    if (typeof s.format === 'string') f.format = s.format;
    if (Array.isArray(s.enum)) f.enum = s.enum as string[];
    if (f.type === 'array') {
      const items = s.items as OpenApiSchema | undefined;
      if (items && typeof items.type === 'string') f.itemsType = items.type;
      if (items && typeof items.format === 'string') f.format = items.format;
    }
    if (GENERIC_PARAMS.has(p.name)) f.generic = true;
    out.push(f);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function itemSchemaOfList(doc: OpenApiDoc, listOp: OpenApiOperation | undefined): OpenApiSchema | undefined {
  const paginated = deref(doc, responseSchema(listOp));
  const results = (paginated?.properties as { [k: string]: OpenApiSchema } | undefined)?.results;
  if (results) return deref(doc, results.items as OpenApiSchema);
  if (paginated?.type === 'array') return deref(doc, paginated.items as OpenApiSchema);
  return paginated;
}

const KEYPAIR = 'authentik_crypto.certificatekeypair';

/**
 * Which model(s) a pk-valued field points at. The OpenAPI types these fields as bare uuid/int,
 * so the target comes from the read-only `<field>_obj` expansion when there is one, else from
 * authentik's naming conventions.
 */
function referenceTarget(
  model: string,
  field: string,
  responseProps: { [k: string]: OpenApiSchema },
  schemaOwners: Map<string, { models: string[]; family?: string }>,
  doc: OpenApiDoc,
  modelNames: Set<string>,
): { targets: string[]; family?: string; policyBindingTarget?: boolean } | undefined {
  const objRaw = responseProps[`${field}_obj`];
  if (objRaw) {
    const s = objRaw.type === 'array' ? (objRaw.items as OpenApiSchema) : objRaw;
    const name = s && deref(doc, s) && (s.$ref || s.allOf) ? refNameSafe(s) : undefined;
    const owner = name ? schemaOwners.get(name) : undefined;
    if (owner) return { targets: owner.models, ...(owner.family ? { family: owner.family } : {}) };
  }
  const has = (m: string) => modelNames.has(m);
  const fam = (name: string) => {
    for (const o of schemaOwners.values()) if (o.family === name) return { targets: o.models, family: name };
    return undefined;
  };
  if (model === 'authentik_policies.policybinding' && field === 'target') return { targets: [], policyBindingTarget: true };
  if (model === 'authentik_flows.flowstagebinding' && field === 'target') return { targets: ['authentik_flows.flow'] };
  if (field === 'flow' || field.endsWith('_flow') || field.startsWith('flow_')) return { targets: ['authentik_flows.flow'] };
  if (field === 'stage' || field.endsWith('_stage') || field === 'configuration_stages' || field === 'stages') return fam('stages');
  if (field === 'policy' || field === 'validation_policies' || field === 'policies') return fam('policies');
  if (field === 'provider' || field === 'providers' || field === 'backchannel_providers') return fam('providers');
  if (field === 'source' || field === 'sources') return fam('sources');
  if (field.startsWith('property_mappings') || field === 'webhook_mapping' || field.endsWith('_mapping')) {
    if (field === 'webhook_mapping' && has('authentik_events.notificationwebhookmapping')) return { targets: ['authentik_events.notificationwebhookmapping'] };
    return fam('propertymappings');
  }
  if (['group', 'groups', 'parent', 'parents'].includes(field) && has('authentik_core.group')) return { targets: ['authentik_core.group'] };
  if (['user', 'users'].includes(field) && has('authentik_core.user')) return { targets: ['authentik_core.user'] };
  if (['roles', 'role'].includes(field) && has('authentik_rbac.role')) return { targets: ['authentik_rbac.role'] };
  if (field === 'transports' && has('authentik_events.notificationtransport')) return { targets: ['authentik_events.notificationtransport'] };
  if (field === 'fields' && model.startsWith('authentik_stages_prompt') && has('authentik_stages_prompt.prompt'))
    return { targets: ['authentik_stages_prompt.prompt'] };
  if (field === 'jwks_sources' && has('authentik_sources_oauth.oauthsource')) return { targets: ['authentik_sources_oauth.oauthsource'] };
  if (field === 'application' && has('authentik_core.application')) return { targets: ['authentik_core.application'] };
  if (field === 'service_connection') return fam('outpost_service_connections');
  if (/(^|_)(kp|certificate|keypair)$/.test(field) || field.startsWith('tls_') || field.endsWith('_kp')) {
    if (has(KEYPAIR)) return { targets: [KEYPAIR] };
  }
  return undefined;
}

function refNameSafe(s: OpenApiSchema): string | undefined {
  const r = s.$ref;
  if (typeof r === 'string') return r.slice(r.lastIndexOf('/') + 1);
  const all = s.allOf;
  if (Array.isArray(all) && all.length === 1) return refNameSafe(all[0] as OpenApiSchema);
  return undefined;
}

/** Delete behaviour authentik's models declare for references whose target is deleted (API-NOTES §6). */
function onDeleteFor(model: string, field: string, f: FieldInfo, many: boolean): ReferenceInfo['onDelete'] {
  if (many) return 'REMOVE_MEMBER';
  if (model.startsWith('authentik_providers_') && field === 'authorization_flow') return 'CASCADE';
  // A binding without its policy/group/user means nothing: authentik deletes it with the subject.
  if (model === 'authentik_policies.policybinding' && ['policy', 'group', 'user'].includes(field)) return 'CASCADE';
  if (f.nullable) return 'SET_NULL';
  return 'CASCADE';
}

function pkTypeOf(f: FieldInfo | undefined): PkType {
  if (!f) return 'string';
  if (f.type === 'integer') return 'integer';
  if (f.format === 'uuid') return 'uuid';
  return 'string';
}

/** Fields that look like values of a secret even when the API echoes them. */
const ECHOED_SECRETS = new Set(['client_secret', 'plex_token', 'token', 'secret', 'private_key', 'key_data']);

export function generateRegistry(doc: OpenApiDoc, facts: RegistryFacts): Registry {
  const authentikVersion = String(doc.info?.version ?? 'unknown');
  const version = authentikVersion.split('.').slice(0, 2).join('.');
  const features = importerFeatures(version);
  const modelNames = new Set(Object.keys(facts.models));

  // Which response schema belongs to which model or family, for `<field>_obj` references.
  const schemaOwners = new Map<string, { models: string[]; family?: string }>();
  const families: { [name: string]: FamilyInfo } = {};
  for (const [name, fam] of Object.entries(facts.families)) {
    const list = op(doc, fam.path, 'get');
    const item = itemSchemaOfList(doc, list);
    const detail = detailPathOf(doc, fam.path);
    const ops = ['get', 'put', 'patch', 'delete'].filter((m) => detail && op(doc, detail.path, m));
    if (list) ops.push('list');
    families[name] = {
      name,
      path: fam.path,
      detailPath: detail?.path ?? `${fam.path}{id}/`,
      lookupParam: detail?.param ?? 'id',
      operations: ops.sort(),
      listFilters: listFilters(list).map((f) => f.name),
      members: fam.members.filter((m) => modelNames.has(m)).sort() as ModelName[],
    };
    const itemName = list
      ? refNameSafe(((deref(doc, responseSchema(list))?.properties as { [k: string]: OpenApiSchema } | undefined)?.results?.items as OpenApiSchema) ?? {})
      : undefined;
    if (itemName) schemaOwners.set(itemName, { models: families[name]!.members, family: name });
    void item;
  }
  for (const f of Object.values(facts.models)) {
    if (!f.apiPath) continue;
    const item = refNameSafe(
      ((deref(doc, responseSchema(op(doc, f.apiPath, 'get')))?.properties as { [k: string]: OpenApiSchema } | undefined)?.results?.items as OpenApiSchema) ??
        {},
    );
    if (item && !schemaOwners.has(item)) schemaOwners.set(item, { models: [f.model] });
  }

  const models: { [model: string]: ModelInfo } = {};
  for (const model of Object.keys(facts.models).sort()) {
    const mf = facts.models[model]!;
    const [appLabel = '', modelName = ''] = model.split('.');
    const base: ModelInfo = {
      model: model as ModelName,
      appLabel,
      modelName,
      kind: mf.kind,
      verboseName: mf.verboseName,
      apiPath: null,
      detailPath: null,
      lookupParam: null,
      lookupField: null,
      pkField: null,
      pkType: null,
      operations: { list: false, create: false, retrieve: false, update: false, partialUpdate: false, destroy: false },
      requiredOnCreate: [],
      fields: {},
      readOnlyFields: [],
      writeOnlyFields: [],
      manyToManyFields: [],
      neverSend: [],
      uniqueFields: mf.uniqueFields,
      uniqueTogether: mf.uniqueTogether,
      defaultOrdering: mf.defaultOrdering,
      searchFields: mf.searchFields,
      listFilters: [],
      references: {},
      polymorphicFamily: mf.polymorphicFamily,
      isPolicyBindingModel: mf.isPolicyBindingModel,
      pbmField: mf.pbmField,
      blueprintOnlyFields: mf.blueprintOnlyFields,
      secretFields: [],
      ...(mf.metaAttrs ? { metaAttrs: mf.metaAttrs } : {}),
    };
    models[model] = base;
    if (mf.kind === 'meta' || !mf.apiPath || !doc.paths[mf.apiPath]) {
      base.secretFields = Object.entries(mf.blueprintOnlyFields)
        .filter(([, b]) => b.secret)
        .map(([k]) => k)
        .sort();
      continue;
    }
    const listOp = op(doc, mf.apiPath, 'get');
    const createOp = op(doc, mf.apiPath, 'post');
    const detail = detailPathOf(doc, mf.apiPath);
    base.apiPath = mf.apiPath;
    base.detailPath = detail?.path ?? null;
    base.lookupParam = detail?.param ?? null;
    base.operations = {
      list: Boolean(listOp),
      create: Boolean(createOp),
      retrieve: Boolean(detail && op(doc, detail.path, 'get')),
      update: Boolean(detail && op(doc, detail.path, 'put')),
      partialUpdate: Boolean(detail && op(doc, detail.path, 'patch')),
      destroy: Boolean(detail && op(doc, detail.path, 'delete')),
    };
    base.listFilters = listFilters(listOp);

    const resp = itemSchemaOfList(doc, listOp) ?? deref(doc, responseSchema(detail ? op(doc, detail.path, 'get') : undefined));
    const reqName = requestSchemaName(createOp) ?? requestSchemaName(detail ? op(doc, detail.path, 'put') : undefined);
    const req = reqName ? schemaByName(doc, reqName) : undefined;
    const respProps = (resp?.properties ?? {}) as { [k: string]: OpenApiSchema };
    const reqProps = (req?.properties ?? {}) as { [k: string]: OpenApiSchema };
    const fields: { [name: string]: FieldInfo } = {};
    for (const [name, raw] of Object.entries(respProps)) {
      const f = toField(doc, raw);
      if (!(name in reqProps)) f.readOnly = true;
      fields[name] = f;
    }
    for (const [name, raw] of Object.entries(reqProps)) {
      const f = toField(doc, raw);
      delete f.readOnly;
      if (!(name in respProps) || raw.writeOnly === true) f.writeOnly = true;
      fields[name] = { ...fields[name], ...f };
      if (fields[name]!.readOnly && !(raw.readOnly === true)) delete fields[name]!.readOnly;
    }
    base.fields = fields;
    base.requiredOnCreate = Array.isArray(req?.required) ? [...(req!.required as string[])].sort() : [];
    base.readOnlyFields = Object.keys(fields)
      .filter((k) => fields[k]!.readOnly)
      .sort();
    base.writeOnlyFields = Object.keys(fields)
      .filter((k) => fields[k]!.writeOnly)
      .sort();
    // Nested read serializers that drf-spectacular lists in request schemas (`flow_set`): never send.
    base.neverSend = Object.keys(reqProps)
      .filter((k) => k.endsWith('_set') && fields[k]!.type === 'array' && fields[k]!.items?.type === 'object')
      .sort();
    base.manyToManyFields = Object.keys(reqProps)
      .filter((k) => {
        const f = fields[k]!;
        return f.type === 'array' && !!f.items && (f.items.type === 'integer' || f.items.format === 'uuid') && !base.neverSend.includes(k);
      })
      .sort();
    const pkField = mf.pkField ?? ('pk' in fields ? 'pk' : null);
    base.pkField = pkField;
    base.pkType = pkTypeOf(pkField ? fields[pkField] : undefined);
    base.lookupField = mf.lookupField ?? (base.lookupParam === 'slug' ? 'slug' : base.lookupParam === 'identifier' ? 'identifier' : pkField);

    for (const name of Object.keys(reqProps).sort()) {
      const f = fields[name]!;
      const many = f.type === 'array';
      const scalar = many ? f.items : f;
      if (!scalar || !(scalar.type === 'integer' || scalar.format === 'uuid' || (scalar.type === 'string' && name === 'target'))) continue;
      const t = referenceTarget(model, name, respProps, schemaOwners, doc, modelNames);
      if (!t) continue;
      const ref: ReferenceInfo = { targets: [...t.targets].sort() as ModelName[], many, onDelete: onDeleteFor(model, name, f, many) };
      if (t.family) ref.family = t.family;
      if (t.policyBindingTarget) ref.policyBindingTarget = true;
      // An application owns its backchannel providers: deleting it deletes them (API-NOTES §6).
      if (model === 'authentik_core.application' && name === 'backchannel_providers') ref.deleteTargetsWithOwner = true;
      base.references[name] = ref;
    }
    const secrets = new Set<string>(base.writeOnlyFields.filter((k) => /pass|secret|key|token|keytab|certificate_data/.test(k)));
    for (const k of Object.keys(fields)) if (ECHOED_SECRETS.has(k) && fields[k]!.type === 'string') secrets.add(k);
    for (const [k, b] of Object.entries(mf.blueprintOnlyFields)) if (b.secret) secrets.add(k);
    base.secretFields = [...secrets].sort();
  }

  for (const [model, famName] of Object.entries(BASE_MODELS)) {
    const fam = families[famName];
    if (!fam || models[model]) continue;
    models[model] = baseModel(doc, model, fam);
  }

  return {
    formatVersion: 1,
    authentikVersion,
    version,
    models,
    families,
    tags: features.tags,
    states: features.states,
    entryPermissions: features.entryPermissions,
    dottedContext: features.dottedContext,
    keyOfAbsent: features.keyOfAbsent,
    sectionedEntries: features.sectionedEntries,
    maxPageSize: features.maxPageSize,
  };
}

/**
 * authentik's polymorphic base models and the family endpoint that lists all their subclasses.
 * Entries cannot declare them, but `!Find` runs `apps.get_model(...).objects.filter(...)` on any
 * model, and shipped blueprints query these (`[authentik_core.source, [slug, …]]`).
 */
const BASE_MODELS: { [model: string]: string } = {
  'authentik_policies.policy': 'policies',
  'authentik_core.provider': 'providers',
  'authentik_core.source': 'sources',
  'authentik_flows.stage': 'stages',
  'authentik_outposts.outpostserviceconnection': 'outpost_service_connections',
  'authentik_core.propertymapping': 'propertymappings',
  'authentik_core.usersourceconnection': 'user_source_connections',
  'authentik_core.groupsourceconnection': 'group_source_connections',
};

/** A base model as its family's list endpoint shows it: read-only fields of the base serializer. */
function baseModel(doc: OpenApiDoc, model: string, fam: FamilyInfo): ModelInfo {
  const [appLabel = '', modelName = ''] = model.split('.');
  const listOp = op(doc, fam.path, 'get');
  const item = itemSchemaOfList(doc, listOp);
  const fields: { [name: string]: FieldInfo } = {};
  for (const [name, raw] of Object.entries((item?.properties ?? {}) as { [k: string]: OpenApiSchema })) fields[name] = { ...toField(doc, raw), readOnly: true };
  const pkField = 'pk' in fields ? 'pk' : null;
  return {
    model: model as ModelName,
    appLabel,
    modelName,
    kind: 'base',
    verboseName: modelName,
    apiPath: fam.path,
    detailPath: fam.detailPath,
    lookupParam: fam.lookupParam,
    lookupField: fam.lookupParam === 'slug' ? 'slug' : pkField,
    pkField,
    pkType: pkTypeOf(pkField ? fields[pkField] : undefined),
    operations: { list: Boolean(listOp), create: false, retrieve: fam.operations.includes('get'), update: false, partialUpdate: false, destroy: false },
    requiredOnCreate: [],
    fields,
    readOnlyFields: Object.keys(fields).sort(),
    writeOnlyFields: [],
    manyToManyFields: [],
    neverSend: [],
    uniqueFields: [],
    uniqueTogether: [],
    defaultOrdering: [],
    searchFields: [],
    listFilters: listFilters(listOp),
    references: {},
    polymorphicFamily: fam.name,
    isPolicyBindingModel: false,
    pbmField: null,
    blueprintOnlyFields: {},
    secretFields: [],
  };
}

/** Facts carried over from an existing registry (used for a live server's own schema). */
export function factsFromRegistry(reg: Registry, modelEnum?: string[]): RegistryFacts {
  const models: { [m: string]: ModelFacts } = {};
  for (const m of Object.values(reg.models)) {
    if (m.kind === 'base') continue;
    models[m.model] = {
      model: m.model,
      kind: m.kind,
      verboseName: m.verboseName,
      apiPath: m.apiPath,
      pkField: m.pkField,
      lookupField: m.lookupField,
      uniqueFields: m.uniqueFields,
      uniqueTogether: m.uniqueTogether,
      defaultOrdering: m.defaultOrdering,
      searchFields: m.searchFields,
      polymorphicFamily: m.polymorphicFamily,
      isPolicyBindingModel: m.isPolicyBindingModel,
      pbmField: m.pbmField,
      blueprintOnlyFields: m.blueprintOnlyFields,
      ...(m.metaAttrs ? { metaAttrs: m.metaAttrs } : {}),
    };
  }
  // Models the server knows but the fallback does not: known names without a REST mapping.
  for (const name of modelEnum ?? []) {
    if (models[name]) continue;
    const [, modelName = name] = name.split('.');
    models[name] = {
      model: name,
      kind: 'model',
      verboseName: modelName,
      apiPath: null,
      pkField: null,
      lookupField: null,
      uniqueFields: [],
      uniqueTogether: [],
      defaultOrdering: [],
      searchFields: [],
      polymorphicFamily: null,
      isPolicyBindingModel: false,
      pbmField: null,
      blueprintOnlyFields: {},
    };
  }
  const families: RegistryFacts['families'] = {};
  for (const f of Object.values(reg.families)) families[f.name] = { path: f.path, members: f.members };
  return { models, families };
}

/** The OpenAPI document's list of blueprint-able models (`ModelEnum`). */
export function modelEnumOf(doc: OpenApiDoc): string[] {
  const e = schemaByName(doc, 'ModelEnum')?.enum;
  return Array.isArray(e) ? (e as string[]) : [];
}
