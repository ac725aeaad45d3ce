// ajv over the blueprint schema of one registry: one validator per model on first use, shared by
// every blueprint validated against that registry. A bundled registry's validators are usually
// generated ahead of time (standalone.ts, at build time), so a one-shot `akbp validate` neither
// loads ajv nor compiles a schema; any other registry (or a build without them) compiles here.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv, ErrorObject, Options } from 'ajv';
import type { Registry } from '../authentik/registry.js';
import { TAG_NODE_SCHEMA, blueprintJsonSchema, modelDefinitionName } from '../authentik/blueprint-schema.js';
import { bundledRegistryDigest } from '../authentik/bundled.js';
import { pointerTokens } from '../values/index.js';

/** A compiled model validator: ajv's own, or the same code generated ahead of time. */
export interface ModelValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

interface Compiled {
  ajv: Ajv | undefined;
  models: Map<string, ModelValidator>;
}

const cache = new WeakMap<Registry, Compiled>();
// ajv and the generated validators are CommonJS; requiring them on demand keeps them off the
// start-up path of commands that never validate an attribute.
const requireHere = createRequire(import.meta.url);

/**
 * Where the build puts generated validators, beside this module: `<dir>/<registry digest>/<model>.cjs`.
 * @public scripts/build-validators.mjs imports it from the compiled module, where knip cannot see.
 */
export const PRECOMPILED_DIR = new URL('./precompiled/', import.meta.url);

// Same shapes as ajv-formats' "fast" mode, for the three formats the schema keeps.
const FORMATS: { [name: string]: RegExp } = {
  email:
    /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?|localhost)$/i, // Django allows @localhost (akadmin's root@localhost)
  uuid: /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i,
  'date-time': /^\d\d\d\d-[0-1]\d-[0-3]\d[t\s](?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)$/i,
};

/**
 * The ajv instance holding a registry's definitions, for compiling here and for generating code
 * ahead of time: both must use these options, or the errors (and so the messages) would differ.
 */
export function registryAjv(AjvClass: typeof Ajv, reg: Registry, extra: Options = {}): Ajv {
  // Shared definitions stay separate functions and codegen is not optimised: compiling a model
  // then takes ~2 ms instead of ~12 ms, which is what a one-shot CLI run pays; the validators
  // run fast either way.
  const ajv = new AjvClass({
    allErrors: true,
    strict: false,
    validateFormats: true,
    validateSchema: false,
    inlineRefs: false,
    ...extra,
    code: { optimize: false, ...extra.code },
  });
  for (const [name, re] of Object.entries(FORMATS)) ajv.addFormat(name, re);
  // Only the definitions: the per-model if/then of the entry schema is for editors.
  ajv.addSchema(blueprintJsonSchema(reg, { tag: TAG_NODE_SCHEMA, omitPropertyNames: true, definitionsOnly: true }), 'bp');
  return ajv;
}

/** The schema reference of one model's attribute mapping within `registryAjv`'s instance. */
export function modelSchemaRef(model: string): string {
  return `bp#/definitions/${modelDefinitionName(model)}`;
}

/** File name of a model's generated validator (model names are `app_label.model`). */
export function precompiledFile(model: string): string {
  return `${model}.cjs`;
}

function precompiled(reg: Registry, model: string): ModelValidator | undefined {
  const digest = bundledRegistryDigest(reg);
  if (!digest) return undefined;
  const url = new URL(`${digest}/${precompiledFile(model)}`, PRECOMPILED_DIR);
  try {
    const mod = requireHere(fileURLToPath(url)) as { validate?: ModelValidator };
    return typeof mod.validate === 'function' ? mod.validate : undefined;
  } catch (e) {
    // Not generated (a build without them, tests from src/): compile instead.
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

function compiled(reg: Registry): Compiled {
  let c = cache.get(reg);
  if (!c) {
    c = { ajv: undefined, models: new Map() };
    cache.set(reg, c);
  }
  return c;
}

/** Validator of one model's attribute mapping (also used for identifiers, which are written too). */
export function modelValidator(reg: Registry, model: string): ModelValidator {
  const c = compiled(reg);
  let v = c.models.get(model);
  if (!v) {
    v = precompiled(reg, model);
    if (!v) {
      c.ajv ??= registryAjv((requireHere('ajv') as typeof import('ajv')).Ajv, reg);
      v = c.ajv.compile({ $ref: modelSchemaRef(model) });
    }
    c.models.set(model, v);
  }
  return v;
}

export interface FieldError {
  /** JSON pointer below the validated mapping, e.g. `/designation` or `/redirect_uris/0/url`. */
  path: string;
  message: string;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_WORDS: { [t: string]: string } = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true/false)',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function message(e: ErrorObject, value: unknown): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      // A CharField also takes numbers; "a string" is what people should write.
      const raw = String(p.type).split(',');
      const types = raw.filter((t) => !(t === 'number' && raw.includes('string'))).map((t) => TYPE_WORDS[t] ?? t);
      return `expected ${types.join(' or ')}, got ${describeType(value)}`;
    }
    case 'enum':
      return `expected one of ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}, got ${describeType(value)}`;
    case 'format':
      return `expected a valid ${String(p.format)}, got ${describeType(value)}`;
    case 'maxLength':
      return `expected at most ${String(p.limit)} characters, got ${String((value as string).length)}`;
    case 'minLength':
      return p.limit === 1 ? 'expected a non-empty string' : `expected at least ${String(p.limit)} characters`;
    case 'pattern':
      return `expected a string matching ${String(p.pattern)}, got ${describeType(value)}`;
    case 'required':
      return `expected a \`${String(p.missingProperty)}\` key`;
    default:
      return e.message ?? e.keyword;
  }
}

function valueAt(root: unknown, path: string): unknown {
  let v = root;
  for (const k of pointerTokens(path)) {
    v = v === null || typeof v !== 'object' ? undefined : (v as Record<string, unknown>)[k];
  }
  return v;
}

/**
 * Field errors of a mapping, one per path. The `anyOf [tag, type]` wrappers make ajv report the tag
 * branch and the wrapper too; only the typed branch says what the user should have written.
 */
export function fieldErrors(reg: Registry, model: string, data: unknown): FieldError[] {
  return validatorErrors(modelValidator(reg, model), data);
}

/** `fieldErrors` with a given validator (compiled here or generated ahead of time). */
export function validatorErrors(validate: ModelValidator, data: unknown): FieldError[] {
  if (validate(data)) return [];
  const byPath = new Map<string, ErrorObject>();
  for (const e of validate.errors ?? []) {
    if (e.keyword === 'anyOf') continue;
    // Refs are not inlined, so paths are relative to each definition: the tag marker's own
    // keywords sit at the root of its schema, every typed branch below `anyOf/1`.
    if (e.schemaPath === '#/type' || e.schemaPath === '#/required') continue;
    if (!byPath.has(e.instancePath)) byPath.set(e.instancePath, e);
  }
  const out: FieldError[] = [];
  for (const [path, e] of byPath) {
    out.push({ path, message: message(e, valueAt(data, path)) });
  }
  return out;
}
