// The blueprint JSON Schema (draft-07) of one authentik version, built from its registry. Pure and
// deterministic: `akbp schema generate` writes it to schemas/authentik-<v>/blueprint.schema.json and
// editors (yaml-language-server) read it, so equal registries must give byte-equal output.
//
// Tags may stand wherever a value can: every typed position is `anyOf [tag, <type>]`, with the
// tag shape kept in one definition. yaml-language-server (≥ 1.24) hands a tagged node to the
// schema with the return type its `yaml.customTags` entry declares; EDITOR_CUSTOM_TAGS declares
// every authentik tag as returning an object, and the shipped `tag` definition accepts only an
// object with a property no blueprint mapping has. Object keywords apply to real mappings only,
// so a tagged scalar or sequence passes while a plain string, number, list or mapping does not:
// the editor is as strict as validate, which swaps in a marker that only a loaded TagNode matches.
import type { FieldInfo, ModelInfo, Registry } from './registry.js';

export interface BlueprintSchemaOptions {
  /**
   * Schema of a tagged value. Default: what an editor sees for a custom tag (a string or a list).
   * src/validate passes `TAG_NODE_SCHEMA` to check a loaded document whose tags are TagNodes.
   */
  tag?: object;
  /** Omit the per-model `propertyNames` lists (validate reports unknown fields itself, with hints). */
  omitPropertyNames?: boolean;
  /** Only `definitions` (value and model schemas), without the document and entry structure. */
  definitionsOnly?: boolean;
}

/** A loaded TagNode (src/model/types.ts): an object carrying the `$tag` discriminator. */
export const TAG_NODE_SCHEMA = { type: 'object', required: ['$tag'] } as const;

/** A property name no blueprint mapping uses; only a tagged node (typed `object`, no properties) lacks nothing. */
const TAG_MARKER = 'authentik tag (!Env, !KeyOf, !Find, …)';

const EDITOR_TAG_SCHEMA = {
  description:
    "An authentik YAML tag (!KeyOf, !Find, !Context, …); its result is checked when the blueprint is applied. Needs yaml-language-server ≥ 1.24 with akbp's yaml.customTags (README, Editor support).",
  type: 'object',
  required: [TAG_MARKER],
};

/**
 * The `yaml.customTags` setting this schema is made for: each tag on the node kinds authentik
 * accepts, returning `object` so that only the `tag` definition matches it (see the top).
 */
export const EDITOR_CUSTOM_TAGS: readonly string[] = [
  '!KeyOf scalar:object',
  '!Env scalar:object',
  '!Env sequence:object',
  '!File scalar:object',
  '!File sequence:object',
  '!Context scalar:object',
  '!Context sequence:object',
  '!Format sequence:object',
  '!Find sequence:object',
  '!FindObject sequence:object',
  '!Condition sequence:object',
  '!If sequence:object',
  '!Enumerate sequence:object',
  '!Index scalar:object',
  '!Value scalar:object',
  '!AtIndex sequence:object',
  '!ParseJSON scalar:object',
];

/** Definition name of a model's attribute schema. */
export function modelDefinitionName(model: string): string {
  return `model:${model}`;
}

/** Formats worth checking before the server does; others are left to authentik. */
const CHECKED_FORMATS = new Set(['email', 'uuid', 'date-time']);

