// Test support: authentik's OpenAPI documents (read-only, from ../shared) as ajv validators, and
// valid create payloads built from the request schemas, creating referenced objects first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import type { Registry } from '../../src/authentik/registry.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { reference, referenceSkip } from '../helpers/reference.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const SHARED_OPENAPI = reference('openapi');
const OPENAPI_FILES: { [v: string]: string } = {
  '2023.6': 'authentik-2023.6.1.yml',
  '2026.5': 'authentik-2026.5.0-rc1.yml',
};

export type Schema = { [k: string]: unknown };
export interface OpenApi {
  paths: { [p: string]: { [m: string]: Schema } };
  components: { schemas: { [n: string]: Schema } };
}

export function openapiPath(version: string): string {
  return join(SHARED_OPENAPI, OPENAPI_FILES[version]!);
}

export function haveOpenapi(version: string): boolean {
  return referenceSkip('openapi', OPENAPI_FILES[version] ?? `authentik-${version}.yml`) === false;
}

export function loadOpenapi(version: string): OpenApi {
  return parse(readFileSync(openapiPath(version), 'utf8'), { maxAliasCount: -1 }) as OpenApi;
}

export class Validators {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();
  constructor(doc: OpenApi) {
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
    addFormats(this.ajv);
    // DRF returns "" for blank email/URL fields and Django accepts `root@localhost`; the
    // document's formats do not say so, the server does.
    this.ajv.addFormat('email', /^$|^[^@\s]+@[^@\s]+$/);
    this.ajv.addFormat('uri', /^$|^[a-z][a-z0-9+.-]*:\S*$/i);
    this.ajv.addSchema({ $id: 'oas', components: toJsonSchema(doc.components) });
  }
  forRef(ref: string): ValidateFunction {
    let v = this.cache.get(ref);
    if (!v) {
      v = this.ajv.compile({ $ref: `oas${ref}` });
      this.cache.set(ref, v);
    }
    return v;
  }
}

/** OpenAPI 3.0 `nullable: true` → JSON Schema's null type (ajv only knows it next to `type`). */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: { [k: string]: unknown } = {};
  for (const [k, v] of Object.entries(node)) out[k] = toJsonSchema(v);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string' && !out.$ref) {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  delete out.nullable;
  return out;
}

export function refName(s: Schema | undefined): string | undefined {
  const r = s?.$ref;
  return typeof r === 'string' ? r : undefined;
}

export function deref(doc: OpenApi, s: Schema | undefined): Schema | undefined {
  const r = refName(s);
  if (!r) return s;
  return doc.components.schemas[r.replace('#/components/schemas/', '')];
}

const AUTH = { authorization: 'Bearer test-token', 'content-type': 'application/json' };

export async function call(sb: Sandbox, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const req = { method, path, headers: AUTH, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
  const res = await sb.handle(req);
  let json: any;
  try {
    json = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text: res.body };
}

let counter = 0;

/** A value the request schema accepts, for a non-reference field. */
function sampleValue(doc: OpenApi, s: Schema, name: string): unknown {
  const d = deref(doc, s) ?? s;
  if (Array.isArray(d.allOf) && d.allOf.length) return sampleValue(doc, d.allOf[0] as Schema, name);
  if (Array.isArray(d.oneOf) && d.oneOf.length) return sampleValue(doc, d.oneOf[0] as Schema, name);
  if (Array.isArray(d.enum)) return d.enum.find((e) => e !== null && e !== '');
  const n = ++counter;
  switch (d.type) {
    case 'integer':
    case 'number':
      return typeof d.minimum === 'number' ? Math.max(d.minimum, 1) : 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object': {
      const props = (d.properties ?? {}) as { [k: string]: Schema };
      const out: { [k: string]: unknown } = {};
      for (const k of (d.required ?? []) as string[]) if (props[k] && !props[k]!.readOnly) out[k] = sampleValue(doc, props[k]!, k);
      return out;
    }
    default: {
      if (d.format === 'uri') return `https://example.com/${name}-${n}`;
      if (d.format === 'email') return `user${n}@example.com`;
      if (d.format === 'date-time') return '2030-01-01T00:00:00Z';
      if (d.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if (name === 'path') return '';
      if (name === 'content' || name === 'expression') return 'return True';
      const v = `s${n}${name.replace(/[^a-z0-9_-]/gi, '')}`;
      return typeof d.maxLength === 'number' ? v.slice(0, d.maxLength) : v;
    }
  }
}

/**
 * Builds a payload with every required field of the model's create request, creating the objects
 * its required references point at first. Returns undefined when a dependency cannot be created.
 */
export async function validPayload(sb: Sandbox, reg: Registry, doc: OpenApi, model: string, depth = 0): Promise<{ [k: string]: unknown } | undefined> {
  const mi = reg.models[model];
  if (!mi?.apiPath || depth > 4) return undefined;
  const op = doc.paths[mi.apiPath]?.post as Schema | undefined;
  const content = (op?.requestBody as Schema | undefined)?.content as { [ct: string]: { schema: Schema } } | undefined;
  const req = deref(doc, content?.['application/json']?.schema);
  if (!req) return undefined;
  const props = (req.properties ?? {}) as { [k: string]: Schema };
  const out: { [k: string]: unknown } = {};
  for (const f of (req.required ?? []) as string[]) {
    const ref = mi.references?.[f];
    if (ref && !ref.policyBindingTarget) {
      if (ref.many) {
        out[f] = [];
        continue;
      }
      let made: unknown;
      for (const t of ref.targets) {
        const tm = reg.models[t];
        if (!tm?.apiPath || !tm.operations.create) continue;
        const p = await validPayload(sb, reg, doc, t, depth + 1);
        if (!p) continue;
        const r = await call(sb, 'POST', tm.apiPath, p);
        if (r.status === 201) {
          made = r.json[tm.pkField ?? 'pk'];
          break;
        }
      }
      if (made === undefined) return undefined;
      out[f] = made;
      continue;
    }
    if (ref?.policyBindingTarget) {
      const flow = await validPayload(sb, reg, doc, 'authentik_flows.flow', depth + 1);
      const r = await call(sb, 'POST', '/flows/instances/', flow);
      if (r.status !== 201) return undefined;
      out[f] = r.json.pk;
      continue;
    }
    if (props[f]) out[f] = sampleValue(doc, props[f]!, f);
  }
  if (model === 'authentik_blueprints.blueprintinstance') out.content = 'version: 1\nentries: []\n';
  if (model === 'authentik_policies.policybinding' || (mi.fields.policy && mi.fields.group && mi.fields.user && mi.references?.target?.policyBindingTarget)) {
    const g = await call(sb, 'POST', '/core/groups/', { name: `g${++counter}` });
    out.group = g.json.pk;
  }
  return out;
}
