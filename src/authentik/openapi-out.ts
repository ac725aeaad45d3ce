// The reverse of generate.ts: an OpenAPI 3.0 document written from a Registry, in the shape
// drf-spectacular gives authentik's (paginated lists, `<Name>Request` bodies, `ModelEnum`). The
// sandbox serves it at /api/v3/schema/, so `--schema-from-server` works against the sandbox as it
// does against authentik, and generating a registry from it gives the registry back. Pure.
import type { FieldInfo, ListFilter, ModelInfo, Registry } from './registry.js';
import type { OpenApiDoc, OpenApiSchema } from './openapi.js';

function pascal(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

/**
 * Component names: a model or family keeps the name other schemas' `<field>_obj` point at (so
 * references survive the round trip); others get a name from their model.
 */
function schemaNames(reg: Registry): { models: Map<string, string>; families: Map<string, string> } {
  const models = new Map<string, string>();
  const families = new Map<string, string>();
  const candidates = new Map<string, string[]>();
  for (const m of Object.values(reg.models)) {
    for (const [field, ref] of Object.entries(m.references)) {
      const obj = m.fields[`${field}_obj`];
      const name = obj?.ref ?? obj?.items?.ref;
      if (!name) continue;
      if (ref.family) families.set(ref.family, name);
      else if (ref.targets.length === 1) candidates.set(ref.targets[0]!, [...(candidates.get(ref.targets[0]!) ?? []), name]);
    }
  }
  // Several expansions may point at one model (`Group`, and `UserGroup` for a user's groups):
  // the model's own name wins, the others stay nested serializers.
  for (const [model, names] of candidates) {
    const own = pascal(reg.models[model]?.modelName ?? '');
    models.set(model, names.find((n) => n.toLowerCase() === own.toLowerCase()) ?? names[0]!);
  }
  const taken = new Set([...models.values(), ...families.values()]);
  for (const m of Object.values(reg.models)) {
    if (models.has(m.model)) continue;
    let name = pascal(m.modelName);
    if (taken.has(name)) name = pascal(m.model);
    taken.add(name);
    models.set(m.model, name);
  }
  for (const f of Object.keys(reg.families)) if (!families.has(f)) families.set(f, `${pascal(f)}Base`);
  return { models, families };
}

function fieldSchema(f: FieldInfo, mode: 'response' | 'request'): OpenApiSchema {
  const s: OpenApiSchema = {};
  if (f.type === 'enum') {
    s.type = f.enum?.every((v) => typeof v === 'number') ? 'integer' : 'string';
    s.enum = f.enum ?? [];
  } else if (f.type !== 'any') s.type = f.type;
  if (f.format) s.format = f.format;
  if (f.nullable) s.nullable = true;
  if (mode === 'response' && f.readOnly) s.readOnly = true;
  if (mode === 'request' && f.writeOnly) s.writeOnly = true;
  if (f.maxLength !== undefined) s.maxLength = f.maxLength;
  if (f.minLength !== undefined) s.minLength = f.minLength;
  if (f.pattern !== undefined) s.pattern = f.pattern;
  if (f.default !== undefined) s.default = f.default;
  if (f.description) s.description = f.description;
  if (f.items) s.items = fieldSchema(f.items, mode);
  if (f.properties) {
    s.properties = Object.fromEntries(Object.entries(f.properties).map(([k, v]) => [k, fieldSchema(v, mode)]));
    if (f.required?.length) s.required = f.required;
  }
  // An expansion keeps its target's component name, which is what references are read from.
  if (f.ref && f.type === 'object')
    return { allOf: [{ $ref: `#/components/schemas/${f.ref}` }], ...(f.readOnly ? { readOnly: true } : {}), ...(f.nullable ? { nullable: true } : {}) };
  if (f.ref && f.type === 'array' && f.items?.ref && f.items.type !== 'enum') {
    return { type: 'array', items: { $ref: `#/components/schemas/${f.items.ref}` }, ...(f.readOnly ? { readOnly: true } : {}) };
  }
  return s;
}

function filterParam(f: ListFilter): OpenApiSchema {
  const schema: OpenApiSchema = { type: f.type };
  if (f.format && f.type !== 'array') schema.format = f.format;
  if (f.enum) schema.enum = f.enum;
  if (f.type === 'array') schema.items = { type: f.itemsType ?? 'string', ...(f.format ? { format: f.format } : {}) };
  return { in: 'query', name: f.name, schema, ...(f.type === 'array' ? { explode: true, style: 'form' } : {}) };
}

const paginated = (item: string): OpenApiSchema => ({
  type: 'object',
  properties: {
    pagination: { $ref: '#/components/schemas/Pagination' },
    results: { type: 'array', items: { $ref: `#/components/schemas/${item}` } },
  },
  required: ['pagination', 'results'],
});

const json = (schema: OpenApiSchema) => ({ content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function modelPaths(m: ModelInfo, name: string, paths: OpenApiDoc['paths'], schemas: { [k: string]: OpenApiSchema }): void {
  // Base models are served by their family's `/all/` endpoint, written below.
  if (!m.apiPath || m.kind === 'base') return;
  const response: OpenApiSchema = { type: 'object', properties: {}, required: [] as string[] };
  const request: OpenApiSchema = { type: 'object', properties: {}, required: m.requiredOnCreate };
  for (const [field, f] of Object.entries(m.fields)) {
    if (!f.writeOnly) (response.properties as { [k: string]: OpenApiSchema })[field] = fieldSchema(f, 'response');
    if (!f.readOnly) (request.properties as { [k: string]: OpenApiSchema })[field] = fieldSchema(f, 'request');
  }
  schemas[name] = response;
  schemas[`${name}Request`] = request;
  schemas[`Paginated${name}List`] = paginated(name);
  const collection: { [method: string]: unknown } = {};
  if (m.operations.list)
    collection.get = { operationId: `${name}_list`, parameters: m.listFilters.map(filterParam), responses: { '200': json(ref(`Paginated${name}List`)) } };
  if (m.operations.create) collection.post = { operationId: `${name}_create`, requestBody: json(ref(`${name}Request`)), responses: { '201': json(ref(name)) } };
  paths[m.apiPath] = collection;
  if (m.detailPath && m.lookupParam) {
    const param = {
      in: 'path',
      name: m.lookupParam,
      required: true,
      schema: m.pkType === 'integer' && m.lookupField === m.pkField ? { type: 'integer' } : { type: 'string' },
    };
    const detail: { [method: string]: unknown } = {};
    if (m.operations.retrieve) detail.get = { parameters: [param], responses: { '200': json(ref(name)) } };
    if (m.operations.update) detail.put = { parameters: [param], requestBody: json(ref(`${name}Request`)), responses: { '200': json(ref(name)) } };
    if (m.operations.partialUpdate)
      detail.patch = { parameters: [param], requestBody: json(ref(`Patched${name}Request`)), responses: { '200': json(ref(name)) } };
    if (m.operations.destroy) detail.delete = { parameters: [param], responses: { '204': { description: '' } } };
    schemas[`Patched${name}Request`] = { ...request, required: [] };
    paths[m.detailPath] = detail;
  }
}

export function registryToOpenApi(reg: Registry): OpenApiDoc {
  const names = schemaNames(reg);
  const paths: OpenApiDoc['paths'] = {};
  const schemas: { [k: string]: OpenApiSchema } = {
    Pagination: {
      type: 'object',
      properties: Object.fromEntries(['next', 'previous', 'count', 'current', 'total_pages', 'start_index', 'end_index'].map((k) => [k, { type: 'number' }])),
      required: ['next', 'previous', 'count', 'current', 'total_pages', 'start_index', 'end_index'],
    },
    ModelEnum: {
      enum: Object.values(reg.models)
        .filter((m) => m.kind === 'model')
        .map((m) => m.model)
        .sort(),
      type: 'string',
    },
  };
  for (const m of Object.values(reg.models)) modelPaths(m, names.models.get(m.model)!, paths, schemas);
  // Nested serializers (`UserGroup`, `ThemedUrls`, …) that are no model's own schema.
  const nested = (f: FieldInfo): void => {
    if (f.ref && f.type === 'object' && !schemas[f.ref]) {
      schemas[f.ref] = { type: 'object', properties: Object.fromEntries(Object.entries(f.properties ?? {}).map(([k, v]) => [k, fieldSchema(v, 'response')])) };
    }
    if (f.items) nested(f.items);
  };
  for (const m of Object.values(reg.models)) for (const f of Object.values(m.fields)) nested(f);
  for (const fam of Object.values(reg.families)) {
    const name = names.families.get(fam.name)!;
    // The family's base model (for `!Find`) carries the base serializer's fields and filter types.
    const base = Object.values(reg.models).find((m) => m.kind === 'base' && m.polymorphicFamily === fam.name);
    if (base) schemas[name] = { type: 'object', properties: Object.fromEntries(Object.entries(base.fields).map(([k, f]) => [k, fieldSchema(f, 'response')])) };
    if (!schemas[name])
      schemas[name] = { type: 'object', properties: { pk: { type: 'string', readOnly: true }, meta_model_name: { type: 'string', readOnly: true } } };
    schemas[`Paginated${name}List`] = paginated(name);
    const params = base ? base.listFilters.map(filterParam) : fam.listFilters.map((n) => ({ in: 'query', name: n, schema: { type: 'string' } }));
    paths[fam.path] = { get: { operationId: `${fam.name}_all_list`, parameters: params, responses: { '200': json(ref(`Paginated${name}List`)) } } };
    const param = { in: 'path', name: fam.lookupParam, required: true, schema: { type: 'string' } };
    const detail: { [method: string]: unknown } = {};
    for (const op of fam.operations) if (op !== 'list') detail[op] = { parameters: [param], responses: { '200': json(ref(name)) } };
    paths[fam.detailPath] = detail;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'authentik', version: reg.authentikVersion, description: 'Generated by the akbp sandbox from its model registry' },
    paths,
    components: { schemas },
  } as OpenApiDoc;
}
