// authentik validates a blueprint instance's inline `content` by running its importer in a
// transaction it rolls back. The sandbox has no importer (tags are the compiler's business), so it
// replays what can be decided without one: the version, the entries' shape, model lookup, literal
// conditions and states, identifiers, and the serializer on every entry free of tags — against the
// live records plus what earlier entries of the same blueprint declared, writing nothing.
// Content the importer cannot even construct (YAML errors, unknown tags, wrong types) makes
// authentik raise past the serializer: a 500, not a 400.
import { type Document, isAlias, isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';
import { findModel } from '../authentik/registry.js';
import type { Json, JsonObject } from '../model/types.js';
import { pyRepr, pyTruthy } from '../values/python.js';
import type { World } from './render.js';
import { isJsonObject, type Rec } from './store.js';
import type { ModelView } from './schema.js';

/**
 * The `metadata` block authentik's apply task stores on the instance (`labels` default to {}),
 * or undefined when the blueprint has none.
 */
export function blueprintMetadata(content: string): JsonObject | undefined {
  const doc = parseDocument(content, { version: '1.1', prettyErrors: false });
  if (doc.errors.length) return undefined;
  const root = toValue(doc, doc.contents);
  const meta = isPlainObject(root) ? root.metadata : undefined;
  if (!isPlainObject(meta) || typeof meta.name !== 'string') return undefined;
  const labels = isPlainObject(meta.labels) && !hasTag(meta.labels) ? (meta.labels as JsonObject) : {};
  return { name: meta.name, labels };
}

/** A tagged node: its value is only known to an importer, so checks that need it are skipped. */
class Tagged {
  constructor(readonly tag: string) {}
}
type Value = Json | Tagged | Value[] | { [k: string]: Value };

/** The serializer check of one entry (validate.ts's, passed in to keep the import one-way). */
export type EntryCheck = (
  mv: ModelView,
  body: JsonObject,
  mode: 'create' | 'partial',
  existing: Rec | undefined,
) => { ok: true } | { ok: false; body: JsonObject | string };

/**
 * What authentik's dry run makes of `content`: `crash` when the importer cannot even be built
 * (YAML or type errors raise past the serializer: a 500), `events` when validation fails (the
 * log events of the first failing entry), undefined when valid.
 */
export type DryRun = { crash: string } | { events: string[] } | undefined;

export function dryRun(w: World, content: string, check: EntryCheck): DryRun {
  const doc = parseDocument(content, { version: '1.1', prettyErrors: false });
  const err = doc.errors[0];
  if (err) return { crash: err.message.split('\n')[0]! };
  const root = toValue(doc, doc.contents);
  const shape = shapeError(w, root);
  if (shape) return { crash: shape };
  if (!isPlainObject(root)) return { crash: 'not a mapping' };
  if ((root.version ?? 1) !== 1) return { events: ['Invalid blueprint version'] };
  const declared: { model: string; ids: JsonObject }[] = [];
  for (const entry of entriesOf(root)) {
    const event = checkEntry(w, check, entry, declared);
    if (event) return { events: [event] };
  }
  return undefined;
}

function entriesOf(root: { [k: string]: Value }): Value[] {
  const raw = root.entries ?? [];
  if (Array.isArray(raw)) return raw;
  return isPlainObject(raw) ? (Object.values(raw).flat() as Value[]) : [];
}

/** The typed construction of a blueprint (dacite over the loaded YAML): what fails before validation. */
function shapeError(w: World, root: Value): string | undefined {
  const reg = w.schema.registry;
  if (!isPlainObject(root)) return 'a blueprint is a mapping';
  for (const t of tagsIn(root)) if (!reg.tags.includes(t.slice(1))) return `could not determine a constructor for the tag '${t}'`;
  if (root.version !== undefined && !(typeof root.version === 'number' && Number.isInteger(root.version))) return 'version must be an int';
  const raw = root.entries ?? [];
  const sections = reg.sectionedEntries && isPlainObject(raw) && Object.values(raw).every((x) => Array.isArray(x));
  if (!Array.isArray(raw) && !sections) return 'entries must be a list';
  for (const e of entriesOf(root)) {
    if (!isPlainObject(e)) return 'an entry must be a mapping';
    if (e.model === undefined) return 'an entry needs a model';
    if (e.identifiers !== undefined && !isPlainObject(e.identifiers) && !(e.identifiers instanceof Tagged)) return 'identifiers must be a mapping';
    if (e.attrs !== undefined && e.attrs !== null && !isPlainObject(e.attrs) && !(e.attrs instanceof Tagged)) return 'attrs must be a mapping';
    if (e.id !== undefined && e.id !== null && typeof e.id !== 'string') return 'id must be a string';
    if (typeof e.state === 'string' && !reg.states.includes(e.state)) return `'${e.state}' is not a valid BlueprintEntryDesiredState`;
  }
  return undefined;
}

function checkEntry(w: World, check: EntryCheck, entry: Value, declared: { model: string; ids: JsonObject }[]): string | undefined {
  const reg = w.schema.registry;
  const entryInvalid = w.schema.legacy ? 'entry invalid' : 'Entry invalid';
  if (!isPlainObject(entry)) return undefined;
  if (entry.model instanceof Tagged) return undefined;
  const modelName = typeof entry.model === 'string' ? entry.model : '';
  const info = findModel(reg, modelName);
  // authentik looks the model up before it evaluates conditions.
  if (!info) return w.schema.legacy ? 'app or model does not exist' : 'App or Model does not exist';
  const conditions = Array.isArray(entry.conditions) ? entry.conditions : [];
  if (conditions.some((c) => c instanceof Tagged || hasTag(c))) return undefined;
  if (!conditions.every((c) => pyTruthy(c as Json))) return undefined;
  if (info.kind === 'base') return `${entryInvalid}: Model ${info.model} not allowed`;
  if (info.kind === 'meta') return undefined;
  const state = entry.state ?? 'present';
  if (state instanceof Tagged) return undefined;
  if (typeof state !== 'string') return undefined;
  const ids = entry.identifiers ?? {};
  const attrs = entry.attrs ?? {};
  if (!isPlainObject(ids) || (attrs !== null && !isPlainObject(attrs))) return undefined;
  if (Object.keys(ids).length === 0) return `${entryInvalid}: No or invalid identifiers`;
  if (hasTag(ids) || hasTag(attrs) || 'pk' in ids) return undefined;
  const mv = w.schema.model(info.model);
  if (!mv) return undefined;
  const literalIds = ids as JsonObject;
  // Mapping identifiers are JSON-containment lookups; the sandbox does not guess what they match.
  if (Object.values(literalIds).some((v) => isJsonObject(v))) return undefined;
  const existing = findExisting(w, info.model, literalIds);
  const earlier = declared.some((d) => d.model === info.model && sameIds(d.ids, literalIds));
  declared.push({ model: info.model, ids: literalIds });
  if (state === 'absent' || ((existing || earlier) && state === 'created')) return undefined;
  const body: JsonObject = { ...((attrs ?? {}) as JsonObject), ...literalIds };
  const checked = check(mv, body, existing || earlier ? 'partial' : 'create', existing);
  if (checked.ok) return undefined;
  const errors = typeof checked.body === 'string' ? checked.body : pyRepr(checked.body);
  return `${entryInvalid}: Serializer errors ${errors}`;
}

function findExisting(w: World, model: string, ids: JsonObject): Rec | undefined {
  return w.store.all(model).find((r) => !r.hidden && Object.entries(ids).every(([k, v]) => sameJson(r.data[k], v)));
}

function sameIds(a: JsonObject, b: JsonObject): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => sameJson(a[k], b[k]!));
}

