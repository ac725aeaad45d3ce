// Scalar resolution exactly as PyYAML's SafeLoader does it (YAML 1.1 implicit resolvers and the
// SafeConstructor), because authentik loads blueprints with PyYAML. The `yaml` package's own
// yaml-1.1 schema differs in corners (it reads `y`/`n` as booleans, `1e3` as a float), so it is
// not used: the document is parsed with the failsafe schema and every plain scalar comes here.
//
// Representation choices where Python types have no JSON twin:
// - `.inf`/`.nan` become JS Infinity/NaN (still numbers; JSON output must handle them).
// - timestamps become the ISO-8601 string DRF's JSON encoder prints for the Python object:
//   dates `YYYY-MM-DD`; datetimes `YYYY-MM-DDTHH:MM:SS[.ffffff]` plus `Z` for UTC or `±HH:MM`,
//   nothing for naive ones.
// - integers beyond 2^53 lose precision (flagged `inexact` so load can warn).
import { msg } from '../diag/index.js';
import { C } from './codes.js';

type ScalarKind = 'null' | 'bool' | 'int' | 'float' | 'str' | 'timestamp' | 'merge' | 'value';

export type Resolved =
  | { ok: true; kind: ScalarKind; value: null | boolean | number | string; inexact?: boolean }
  | { ok: false; kind: ScalarKind; message: string };

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const TIMESTAMP_IMPLICIT =
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9]{2})?))?)$/;
const TIMESTAMP_PARTS =
  /^([0-9]{4})-([0-9][0-9]?)-([0-9][0-9]?)(?:(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9][0-9]?)(?::([0-9]{2}))?))?)?$/;

const BOOL_VALUES: { [k: string]: boolean } = { yes: true, no: false, true: true, false: false, on: true, off: false };

/** The type PyYAML gives a plain (unquoted, untagged) scalar, and its value. */
export function resolvePlain(s: string): Resolved {
  if (s.length === 0) return { ok: true, kind: 'null', value: null };
  const c = s.charCodeAt(0);
  // First-character dispatch mirrors PyYAML's resolver table and keeps ordinary words fast.
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    if (FLOAT.test(s)) return constructFloat(s);
    if (c !== 46 && INT.test(s)) return constructInt(s);
    if (c >= 48 && c <= 57 && TIMESTAMP_IMPLICIT.test(s)) return constructTimestamp(s);
    return str(s);
  }
  switch (s[0]) {
    case 'y':
    case 'Y':
    case 't':
    case 'T':
    case 'f':
    case 'F':
    case 'o':
    case 'O':
      return BOOL.test(s) ? { ok: true, kind: 'bool', value: BOOL_VALUES[s.toLowerCase()]! } : str(s);
    case 'n':
    case 'N':
      if (BOOL.test(s)) return { ok: true, kind: 'bool', value: BOOL_VALUES[s.toLowerCase()]! };
      return NULL.test(s) ? { ok: true, kind: 'null', value: null } : str(s);
    case '~':
      return s === '~' ? { ok: true, kind: 'null', value: null } : str(s);
    case '<':
      return s === '<<' ? { ok: true, kind: 'merge', value: s } : str(s);
    case '=':
      return s === '=' ? { ok: true, kind: 'value', value: s } : str(s);
    default:
      return str(s);
  }
}

/** A scalar with an explicit standard tag (`!!int "12"`), built by PyYAML's SafeConstructor. */
export function constructTagged(kind: 'null' | 'bool' | 'int' | 'float' | 'str' | 'timestamp', s: string): Resolved {
  switch (kind) {
    case 'str':
      return str(s);
    case 'null':
      return { ok: true, kind, value: null };
    case 'bool': {
      const v = BOOL_VALUES[s.toLowerCase()];
      return v === undefined ? bad(kind, msg(C.badTypedScalar, 'notBoolean', {})) : { ok: true, kind, value: v };
    }
    case 'int':
      return constructInt(s);
    case 'float':
      return constructFloat(s);
    case 'timestamp':
      return constructTimestamp(s);
  }
}

