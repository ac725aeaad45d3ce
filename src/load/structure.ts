// The loaded document → blueprint structure, with the type checks authentik's dataclass
// conversion (dacite) makes when it constructs the importer: any of them failing rejects the
// whole file, so they are errors here. Unknown entry keys are ignored by authentik; they get a
// warning because they are almost always typos (`attr:`).
import type { ParsedEntry, SourceRange, TagNode, Value } from '../model/types.js';
import type { CodeDef } from '../diag/index.js';
import { C } from './codes.js';
import { report, seg, type LoadContext } from './context.js';
import { closest } from './suggest.js';
import { msg } from '../diag/index.js';

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
      err(C.topLevelTypo, `/${seg(k)}#key`, msg(C.topLevelTypo, 'unknownTopLevel', { k, guess }), msg(C.topLevelTypo, 'unknownTopLevelDetail', { guess }));
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
        msg(C.version, 'blueprintVersionMust', { found: describe(v) }),
        quoted ? msg(C.version, 'quotedDetail', {}) : msg(C.version, 'blueprintVersionMustDetail', {}),
      );
    }
  }

  let name: string | undefined;
  const labels: { [key: string]: string } = {};
  const metadata = root.metadata;
  if (metadata !== undefined && metadata !== null) {
    if (!isMapping(metadata)) {
      err(C.metadata, '/metadata', msg(C.metadata, 'metadataMustMapping', { found: describe(metadata) }), msg(C.metadata, 'metadataMustMappingDetail', {}));
    } else {
      if (!has(metadata, 'name')) err(C.metadata, '/metadata', msg(C.metadata, 'metadataNoName', {}), msg(C.metadata, 'metadataNoNameDetail', {}));
      else if (typeof metadata.name !== 'string')
        err(
          C.metadata,
          '/metadata/name',
          msg(C.metadata, 'metadataNameMust', { found: describe(metadata.name) }),
          msg(C.metadata, 'metadataNameMustDetail', {}),
        );
      else name = metadata.name;
      if (has(metadata, 'labels')) {
        const ls = metadata.labels;
        if (!isMapping(ls))
          err(C.labels, '/metadata/labels', msg(C.labels, 'metadataLabelsMust', { found: describe(ls) }), msg(C.labels, 'metadataLabelsMustDetail', {}));
        else {
          for (const [k, v] of Object.entries(ls)) {
            const p = `/metadata/labels/${seg(k)}`;
            if (ctx.nonStringKeys.has(p)) err(C.labels, `${p}#key`, msg(C.labels, 'labelKeyNot', { k }), msg(C.labels, 'labelKeyNotDetail', { k }));
            if (typeof v === 'string') labels[k] = v;
            else {
              const hint = typeof v === 'boolean' || typeof v === 'number' ? ` (write "${String(v)}" with quotes)` : '';
              err(C.labels, p, msg(C.labels, 'labelMustString', { k, found: describe(v) }), msg(C.labels, 'labelMustStringDetail', { hint }));
            }
          }
        }
      }
    }
  }

  let context: Obj = {};
  if (has(root, 'context')) {
    if (isMapping(root.context)) context = root.context;
    else err(C.context, '/context', msg(C.context, 'contextMustMapping', { found: describe(root.context) }), msg(C.context, 'contextMustMappingDetail', {}));
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
            msg(C.entries, 'entriesSectionMust', { sec, found: describe(list) }),
            msg(C.entries, 'entriesSectionMustDetail', { dynamic: isTag(list) ? DYNAMIC : '' }),
          );
          continue;
        }
        list.forEach((e, i) => entry(ctx, e, `${sp}/${i}`, entries, err, at));
      }
    } else err(C.entries, '/entries', msg(C.entries, 'entriesMustList', { found: describe(es) }), msg(C.entries, 'entriesMustListDetail', {}));
  }

  const out: Structure = { version, labels, context, entries };
  if (name !== undefined) out.name = name;
  return out;
}

type Err = (def: CodeDef, ptr: string, summary: string, detail: string) => void;

