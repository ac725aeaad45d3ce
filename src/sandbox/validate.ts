// Request bodies → stored values or a DRF-shaped 400 body, from the registry's field descriptions:
// required fields, types, choices, null/blank, lengths, slug patterns, FK existence, uniqueness,
// and the object-level checks authentik's serializers add (policy-binding subject, blueprint path).
import type { FieldInfo } from '../authentik/registry.js';
import type { Json, JsonObject } from '../model/types.js';
import { dryRun } from './dryrun.js';
import { findTarget, type World } from './render.js';
import type { ModelView, RefView } from './schema.js';
import { isJsonObject, type Rec } from './store.js';

export type Mode = 'create' | 'update' | 'partial';

export type Validated = { ok: true; values: JsonObject } | { ok: false; status: 400; body: JsonObject } | { ok: false; status: 500; body: string };

type FieldError = Json;

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const EMAIL_RE = /^[^@\s]+@[^@\s]+$/;
const SLUG_PATTERNS = new Set(['^[-a-zA-Z0-9_]+$', '^[-\\w]+\\Z', '^[-a-zA-Z0-9_]+\\Z']);

function pyType(v: unknown): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'dict';
}

export function normalizeUuid(v: string): string | undefined {
  if (!UUID_RE.test(v)) return undefined;
  const h = v.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Django's message for a value that is not a UUID (curly quotes included). */
function notUuid(v: unknown): string {
  return `“${typeof v === 'string' ? v : JSON.stringify(v)}” is not a valid UUID.`;
}

export function validateBody(w: World, mv: ModelView, body: unknown, mode: Mode, existing?: Rec): Validated {
  if (body === null) return { ok: false, status: 400, body: { non_field_errors: ['No data provided'] } };
  if (!isJsonObject(body)) {
    return { ok: false, status: 400, body: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${pyType(body)}.`] } };
  }
  // DRF refuses writable nested data for the nested read serializers the schema lists as request fields.
  // Any list or object reaches DRF's nested-write assertion, an empty list included.
  for (const f of mv.info.neverSend) {
    const v = body[f];
    if (v !== undefined && v !== null && typeof v === 'object') {
      return { ok: false, status: 500, body: '<h1>Server Error (500)</h1>' };
    }
  }
  const errors: { [f: string]: FieldError } = {};
  const values: JsonObject = {};
  if (mv.info.model === 'authentik_blueprints.blueprintinstance' && typeof body.content === 'string' && body.content.trim() !== '') {
    const dry = dryRun(w, body.content.trim(), (m, b, mode, existing) => validateBody(w, m, b, mode, existing));
    // The importer raises before validating: nothing in the serializer turns that into a 400.
    if (dry && 'crash' in dry) return { ok: false, status: 500, body: '<h1>Server Error (500)</h1>' };
    // 2023.6 joins the importer's events into one message; later releases list them under a header.
    if (dry)
      errors.content = w.schema.legacy
        ? [`Failed to validate blueprint: ${dry.events.join('\n')}`]
        : ['Failed to validate blueprint', ...dry.events.map((e) => `- ${e}`)];
  }
  for (const name of mv.writable) {
    const fi = mv.info.fields[name]!;
    if (!Object.hasOwn(body, name)) {
      if (mode !== 'partial' && mv.info.requiredOnCreate.includes(name)) errors[name] = ['This field is required.'];
      continue;
    }
    const ref = mv.refs[name];
    if (errors[name]) continue;
    const res = ref ? checkRef(w, ref, fi, body[name]!) : checkValue(fi, body[name]!);
    if ('error' in res) {
      errors[name] = res.error;
      continue;
    }
    values[name] = res.value;
  }
  for (const [name, msg] of Object.entries(fieldRules(mv, values))) errors[name] ??= [msg];
  for (const [name, msg] of Object.entries(uniqueErrors(w, mv, values, existing))) errors[name] ??= [msg];
  if (Object.keys(errors).length) return { ok: false, status: 400, body: errors };

  const objectErrors = objectRules(w, mv, values, mode, existing);
  if (objectErrors) return { ok: false, status: 400, body: objectErrors };
  return { ok: true, values };
}

type Checked = { value: Json } | { error: FieldError };

function checkValue(fi: FieldInfo, v: Json): Checked {
  if (v === null) return fi.nullable ? { value: null } : { error: ['This field may not be null.'] };
  if (fi.enum) {
    // DRF's ChoiceField looks choices up by str(value) and answers with the choice key: 6 → "6" when the choices are strings.
    const hit = typeof v === 'object' ? undefined : fi.enum.find((e) => e !== null && String(e) === String(v));
    if (hit === undefined || hit === null) {
      // DRF renders the rejected choice with str(); "" is the blank-choice message.
      if (v === '' && !fi.enum.includes('')) return { error: ['"" is not a valid choice.'] };
      return { error: [`"${typeof v === 'string' ? v : JSON.stringify(v)}" is not a valid choice.`] };
    }
    return { value: hit };
  }
  switch (fi.type) {
    case 'string':
      return checkString(fi, v);
    case 'integer': {
      const n = toInteger(v);
      return n === undefined ? { error: ['A valid integer is required.'] } : { value: n };
    }
    case 'number': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined;
      return n === undefined ? { error: ['A valid number is required.'] } : { value: n };
    }
    case 'boolean': {
      const b = toBoolean(v);
      return b === undefined ? { error: ['Must be a valid boolean.'] } : { value: b };
    }
    case 'array': {
      if (!Array.isArray(v)) return { error: [`Expected a list of items but got type "${pyType(v)}".`] };
      if (!fi.items) return { value: v };
      const out: Json[] = [];
      const errs: Json[] = [];
      let bad = false;
      for (const item of v) {
        const r = checkValue(fi.items, item);
        if ('error' in r) {
          bad = true;
          errs.push(r.error);
        } else {
          out.push(r.value);
          errs.push(fi.items.properties ? {} : []);
        }
      }
      if (!bad) return { value: out };
      // A list of nested objects reports per item; a list of scalars reports the first problem.
      if (fi.items.properties) return { error: errs };
      const first = errs.find((e) => Array.isArray(e) && e.length) as Json[];
      return { error: first };
    }
    case 'object': {
      if (!fi.properties) {
        return isJsonObject(v) ? { value: v } : { error: [`Expected a dictionary of items but got type "${pyType(v)}".`] };
      }
      if (!isJsonObject(v)) return { error: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${pyType(v)}.`] } };
      const errs: JsonObject = {};
      const out: JsonObject = {};
      for (const [k, p] of Object.entries(fi.properties)) {
        if (p.readOnly) continue;
        if (!(k in v)) {
          if (fi.required?.includes(k)) errs[k] = ['This field is required.'];
          continue;
        }
        const r = checkValue(p, v[k]!);
        if ('error' in r) errs[k] = r.error;
        else out[k] = r.value;
      }
      return Object.keys(errs).length ? { error: errs } : { value: out };
    }
    default:
      return { value: v };
  }
}

