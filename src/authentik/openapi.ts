// Reading an OpenAPI 3.0 document as authentik's drf-spectacular writes it: $ref / allOf
// resolution and conversion of a property schema to a FieldInfo. Pure.
import type { FieldInfo, FieldType } from './registry.js';

export type OpenApiSchema = { [key: string]: unknown };
export interface OpenApiDoc {
  info?: { version?: string };
  paths: { [path: string]: { [method: string]: OpenApiOperation | unknown } };
  components?: { schemas?: { [name: string]: OpenApiSchema } };
}
interface OpenApiParameter {
  in: string;
  name: string;
  required?: boolean;
  schema?: OpenApiSchema;
  explode?: boolean;
}
export interface OpenApiOperation {
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { content?: { [type: string]: { schema?: OpenApiSchema } } };
  responses?: { [status: string]: { content?: { [type: string]: { schema?: OpenApiSchema } } } };
}

function refName(schema: OpenApiSchema | undefined): string | undefined {
  if (!schema) return undefined;
  const ref = schema.$ref;
  if (typeof ref === 'string') return ref.slice(ref.lastIndexOf('/') + 1);
  const all = schema.allOf;
  if (Array.isArray(all) && all.length === 1) return refName(all[0] as OpenApiSchema);
  return undefined;
}

export function schemaByName(doc: OpenApiDoc, name: string): OpenApiSchema | undefined {
  return doc.components?.schemas?.[name];
}

/** Follows $ref and single-element allOf, merging sibling keys (readOnly, nullable, description). */
export function deref(doc: OpenApiDoc, schema: OpenApiSchema | undefined, depth = 0): OpenApiSchema | undefined {
  if (!schema || depth > 20) return schema;
  const name = refName(schema);
  if (!name) return schema;
  const target = schemaByName(doc, name);
  if (!target) return schema;
  const { $ref: _r, allOf: _a, ...siblings } = schema;
  return { ...deref(doc, target, depth + 1), ...siblings };
}

/** JSON schema of an operation's JSON request body or 2xx JSON response. */
export function requestSchemaName(op: OpenApiOperation | undefined): string | undefined {
  const content = op?.requestBody?.content;
  if (!content) return undefined;
  const json = content['application/json'] ?? Object.values(content)[0];
  return refName(json?.schema);
}

export function responseSchema(op: OpenApiOperation | undefined): OpenApiSchema | undefined {
  if (!op?.responses) return undefined;
  for (const code of ['200', '201']) {
    const c = op.responses[code]?.content;
    if (c) return (c['application/json'] ?? Object.values(c)[0])?.schema;
  }
  return undefined;
}

/** A property schema as a FieldInfo; nested objects keep their properties one level deep. */
export function toField(doc: OpenApiDoc, raw: OpenApiSchema, depth = 0): FieldInfo {
  const ref = refName(raw);
  const s = deref(doc, raw) ?? {};
  const f: FieldInfo = { type: 'any' };
  const enumValues = s.enum as (string | number | null)[] | undefined;
  const t = s.type as string | undefined;
  if (Array.isArray(enumValues)) {
    f.type = 'enum';
    f.enum = enumValues.filter((v) => v !== '' || enumValues.length === 1);
    if (enumValues.includes('')) f.enum = enumValues;
  } else if (t === 'string' || t === 'integer' || t === 'number' || t === 'boolean' || t === 'object' || t === 'array') {
    f.type = t as FieldType;
  } else if (Array.isArray(s.oneOf) || Array.isArray(s.anyOf)) {
    // drf-spectacular writes nullable/blank enums as oneOf [enum, BlankEnum, NullEnum].
    const parts = ((s.oneOf ?? s.anyOf) as OpenApiSchema[]).map((p) => deref(doc, p) ?? {});
    const values: (string | number | null)[] = [];
    for (const p of parts) {
      if (Array.isArray(p.enum)) values.push(...(p.enum as (string | number | null)[]));
    }
    if (values.length > 0) {
      f.type = 'enum';
      f.enum = values.filter((v) => v !== null);
      if (values.includes(null)) f.nullable = true;
    }
  }
  if (ref) f.ref = ref;
  if (typeof s.format === 'string') f.format = s.format;
  if (s.nullable === true) f.nullable = true;
  if (s.readOnly === true || raw.readOnly === true) f.readOnly = true;
  if (s.writeOnly === true || raw.writeOnly === true) f.writeOnly = true;
  if (typeof s.maxLength === 'number') f.maxLength = s.maxLength;
  if (typeof s.minLength === 'number') f.minLength = s.minLength;
  if (typeof s.pattern === 'string') f.pattern = s.pattern;
  if (s.default !== undefined) f.default = s.default;
  if (f.type === 'array' && s.items) f.items = toField(doc, s.items as OpenApiSchema, depth + 1);
  if (f.type === 'object' && s.properties && depth < 2) {
    f.properties = {};
    for (const [k, v] of Object.entries(s.properties as { [k: string]: OpenApiSchema })) {
      f.properties[k] = toField(doc, v, depth + 1);
    }
    if (Array.isArray(s.required)) f.required = s.required as string[];
  }
  return f;
}