function sameJson(a: Json | undefined, b: Json): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function isPlainObject(v: Value | undefined): v is { [k: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tagged);
}

function hasTag(v: Value | undefined): boolean {
  if (v instanceof Tagged) return true;
  if (Array.isArray(v)) return v.some(hasTag);
  if (isPlainObject(v)) return Object.values(v).some(hasTag);
  return false;
}

function tagsIn(v: Value, out: Set<string> = new Set()): Set<string> {
  if (v instanceof Tagged) out.add(v.tag);
  else if (Array.isArray(v)) for (const x of v) tagsIn(x, out);
  else if (isPlainObject(v)) for (const x of Object.values(v)) tagsIn(x, out);
  return out;
}

/** The document as plain values, every `!Tag` node (of any kind) replaced by a Tagged marker. */
function toValue(doc: Document, node: unknown): Value {
  if (isAlias(node)) return toValue(doc, node.resolve(doc));
  const n = node as Node | null | undefined;
  if (n && 'tag' in n && typeof n.tag === 'string' && n.tag.startsWith('!') && !n.tag.startsWith('!!')) return new Tagged(n.tag);
  if (isMap(node)) {
    const out: { [k: string]: Value } = {};
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      out[k] = toValue(doc, pair.value);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((x) => toValue(doc, x));
  if (isScalar(node)) {
    const v = node.value;
    // PyYAML's YAML 1.1 booleans are the words only: a bare y/n stays a string.
    if (typeof v === 'boolean' && /^[yYnN]$/.test(String(node.source))) return String(node.source);
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof Date) return v.toISOString();
    return String(v);
  }
  return null;
}