function entry(ctx: LoadContext, e: Value, ptr: string, out: ParsedEntry[], err: Err, at: (p: string) => SourceRange): void {
  if (!isMapping(e)) {
    err(C.entry, ptr, msg(C.entry, 'entryMustMapping', { found: describe(e) }), msg(C.entry, 'entryMustMappingDetail', { dynamic: isTag(e) ? DYNAMIC : '' }));
    return;
  }
  for (const k of Object.keys(e)) {
    if (ENTRY_KEYS.includes(k)) continue;
    const guess = closest(k, ENTRY_KEYS);
    err(
      C.unknownEntryKey,
      `${ptr}/${seg(k)}#key`,
      guess ? msg(C.unknownEntryKey, 'unknownKeyGuess', { k, guess }) : msg(C.unknownEntryKey, 'unknownKey', { k }),
      msg(C.unknownEntryKey, 'expectedOneAuthentik', { known: ENTRY_KEYS.join(', '), k }),
    );
  }

  let model: Value = null;
  if (!has(e, 'model')) err(C.model, ptr, msg(C.model, 'entryNoModel', {}), msg(C.model, 'entryNoModelDetail', {}));
  else if (typeof e.model === 'string' || isTag(e.model)) model = e.model;
  else err(C.model, `${ptr}/model`, msg(C.model, 'entryModelMust', { found: describe(e.model) }), msg(C.model, 'entryModelMustDetail', {}));

  let state: Value = 'present';
  if (has(e, 'state')) {
    const s = e.state;
    if (isTag(s) || (typeof s === 'string' && STATES.includes(s))) state = s;
    else
      err(
        C.state,
        `${ptr}/state`,
        msg(C.state, 'entryStateMust', { states: STATES.join(', '), found: describe(s) }),
        msg(C.state, 'entryStateMustDetail', { hint: typeof s === 'string' ? ' States are lower case.' : '' }),
      );
  }

  let id: string | undefined;
  if (has(e, 'id') && e.id !== null) {
    if (typeof e.id === 'string') id = e.id;
    else
      err(
        C.entryId,
        `${ptr}/id`,
        msg(C.entryId, 'entryIdMust', { found: describe(e.id) }),
        msg(C.entryId, 'entryIdMustDetail', { hint: typeof e.id === 'number' ? ` (quote it: "${String(e.id)}")` : '' }),
      );
  }

  const mapField = (field: 'identifiers' | 'attrs'): Obj => {
    if (!has(e, field)) return {};
    const v = e[field];
    if (v === null && field === 'attrs') return {};
    if (!isMapping(v)) {
      err(
        C.entryMapping,
        `${ptr}/${field}`,
        msg(C.entryMapping, 'entryMustMapping', { field, found: describe(v) }),
        msg(C.entryMapping, 'entryMustMappingDetail', { field }),
      );
      return {};
    }
    for (const k of Object.keys(v)) {
      const p = `${ptr}/${field}/${seg(k)}`;
      if (ctx.nonStringKeys.has(p))
        err(C.entryMapping, `${p}#key`, msg(C.entryMapping, 'keyNotString', { field, k }), msg(C.entryMapping, 'keyNotStringDetail', { k }));
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
        msg(C.conditions, 'entryConditionsMust', { found: describe(e.conditions) }),
        msg(C.conditions, 'entryConditionsMustDetail', {}),
      );
  }

  let permissions: Value[] = [];
  if (has(e, 'permissions')) {
    const ps = e.permissions;
    if (!Array.isArray(ps))
      err(
        C.permissions,
        `${ptr}/permissions`,
        msg(C.permissions, 'entryPermissionsMust', { found: describe(ps) }),
        msg(C.permissions, 'entryPermissionsMustDetail', {}),
      );
    else {
      ps.forEach((p, i) => {
        const pp = `${ptr}/permissions/${i}`;
        if (!isMapping(p))
          return err(
            C.permissions,
            pp,
            msg(C.permissions, 'permissionMustMapping', { found: describe(p) }),
            msg(C.permissions, 'permissionMustMappingDetail', {}),
          );
        if (!has(p, 'permission'))
          err(C.permissions, pp, msg(C.permissions, 'permissionNoPermission', {}), msg(C.permissions, 'permissionNoPermissionDetail', {}));
        else if (typeof p.permission !== 'string' && !isTag(p.permission))
          err(
            C.permissions,
            `${pp}/permission`,
            msg(C.permissions, 'permissionMustString', { found: describe(p.permission) }),
            msg(C.permissions, 'permissionMustStringDetail', {}),
          );
        if (has(p, 'user') && p.user !== null && !isTag(p.user) && !(typeof p.user === 'number' && Number.isInteger(p.user) && !ctx.floats.has(`${pp}/user`)))
          err(
            C.permissions,
            `${pp}/user`,
            msg(C.permissions, 'permissionUserMust', { found: describe(p.user) }),
            msg(C.permissions, 'permissionUserMustDetail', {}),
          );
        if (has(p, 'role') && p.role !== null && !isTag(p.role) && typeof p.role !== 'string')
          err(
            C.permissions,
            `${pp}/role`,
            msg(C.permissions, 'permissionRoleMust', { found: describe(p.role) }),
            msg(C.permissions, 'permissionRoleMustDetail', {}),
          );
      });
      permissions = ps;
    }
  }

  const parsed: ParsedEntry = { index: out.length, pointer: ptr, model, state, identifiers, attrs, conditions, permissions, range: at(ptr) };
  if (id !== undefined) parsed.id = id;
  out.push(parsed);
}
