// The loaded document → blueprint structure, with the type checks authentik's dataclass
// conversion (dacite) makes when it constructs the importer: any of them failing rejects the
// whole file, so they are errors here. Unknown entry keys are ignored by authentik; they get a
// warning because they are almost always typos (`attr:`).
import type { ParsedEntry, SourceRange, TagNode, Value } from '../model/types.js';
import type { CodeDef } from '../diag/index.js';
import { C } from './codes.js';
import { report, seg, type LoadContext } from './context.js';
import { closest } from './suggest.js';

type Obj = { [key: string]: Value };

export interface Structure {
  version: number;
  name?: string;
  labels: { [key: string]: string };
  context: Obj;
  entries: ParsedEntry[];
}

const TOP_KEYS = ['version', 'metadata', 'context', 'entries'];
const ENTRY_KEYS = ['model', 'state', 'id', 'identifiers', 'attrs', 'conditions', 'permissions'];
const STATES = ['present', 'created', 'must_created', 'absent'];
const DYNAMIC = ' Entries produced by a tag ("dynamic entries", authentik PR #20490) are not in any released authentik version.';

function isTag(v: Value | undefined): v is TagNode {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as { $tag?: unknown }).$tag === 'string' &&
    typeof (v as { pointer?: unknown }).pointer === 'string'
  );
}

export function isMapping(v: Value | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isTag(v);
}

function has(o: Obj, k: string): boolean {
  return Object.hasOwn(o, k);
}

function describe(v: Value | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isTag(v)) return `a !${v.$tag} tag`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v === 'number' ? 'the number' : 'the boolean'} ${String(v)}`;
}

export function buildStructure(ctx: LoadContext, root: Obj): Structure {
  const at = (ptr: string): SourceRange => ctx.pointers.get(ptr) ?? ctx.pointers.get('') ?? { uri: ctx.uri, start: 0, end: 0 };
  const err = (def: CodeDef, ptr: string, summary: string, detail: string) => {
    const r = at(ptr);
    report(ctx, def, summary, detail, r.start, r.end);
  };

  for (const k of Object.keys(root)) {
    if (TOP_KEYS.includes(k)) continue;
    const guess = closest(k, TOP_KEYS);
    if (guess)
      err(
        C.topLevelTypo,
        `/${seg(k)}#key`,
        `Unknown top-level key "${k}" — did you mean "${guess}"?`,
        `Expected "${guess}"; authentik ignores unknown top-level keys, so this part of the file has no effect.`,
      );
  }

  // version: an int equal to 1; absent means 1.
  let version = 1;
  if (has(root, 'version')) {
    const v = root.version;
    const isInt = typeof v === 'number' && Number.isInteger(v) && !ctx.floats.has('/version');
    if (isInt) version = v;
    if (!isInt || v !== 1) {
      const quoted = typeof v === 'string' && v.trim() === '1';
      err(
        C.version,
        '/version',
        `Blueprint version must be the integer 1, found ${describe(v)}`,
        quoted
          ? 'Expected version: 1 without quotes; authentik rejects a string version.'
          : 'Expected version: 1 (the only blueprint format version authentik knows).',
      );
    }
  }

  let name: string | undefined;
  const labels: { [key: string]: string } = {};
  const metadata = root.metadata;
  if (metadata !== undefined && metadata !== null) {
    if (!isMapping(metadata)) {
      err(C.metadata, '/metadata', `metadata must be a mapping, found ${describe(metadata)}`, 'Expected metadata: {name: …, labels: {…}}.');
    } else {
      if (!has(metadata, 'name'))
        err(C.metadata, '/metadata', 'metadata has no name', 'Expected metadata.name (a string): authentik requires it when metadata is present.');
      else if (typeof metadata.name !== 'string')
        err(
          C.metadata,
          '/metadata/name',
          `metadata.name must be a string, found ${describe(metadata.name)}`,
          'Expected a plain string (tags are not resolved in metadata); quote it if it looks like a number or boolean.',
        );
      else name = metadata.name;
      if (has(metadata, 'labels')) {
        const ls = metadata.labels;
        if (!isMapping(ls))
          err(C.labels, '/metadata/labels', `metadata.labels must be a mapping, found ${describe(ls)}`, 'Expected a mapping of string → string.');
        else {
          for (const [k, v] of Object.entries(ls)) {
            const p = `/metadata/labels/${seg(k)}`;
            if (ctx.nonStringKeys.has(p)) err(C.labels, `${p}#key`, `Label key ${k} is not a string`, `Expected a string key; quote it ("${k}").`);
            if (typeof v === 'string') labels[k] = v;
            else {
              const hint = typeof v === 'boolean' || typeof v === 'number' ? ` (write "${String(v)}" with quotes)` : '';
              err(
                C.labels,
                p,
                `Label "${k}" must be a string, found ${describe(v)}`,
                `Expected a quoted string${hint}: authentik rejects the whole blueprint when a label value is not a string.`,
              );
            }
          }
        }
      }
    }
  }

  let context: Obj = {};
  if (has(root, 'context')) {
    if (isMapping(root.context)) context = root.context;
    else err(C.context, '/context', `context must be a mapping, found ${describe(root.context)}`, 'Expected context: {key: value, …}.');
  }

  const entries: ParsedEntry[] = [];
  if (has(root, 'entries')) {
    const es = root.entries;
    if (Array.isArray(es)) es.forEach((e, i) => entry(ctx, e, `/entries/${i}`, entries, err, at));
    else if (isMapping(es)) {
      // Sections run in document order; a JS object would put integer-like names first.
      const names = Object.keys(es).sort((a, b) => at(`/entries/${seg(a)}#key`).start - at(`/entries/${seg(b)}#key`).start);
      for (const sec of names) {
        const list = es[sec];
        const sp = `/entries/${seg(sec)}`;
        if (!Array.isArray(list)) {
          err(
            C.entries,
            sp,
            `Entries section "${sec}" must be a list, found ${describe(list)}`,
            `Expected entries: {section-name: [entry, …], …}.${isTag(list) ? DYNAMIC : ''}`,
          );
          continue;
        }
        list.forEach((e, i) => entry(ctx, e, `${sp}/${i}`, entries, err, at));
      }
    } else
      err(
        C.entries,
        '/entries',
        `entries must be a list, found ${describe(es)}`,
        'Expected entries: [ {model: …, identifiers: …, attrs: …}, … ] (or a mapping of section name → list).',
      );
  }

  const out: Structure = { version, labels, context, entries };
  if (name !== undefined) out.name = name;
  return out;
}