function validPattern(p: string): boolean {
  try {
    new RegExp(p, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * The plain (tag-free) schema of a field value, as lenient as DRF's parsing: a CharField takes
 * numbers (it stores `str(value)`), a primary-key reference takes the pk as a numeric string.
 * Nested values may again be tags.
 */
function typedSchema(f: FieldInfo, defs: Hoister, pkRef = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const nullable = f.nullable === true;
  if (pkRef && f.type === 'integer') {
    out.type = nullable ? ['integer', 'string', 'null'] : ['integer', 'string'];
    out.pattern = '^[0-9]+$';
    return out;
  }
  // Slug and regex fields are CharFields too (`slug: 2024` is the slug "2024"); a pattern only
  // constrains strings, so a number is left for the server to check against it.
  if (f.type === 'string' && !f.format && !f.enum) {
    out.type = nullable ? ['string', 'number', 'null'] : ['string', 'number'];
    if (f.maxLength !== undefined) out.maxLength = f.maxLength;
    if (f.minLength !== undefined) out.minLength = f.minLength;
    if (f.pattern !== undefined && validPattern(f.pattern)) out.pattern = f.pattern;
    return out;
  }
  switch (f.type) {
    case 'enum': {
      // DRF's ChoiceField compares str(value) with the choices, so `digits: 6` matches choice "6".
      const values: (string | number | null)[] = [];
      for (const v of f.enum ?? []) {
        values.push(v);
        if (typeof v === 'string' && /^-?(0|[1-9]\d*)$/.test(v) && !(f.enum ?? []).includes(Number(v))) values.push(Number(v));
      }
      if (nullable && !values.includes(null)) values.push(null);
      out.enum = values;
      return out;
    }
    case 'any':
      return out;
    case 'array':
      out.type = nullable ? ['array', 'null'] : 'array';
      if (f.items) out.items = defs.value(f.items, pkRef);
      break;
    case 'object':
      out.type = nullable ? ['object', 'null'] : 'object';
      if (f.properties) {
        const props: Record<string, unknown> = {};
        for (const k of Object.keys(f.properties).sort()) props[k] = defs.value(f.properties[k]!);
        out.properties = props;
      }
      break;
    default:
      out.type = nullable ? [f.type, 'null'] : f.type;
  }
  if (f.type === 'string') {
    if (f.format && CHECKED_FORMATS.has(f.format)) out.format = f.format;
    if (f.maxLength !== undefined) out.maxLength = f.maxLength;
    if (f.minLength !== undefined) out.minLength = f.minLength;
    if (f.pattern !== undefined && validPattern(f.pattern)) out.pattern = f.pattern;
  }
  return out;
}

/**
 * Shares identical value schemas between fields through `definitions`, so the file stays small:
 * most fields end up as a `$ref` to `string`, `uuid`, a named enum, ….
 */
class Hoister {
  readonly definitions: Record<string, unknown> = {};
  private readonly byKey = new Map<string, string>();

  value(f: FieldInfo, pkRef = false): Record<string, unknown> {
    const typed = typedSchema(f, this, pkRef);
    if (Object.keys(typed).length === 0) return {};
    const key = JSON.stringify(typed);
    let name = this.byKey.get(key);
    if (!name) {
      name = this.freshName(f, typed, pkRef);
      this.byKey.set(key, name);
      this.definitions[name] = { anyOf: [{ $ref: '#/definitions/tag' }, typed] };
    }
    return { $ref: `#/definitions/${name}` };
  }

  private freshName(f: FieldInfo, typed: Record<string, unknown>, pkRef: boolean): string {
    let base: string;
    if (f.type === 'enum' && f.ref) base = f.ref;
    else if (f.type === 'enum') base = 'enum';
    else {
      base = f.type === 'string' && typeof typed.format === 'string' ? typed.format : f.type;
      if (pkRef && f.type === 'integer') base = 'pk';
      if (f.type === 'array' && f.items) base = `array-of-${f.items.format ?? f.items.ref ?? f.items.type}`;
      if (f.type === 'array' && f.items && pkRef && f.items.type === 'integer') base = 'array-of-pk';
      if (typed.maxLength !== undefined || typed.minLength !== undefined || (typed.pattern !== undefined && !pkRef)) base += '-constrained';
    }
    if (f.nullable) base += '-or-null';
    let name = `value:${base}`;
    for (let i = 2; name in this.definitions; i++) name = `value:${base}-${i}`;
    return name;
  }
}

/** Case-insensitive match of the model-name part, as authentik looks models up. */
function modelPattern(model: string): string {
  const dot = model.indexOf('.');
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ci = [...model.slice(dot + 1)].map((c) => (c.toLowerCase() !== c.toUpperCase() ? `[${c.toLowerCase()}${c.toUpperCase()}]` : esc(c))).join('');
  return `^${esc(model.slice(0, dot))}\\.${ci}$`;
}

/** Writable attribute names of a model: request fields plus blueprint-only ones. */
export function writableFields(m: ModelInfo): string[] {
  const names = new Set<string>();
  for (const [k, f] of Object.entries(m.fields)) if (!f.readOnly && !m.neverSend.includes(k)) names.add(k);
  for (const k of Object.keys(m.blueprintOnlyFields)) names.add(k);
  return [...names].sort();
}

/** `metaAttrs` descriptions read like "boolean, default true": type first, "default" = optional. */
export function parseMetaAttr(desc: string): { type: 'object' | 'boolean' | 'string' | 'any'; required: boolean } {
  const word = /^\s*(\w+)/.exec(desc)?.[1]?.toLowerCase() ?? '';
  const type = word === 'object' || word === 'boolean' || word === 'string' ? word : 'any';
  return { type, required: !/\bdefault\b|\boptional\b/i.test(desc) };
}

function modelSchema(m: ModelInfo, defs: Hoister): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  if (m.kind === 'meta') {
    const required: string[] = [];
    for (const [k, desc] of Object.entries(m.metaAttrs ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const p = parseMetaAttr(desc);
      props[k] = p.type === 'any' ? {} : defs.value({ type: p.type });
      if (p.required) required.push(k);
    }
    const out: Record<string, unknown> = { type: 'object', properties: props };
    if (required.length) out.required = required;
    return out;
  }
  for (const k of writableFields(m)) {
    const bo = m.blueprintOnlyFields[k];
    const f = m.fields[k];
    props[k] = f && !f.readOnly ? defs.value(f, k in m.references) : bo ? defs.value({ type: bo.type }) : {};
  }
  return { type: 'object', properties: props };
}

function permissionsSchema(): Record<string, unknown> {
  return {
    type: 'array',
    items: {
      type: 'object',
      required: ['permission'],
      properties: {
        permission: { anyOf: [{ $ref: '#/definitions/tag' }, { type: 'string' }] },
        user: { anyOf: [{ $ref: '#/definitions/tag' }, { type: 'integer' }] },
        role: { anyOf: [{ $ref: '#/definitions/tag' }, { type: 'string', format: 'uuid' }] },
      },
      additionalProperties: false,
    },
  };
}

export function blueprintJsonSchema(reg: Registry, opts: BlueprintSchemaOptions = {}): object {
  const defs = new Hoister();
  // Base models exist only for `!Find`; entries cannot declare them.
  const modelNames = Object.keys(reg.models)
    .filter((n) => reg.models[n]!.kind !== 'base')
    .sort();
  const modelDefs: Record<string, unknown> = {};
  const branches: unknown[] = [];
  for (const name of modelNames) {
    const m = reg.models[name]!;
    const def = modelDefinitionName(name);
    modelDefs[def] = modelSchema(m, defs);
    if (opts.definitionsOnly) continue;
    const ref = { $ref: `#/definitions/${def}` };
    const writable = writableFields(m);
    const attrs: Record<string, unknown> =
      m.kind === 'meta' || opts.omitPropertyNames || Object.keys(m.fields).length === 0
        ? ref
        : writable.length === 0
          ? { allOf: [ref], maxProperties: 0 }
          : { allOf: [ref], propertyNames: { enum: writable } };
    const then: Record<string, unknown> = { properties: { attrs } };
    // Meta models ignore identifiers; for the rest they are looked up and written, so type them too.
    if (m.kind !== 'meta') (then.properties as Record<string, unknown>).identifiers = ref;
    branches.push({ if: { properties: { model: { pattern: modelPattern(name) } }, required: ['model'] }, then });
  }

  if (opts.definitionsOnly) {
    return { $schema: 'http://json-schema.org/draft-07/schema#', definitions: { tag: opts.tag ?? EDITOR_TAG_SCHEMA, ...defs.definitions, ...modelDefs } };
  }

  const entryProps: Record<string, unknown> = {
    // The enum serves completion; the pattern accepts the model part in any case, as authentik
    // does. A tag (`!Format [...]`) is told apart from a plain string, so an unknown model's name
    // is still reported — the common mistake.
    model: {
      anyOf: [
        { $ref: '#/definitions/tag' },
        { enum: modelNames },
        { type: 'string', pattern: `^(?:${modelNames.map((n) => modelPattern(n).slice(1, -1)).join('|')})$` },
      ],
    },
    state: { anyOf: [{ $ref: '#/definitions/tag' }, { enum: [...reg.states] }] },
    id: { type: 'string' },
    identifiers: { type: 'object' },
    attrs: { type: ['object', 'null'] },
    conditions: { type: 'array' },
  };
  if (reg.entryPermissions) entryProps.permissions = permissionsSchema();
  const entry = {
    type: 'object',
    required: ['model'],
    properties: entryProps,
    additionalProperties: false,
    allOf: branches,
  };
  const entryList = { type: 'array', items: { $ref: '#/definitions/entry' } };

  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `authentik ${reg.version} blueprint`,
    description: `Blueprint file for authentik ${reg.authentikVersion} (generated by akbp from the OpenAPI schema).`,
    type: 'object',
    properties: {
      version: { type: 'integer', const: 1 },
      metadata: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      context: { type: 'object' },
      entries: reg.sectionedEntries ? { anyOf: [entryList, { type: 'object', additionalProperties: entryList }] } : entryList,
    },
    definitions: {
      tag: opts.tag ?? EDITOR_TAG_SCHEMA,
      entry,
      ...defs.definitions,
      ...modelDefs,
    },
  };
}