function checkString(fi: FieldInfo, v: Json): Checked {
  if (typeof v === 'boolean' || (typeof v !== 'string' && typeof v !== 'number')) return { error: ['Not a valid string.'] };
  let s = String(v);
  if (fi.format === 'uuid') {
    const u = normalizeUuid(s);
    return u ? { value: u } : { error: ['Must be a valid UUID.'] };
  }
  if (fi.format !== 'password') s = s.trim();
  if (s === '') {
    if ((fi.minLength ?? 0) >= 1 || fi.format === 'date-time') {
      return { error: [fi.format === 'date-time' ? dateTimeMessage : 'This field may not be blank.'] };
    }
    return { value: '' };
  }
  if (fi.format === 'date-time') {
    if (!DATETIME_RE.test(s) || Number.isNaN(Date.parse(s))) return { error: [dateTimeMessage] };
    return { value: new Date(s).toISOString().replace('.000Z', 'Z') };
  }
  if (fi.format === 'email' && !EMAIL_RE.test(s)) return { error: ['Enter a valid email address.'] };
  if (fi.format === 'uri' && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(s)) return { error: ['Enter a valid URL.'] };
  if (fi.maxLength !== undefined && s.length > fi.maxLength) {
    return { error: [`Ensure this field has no more than ${fi.maxLength} characters.`] };
  }
  if (fi.minLength !== undefined && fi.minLength > 1 && s.length < fi.minLength) {
    return { error: [`Ensure this field has at least ${fi.minLength} characters.`] };
  }
  if (fi.pattern) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(fi.pattern.replace(/\\Z$/, '$'));
    } catch {
      re = undefined;
    }
    if (re && !re.test(s)) {
      return {
        error: [
          SLUG_PATTERNS.has(fi.pattern)
            ? 'Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.'
            : 'This value does not match the required pattern.',
        ],
      };
    }
  }
  return { value: s };
}

const dateTimeMessage = 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';

export function toInteger(v: Json): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?\d+(\.0*)?\s*$/.test(v)) return Number.parseInt(v, 10);
  return undefined;
}

export function toBoolean(v: Json): boolean | undefined {
  if (v === true || v === 1) return true;
  if (v === false || v === 0) return false;
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (['true', '1', 'yes', 'on', 't', 'y'].includes(s)) return true;
    if (['false', '0', 'no', 'off', 'f', 'n'].includes(s)) return false;
  }
  return undefined;
}

function checkRef(w: World, ref: RefView, fi: FieldInfo, v: Json): Checked {
  if (ref.many) {
    if (v === null) return { error: ['This field may not be null.'] };
    if (!Array.isArray(v)) return { error: [`Expected a list of items but got type "${pyType(v)}".`] };
    const out: Json[] = [];
    for (const item of v) {
      const r = resolveRefValue(w, ref, fi.items ?? fi, item);
      if ('error' in r) return r;
      if (!out.includes(r.value)) out.push(r.value);
    }
    return { value: out };
  }
  if (v === null) return fi.nullable ? { value: null } : { error: ['This field may not be null.'] };
  return resolveRefValue(w, ref, fi, v);
}