type Err = (def: CodeDef, ptr: string, summary: string, detail: string) => void;

function entry(ctx: LoadContext, e: Value, ptr: string, out: ParsedEntry[], err: Err, at: (p: string) => SourceRange): void {
  if (!isMapping(e)) {
    err(
      C.entry,
      ptr,
      `Entry must be a mapping, found ${describe(e)}`,
      `Expected an entry such as {model: app_label.model, identifiers: {…}, attrs: {…}}.${isTag(e) ? DYNAMIC : ''}`,
    );
    return;
  }
  for (const k of Object.keys(e)) {
    if (ENTRY_KEYS.includes(k)) continue;
    const guess = closest(k, ENTRY_KEYS);
    err(
      C.unknownEntryKey,
      `${ptr}/${seg(k)}#key`,
      guess ? `Unknown entry key "${k}" — did you mean "${guess}"?` : `Unknown entry key "${k}"`,
      `Expected one of ${ENTRY_KEYS.join(', ')}; authentik silently ignores "${k}".`,
    );
  }

  let model: Value = null;
  if (!has(e, 'model')) err(C.model, ptr, 'Entry has no model', 'Expected model: app_label.modelname (e.g. authentik_flows.flow).');
  else if (typeof e.model === 'string' || isTag(e.model)) model = e.model;
  else
    err(C.model, `${ptr}/model`, `Entry model must be a string, found ${describe(e.model)}`, 'Expected model: app_label.modelname, or a tag that yields one.');

  let state: Value = 'present';
  if (has(e, 'state')) {
    const s = e.state;
    if (isTag(s) || (typeof s === 'string' && STATES.includes(s))) state = s;
    else
      err(
        C.state,
        `${ptr}/state`,
        `Entry state must be one of ${STATES.join(', ')}, found ${describe(s)}`,
        `Expected state: present (default), created, must_created or absent.${typeof s === 'string' ? ' States are lower case.' : ''}`,
      );
  }

  let id: string | undefined;
  if (has(e, 'id') && e.id !== null) {
    if (typeof e.id === 'string') id = e.id;
    else
      err(
        C.entryId,
        `${ptr}/id`,
        `Entry id must be a string, found ${describe(e.id)}`,
        `Expected a string id${typeof e.id === 'number' ? ` (quote it: "${String(e.id)}")` : ''}; ids are not tag-resolved.`,
      );
  }

  const mapField = (field: 'identifiers' | 'attrs'): Obj => {
    if (!has(e, field)) return {};
    const v = e[field];
    if (v === null && field === 'attrs') return {};
    if (!isMapping(v)) {
      err(C.entryMapping, `${ptr}/${field}`, `Entry ${field} must be a mapping, found ${describe(v)}`, `Expected ${field}: {field: value, …}.`);
      return {};
    }
    for (const k of Object.keys(v)) {
      const p = `${ptr}/${field}/${seg(k)}`;
      if (ctx.nonStringKeys.has(p))
        err(C.entryMapping, `${p}#key`, `${field} key ${k} is not a string`, `Expected a field name; quote it ("${k}") if it really is one.`);
    }
    return v;
  };
  const identifiers = mapField('identifiers');
  const attrs = mapField('attrs');

  let conditions: Value[] = [];
  if (has(e, 'conditions')) {
    if (Array.isArray(e.conditions)) conditions = e.conditions;
    else
      err(
        C.conditions,
        `${ptr}/conditions`,
        `Entry conditions must be a list, found ${describe(e.conditions)}`,
        'Expected conditions: [ value-or-tag, … ]; the entry is applied only when every item is truthy.',
      );
  }

  let permissions: Value[] = [];
  if (has(e, 'permissions')) {
    const ps = e.permissions;
    if (!Array.isArray(ps))
      err(
        C.permissions,
        `${ptr}/permissions`,
        `Entry permissions must be a list, found ${describe(ps)}`,
        'Expected permissions: [ {permission: codename, user: pk} or {permission: codename, role: uuid}, … ].',
      );
    else {
      ps.forEach((p, i) => {
        const pp = `${ptr}/permissions/${i}`;
        if (!isMapping(p))
          return err(
            C.permissions,
            pp,
            `Permission must be a mapping, found ${describe(p)}`,
            'Expected {permission: codename, user: pk} or {permission: codename, role: uuid}.',
          );
        if (!has(p, 'permission')) err(C.permissions, pp, 'Permission has no "permission"', 'Expected permission: codename (or app_label.codename).');
        else if (typeof p.permission !== 'string' && !isTag(p.permission))
          err(
            C.permissions,
            `${pp}/permission`,
            `permission must be a string, found ${describe(p.permission)}`,
            'Expected a permission codename such as view_flow.',
          );
        if (has(p, 'user') && p.user !== null && !isTag(p.user) && !(typeof p.user === 'number' && Number.isInteger(p.user) && !ctx.floats.has(`${pp}/user`)))
          err(
            C.permissions,
            `${pp}/user`,
            `permission user must be an integer user pk, found ${describe(p.user)}`,
            'Expected user: <integer pk> (or a tag such as !Find that yields one).',
          );
        if (has(p, 'role') && p.role !== null && !isTag(p.role) && typeof p.role !== 'string')
          err(
            C.permissions,
            `${pp}/role`,
            `permission role must be a role UUID string, found ${describe(p.role)}`,
            'Expected role: <uuid> (or a tag such as !Find that yields one).',
          );
      });
      permissions = ps;
    }
  }

  const parsed: ParsedEntry = { index: out.length, pointer: ptr, model, state, identifiers, attrs, conditions, permissions, range: at(ptr) };
  if (id !== undefined) parsed.id = id;
  out.push(parsed);
}