function str(s: string): Resolved {
  return { ok: true, kind: 'str', value: s };
}

// Messages never quote the scalar: load does not know which field it is in, and a password or
// key written with a wrong type must not reach the output. The subject range points at it.
function bad(kind: ScalarKind, message: string): Resolved {
  return { ok: false, kind, message };
}

function constructInt(raw: string): Resolved {
  let s = raw.replace(/_/g, '');
  let sign = 1;
  if (s[0] === '-') sign = -1;
  if (s[0] === '+' || s[0] === '-') s = s.slice(1);
  let n: number;
  if (s === '0') n = 0;
  else if (s.startsWith('0b')) n = parseDigits(s.slice(2), 2);
  else if (s.startsWith('0x')) n = parseDigits(s.slice(2), 16);
  else if (s.startsWith('0') && s.length > 1) n = parseDigits(s.slice(1), 8);
  else if (s.includes(':')) {
    n = 0;
    for (const part of s.split(':')) {
      const d = parseDigits(part, 10);
      n = Number.isNaN(d) ? NaN : n * 60 + d;
    }
  } else n = parseDigits(s, 10);
  if (Number.isNaN(n)) return bad('int', msg(C.badTypedScalar, 'notInteger', {}));
  const value = n === 0 ? 0 : sign * n;
  return Number.isSafeInteger(value) ? { ok: true, kind: 'int', value } : { ok: true, kind: 'int', value, inexact: true };
}

const DIGITS: { [radix: number]: RegExp } = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ };

function parseDigits(s: string, radix: number): number {
  if (!DIGITS[radix]!.test(s)) return NaN;
  if (radix === 10) return Number(s);
  return s.length <= 12 ? parseInt(s, radix) : Number(BigInt((radix === 16 ? '0x' : radix === 8 ? '0o' : '0b') + s));
}

function constructFloat(raw: string): Resolved {
  let s = raw.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (s[0] === '-') sign = -1;
  if (s[0] === '+' || s[0] === '-') s = s.slice(1);
  if (s === '.inf') return { ok: true, kind: 'float', value: sign * Infinity };
  if (s === '.nan') return { ok: true, kind: 'float', value: NaN };
  let n: number;
  if (s.includes(':')) {
    n = 0;
    for (const part of s.split(':')) n = n * 60 + pyFloat(part);
  } else n = pyFloat(s);
  if (Number.isNaN(n)) return bad('float', msg(C.badTypedScalar, 'notNumber', {}));
  return { ok: true, kind: 'float', value: sign * n };
}

// Python's float() of the digit forms the regexes let through ("1.", ".5", "1.e-3", "12").
function pyFloat(s: string): number {
  return /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?$/.test(s) ? Number(s) : NaN;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function constructTimestamp(raw: string): Resolved {
  const m = TIMESTAMP_PARTS.exec(raw);
  if (!m) return bad('timestamp', msg(C.badTypedScalar, 'notTimestamp', {}));
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = month === 2 && leap ? 29 : DAYS[month - 1];
  if (year < 1 || dim === undefined || day < 1 || day > dim) return bad('timestamp', msg(C.badTypedScalar, 'notDate', {}));
  const date = `${m[1]}-${pad(month)}-${pad(day)}`;
  if (m[4] === undefined) return { ok: true, kind: 'timestamp', value: date };
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return bad('timestamp', msg(C.badTypedScalar, 'notTime', {}));
  const fraction = (m[7] ?? '').slice(0, 6).padEnd(6, '0');
  let out = `${date}T${pad(hour)}:${pad(minute)}:${pad(second)}`;
  if (Number(fraction) !== 0) out += `.${fraction}`;
  if (m[9] !== undefined) {
    const offset = Number(m[10]) * 60 + Number(m[11] ?? 0);
    if (offset >= 24 * 60) return bad('timestamp', msg(C.badTypedScalar, 'offsetTooLarge', {}));
    out += offset === 0 ? 'Z' : `${m[9]}${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
  } else if (m[8] === 'Z') out += 'Z';
  return { ok: true, kind: 'timestamp', value: out };
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