/** A related pk as DRF's PrimaryKeyRelatedField checks it; the stored value is the target pk (pbm uuid for binding targets). */
function resolveRefValue(w: World, ref: RefView, fi: FieldInfo, v: Json): Checked {
  const integerPk = fi.type === 'integer';
  if (typeof v === 'boolean' || v === null || typeof v === 'object') {
    return { error: [`Incorrect type. Expected pk value, received ${pyType(v)}.`] };
  }
  let key: string | number;
  if (integerPk) {
    const n = toInteger(v);
    if (n === undefined) return { error: [`Incorrect type. Expected pk value, received ${pyType(v)}.`] };
    key = n;
  } else {
    const u = normalizeUuid(String(v));
    if (!u) return { error: [notUuid(String(v))] };
    key = u;
  }
  if (ref.policyBindingTarget) {
    const own = findTarget(w, ref.targetModels, key);
    const t = own ?? w.store.byPbmUuid(String(key));
    if (!t || !t.pbm) return { error: [`Invalid pk "${String(v)}" - object does not exist.`] };
    return { value: t.pbm };
  }
  const t = findTarget(w, ref.targetModels, key);
  if (!t) return { error: [`Invalid pk "${String(v)}" - object does not exist.`] };
  return { value: t.pk };
}

/** Field-level checks authentik's serializers add on top of the schema. */
function fieldRules(mv: ModelView, values: JsonObject): { [f: string]: string } {
  const out: { [f: string]: string } = {};
  if (mv.info.modelName === 'user' && typeof values.path === 'string') {
    const p = values.path;
    if (p.startsWith('/') || p.endsWith('/')) out.path = 'No leading or trailing slashes allowed.';
    else if (p.split('/').some((seg) => seg === '')) out.path = 'No empty segments in user path allowed.';
  }
  if (mv.info.model === 'authentik_core.token' && values.intent !== undefined && !['api', 'app_password'].includes(String(values.intent))) {
    out.intent = `Invalid intent ${String(values.intent)}`;
  }
  if (mv.info.model === 'authentik_blueprints.blueprintinstance' && typeof values.path === 'string') {
    // The sandbox has no blueprint files on disk, so only "" and oci:// references exist.
    if (values.path !== '' && !values.path.startsWith('oci://')) out.path = 'Blueprint file does not exist';
  }
  return out;
}

/** Model fields that declare their own `unique` error message (Django's AbstractUser.username). */
const UNIQUE_MESSAGES: { [field: string]: string } = {
  'authentik_core.user.username': 'A user with that username already exists.',
};

function uniqueErrors(w: World, mv: ModelView, values: JsonObject, existing?: Rec): { [f: string]: string } {
  const out: { [f: string]: string } = {};
  for (const f of mv.info.uniqueFields) {
    const v = values[f];
    if (v === undefined || v === null || !mv.writable.includes(f)) continue;
    const onBase = mv.family?.baseFields.includes(f) ?? false;
    const pool = onBase && mv.family ? mv.family.members : [mv.name];
    const clash = pool.some((m) => w.store.all(m).some((r) => r !== existing && !r.hidden && sameValue(r.data[f], v)));
    if (clash) {
      const verbose = onBase && mv.family && mv.family.members.length > 1 ? mv.family.baseVerbose : mv.info.verboseName;
      out[f] = UNIQUE_MESSAGES[`${mv.name}.${f}`] ?? `${verbose} with this ${f.replace(/_/g, ' ')} already exists.`;
    }
  }
  return out;
}

function sameValue(a: Json | undefined, b: Json): boolean {
  if (a === undefined) return false;
  // Scalars compare directly; uniqueness checks run over every record of a model on each write.
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function objectRules(w: World, mv: ModelView, values: JsonObject, mode: Mode, existing?: Rec): JsonObject | undefined {
  if (mv.bindingSubjects) {
    // authentik checks the submitted attrs only: a PATCH of `order` alone fails here.
    const set = ['policy', 'group', 'user'].filter((k) => values[k] !== undefined && values[k] !== null && values[k] !== '');
    if (set.length > 1) return { non_field_errors: ["Only one of 'policy', 'group' or 'user' can be set."] };
    if (set.length < 1) return { non_field_errors: ["One of 'policy', 'group' or 'user' must be set."] };
  }
  if (mv.info.model === 'authentik_blueprints.blueprintinstance') {
    if ((values.path ?? '') === '' && (values.content ?? '') === '') {
      return { non_field_errors: ['Either path or content must be set.'] };
    }
  }
  for (const set of mv.info.uniqueTogether) {
    if (!set.every((f) => mv.writable.includes(f) || mv.info.fields[f])) continue;
    const merged = set.map((f) => (values[f] !== undefined ? values[f] : existing?.data[f]));
    if (mode === 'partial' && set.every((f) => values[f] === undefined)) continue;
    // DRF skips the check when any member is null, and so does PostgreSQL: the (name, parent) loophole.
    if (merged.some((v) => v === undefined || v === null)) continue;
    const clash = w.store.all(mv.name).some((r) => r !== existing && set.every((f, i) => sameValue(r.data[f], merged[i]!)));
    if (clash) return { non_field_errors: [`The fields ${set.join(', ')} must make a unique set.`] };
  }
  return undefined;
}
