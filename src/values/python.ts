// Python value semantics the importer relies on: truthiness, str()/repr() of loaded YAML values
// and the `%` operator `!Format` uses. authentik evaluates these in Python, so a blueprint must
// compile to the same strings here (`%s` of a list prints `['a', 'b']`, of null prints `None`).
import type { Json } from '../model/types.js';

/** Python's bool(): empty containers, "", 0 and None are false; NaN is true (unlike JS). */
export function pyTruthy(v: Json): boolean {
  if (v === null || v === false) return false;
  if (v === true) return true;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

/** Python type name as it appears in TypeError messages. */
export function pyTypeName(v: Json): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/**
 * YAML integers and floats both arrive as JS numbers, so an integral value is printed as a
 * Python int (`1.0` in YAML prints `1`, where Python would print `1.0`).
 */
function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n)) return BigInt(n).toString();
  return pyFloatRepr(n);
}

/** repr(float): shortest round-trip digits, exponent form outside 1e-4 ≤ |x| < 1e16. */
function pyFloatRepr(n: number): string {
  const [mant, expStr] = n.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  if (exp >= -4 && exp < 16) {
    let s: string;
    if (exp < 0) s = `0.${'0'.repeat(-exp - 1)}${digits}`;
    else if (digits.length <= exp + 1) s = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
    else s = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    return (neg ? '-' : '') + s;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
  return `${neg ? '-' : ''}${m}e${exp < 0 ? '-' : '+'}${e}`;
}

export function pyRepr(v: Json, asciiOnly = false): string {
  if (typeof v === 'string') return pyStrRepr(v, asciiOnly);
  if (Array.isArray(v)) return `[${v.map((x) => pyRepr(x, asciiOnly)).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyStrRepr(k, asciiOnly)}: ${pyRepr(x, asciiOnly)}`)
      .join(', ')}}`;
  }
  return pyStr(v);
}

function pyStr(v: Json): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return v;
  return pyRepr(v);
}

// What str.isprintable() rejects (besides the ASCII controls handled first): repr escapes these.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function pyStrRepr(s: string, asciiOnly: boolean): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((asciiOnly && c > 0x7f) || (c !== 0x20 && NON_PRINTABLE.test(ch))) {
      out +=
        c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : c <= 0xffff ? `\\u${c.toString(16).padStart(4, '0')}` : `\\U${c.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

// ---------------------------------------------------------------------------------------------
// The `%` operator with a tuple of arguments, as `!Format` applies it.

/**
 * `tooLong`: the result would exceed `maxLength` (a width, a precision or the text itself), which
 * the caller reports as the limit it is rather than as a Python error.
 */
export type FormatResult = { ok: true; value: string } | { ok: false; error: string; tooLong?: true };

/** Longest string `%` may build unless told otherwise: far below V8's maximum string length. */
const DEFAULT_MAX_FORMAT_LENGTH = 8 * 1024 * 1024;

interface Spec {
  flags: string;
  width: number | undefined;
  precision: number | undefined;
  conv: string;
}

class PyError extends Error {}
class TooLong extends Error {}

export function pyPercentFormat(format: string, args: readonly Json[], opts: { maxLength?: number } = {}): FormatResult {
  const max = opts.maxLength ?? DEFAULT_MAX_FORMAT_LENGTH;
  // Checked before anything of that size is allocated: `%999999999s` must not reach ' '.repeat.
  const fits = (n: number, what: string): void => {
    if (n > max) throw new TooLong(`${what} ${n} is over the limit of ${max} characters`);
  };
  let out = '';
  let argi = 0;
  const next = (): Json => {
    if (argi >= args.length) throw new PyError('not enough arguments for format string');
    return args[argi++]!;
  };
  try {
    let i = 0;
    while (i < format.length) {
      const pct = format.indexOf('%', i);
      if (pct < 0) {
        out += format.slice(i);
        break;
      }
      out += format.slice(i, pct);
      i = pct + 1;
      if (i >= format.length) throw new PyError('incomplete format');
      if (format[i] === '(') throw new PyError('format requires a mapping');
      let flags = '';
      while (i < format.length && '-+ #0'.includes(format[i]!)) flags += format[i++];
      let width: number | undefined;
      if (format[i] === '*') {
        width = starArg(next());
        i++;
        if (width < 0) {
          flags += '-';
          width = -width;
        }
      } else {
        const m = /^\d+/.exec(format.slice(i));
        if (m) {
          width = Number(m[0]);
          i += m[0].length;
        }
      }
      let precision: number | undefined;
      if (format[i] === '.') {
        i++;
        if (format[i] === '*') {
          precision = Math.max(0, starArg(next()));
          i++;
        } else {
          const m = /^\d*/.exec(format.slice(i))!;
          precision = m[0] ? Number(m[0]) : 0;
          i += m[0].length;
        }
      }
      // CPython skips one length modifier (`%ld`); a second one is the conversion character.
      if (i < format.length && 'hlL'.includes(format[i]!)) i++;
      if (i >= format.length) throw new PyError('incomplete format');
      const conv = format[i]!;
      if (width !== undefined) fits(width, 'width');
      if (precision !== undefined && !'sra'.includes(conv)) fits(precision, 'precision');
      const spec: Spec = { flags, width, precision, conv };
      if (conv === '%') out += '%';
      else out += convert(spec, next(), i);
      fits(out.length, 'result length');
      i++;
    }
    fits(out.length, 'result length');
    if (argi < args.length) throw new PyError('not all arguments converted during string formatting');
  } catch (e) {
    if (e instanceof PyError) return { ok: false, error: e.message };
    if (e instanceof TooLong) return { ok: false, error: e.message, tooLong: true };
    throw e;
  }
  return { ok: true, value: out };
}

function starArg(v: Json): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new PyError('* wants int');
  return v;
}

function convert(spec: Spec, v: Json, index: number): string {
  const { conv } = spec;
  switch (conv) {
    case 's':
    case 'r':
    case 'a': {
      let s = conv === 's' ? pyStr(v) : pyRepr(v, conv === 'a');
      if (spec.precision !== undefined) s = [...s].slice(0, spec.precision).join('');
      return pad(spec, '', s, false);
    }
    case 'c': {
      let ch: string;
      if (typeof v === 'string') {
        if ([...v].length !== 1) throw new PyError('%c requires int or char');
        ch = v;
      } else if (typeof v === 'number' || typeof v === 'boolean') {
        const n = Number(v);
        if (!Number.isInteger(n)) throw new PyError('%c requires int or char');
        if (n < 0 || n > 0x10ffff) throw new PyError('%c arg not in range(0x110000)');
        ch = String.fromCodePoint(n);
      } else throw new PyError('%c requires int or char');
      return pad(spec, '', ch, false);
    }
    case 'd':
    case 'i':
    case 'u': {
      const n = realArg(v, `%${conv} format: a real number is required, not ${pyTypeName(v)}`);
      if (!Number.isFinite(n)) throw new PyError(`cannot convert float ${Number.isNaN(n) ? 'NaN' : 'infinity'} to integer`);
      return integer(spec, BigInt(Math.trunc(n)), 10, '');
    }
    case 'x':
    case 'X':
    case 'o': {
      const n = realArg(v, `%${conv} format: an integer is required, not ${pyTypeName(v)}`);
      if (!Number.isInteger(n)) throw new PyError(`%${conv} format: an integer is required, not float`);
      const prefix = spec.flags.includes('#') ? (conv === 'o' ? '0o' : conv === 'x' ? '0x' : '0X') : '';
      return integer(spec, BigInt(n), conv === 'o' ? 8 : 16, prefix);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G': {
      const n = realArg(v, `must be real number, not ${pyTypeName(v)}`);
      return floating(spec, n);
    }
    default: {
      const code = conv.codePointAt(0)!;
      throw new PyError(`unsupported format character '${conv}' (0x${code.toString(16)}) at index ${index}`);
    }
  }
}

function realArg(v: Json, message: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  throw new PyError(message);
}

function sign(spec: Spec, negative: boolean): string {
  if (negative) return '-';
  if (spec.flags.includes('+')) return '+';
  if (spec.flags.includes(' ')) return ' ';
  return '';
}

/** Width handling: `-` left-justifies, `0` pads numbers with zeros after sign and prefix. */
function pad(spec: Spec, prefix: string, body: string, numeric: boolean): string {
  const len = [...prefix].length + [...body].length;
  const width = spec.width ?? 0;
  if (len >= width) return prefix + body;
  const fill = width - len;
  if (spec.flags.includes('-')) return prefix + body + ' '.repeat(fill);
  if (numeric && spec.flags.includes('0')) return prefix + '0'.repeat(fill) + body;
  return ' '.repeat(fill) + prefix + body;
}

function integer(spec: Spec, n: bigint, radix: number, altPrefix: string): string {
  const neg = n < 0n;
  let digits = (neg ? -n : n).toString(radix);
  if (spec.conv === 'X') digits = digits.toUpperCase();
  if (spec.precision !== undefined && digits.length < spec.precision) digits = digits.padStart(spec.precision, '0');
  return pad(spec, sign(spec, neg) + altPrefix, digits, true);
}

function floating(spec: Spec, n: number): string {
  const upper = spec.conv === 'E' || spec.conv === 'F' || spec.conv === 'G';
  const neg = n < 0 || Object.is(n, -0);
  const abs = Math.abs(n);
  if (!Number.isFinite(abs)) {
    const s = Number.isNaN(abs) ? 'nan' : 'inf';
    return pad({ ...spec, flags: spec.flags.replace('0', '') }, sign(spec, neg && !Number.isNaN(n)), upper ? s.toUpperCase() : s, true);
  }
  const p = spec.precision ?? 6;
  const alt = spec.flags.includes('#');
  let body: string;
  const lower = spec.conv.toLowerCase();
  if (lower === 'f') body = fixed(abs, p, alt);
  else if (lower === 'e') body = expo(abs, p, alt);
  else body = general(abs, p === 0 ? 1 : p, alt);
  if (upper) body = body.toUpperCase();
  return pad(spec, sign(spec, neg), body, true);
}

/**
 * JS toFixed rounds exact ties up; Python rounds them to even ('%.0f' % 2.5 == '2'). Ties are
 * detected on the exact decimal expansion of the double.
 */
function fixed(abs: number, p: number, alt: boolean): string {
  let s: string;
  if (abs >= 1e21) s = BigInt(abs).toString() + (p > 0 ? '.' + '0'.repeat(p) : '');
  else if (p > 70) s = exactFixed(abs, p);
  else {
    s = abs.toFixed(p);
    if (p <= 70) {
      const exact = abs.toFixed(Math.min(100, p + 30));
      const cut = p === 0 ? exact.indexOf('.') : exact.indexOf('.') + 1 + p;
      const rest = exact.slice(cut).replace('.', '');
      if (/^50*$/.test(rest)) {
        const truncated = exact.slice(0, cut);
        const lastDigit = Number(truncated.replace('.', '').slice(-1));
        s = lastDigit % 2 === 0 ? truncated : incrementDecimal(truncated);
        if (s.endsWith('.')) s = s.slice(0, -1);
      }
    }
  }
  if (alt && p === 0) s += '.';
  return s;
}

/**
 * A double is m·2^e exactly, so its decimal expansion to p places is m·10^p/2^-e rounded half to
 * even, which is what CPython prints for any precision (toFixed stops at 100 digits).
 */
function exactFixed(abs: number, p: number): string {
  const [mant, exp] = decompose(abs);
  let scaled: bigint;
  if (exp >= 0) scaled = (mant << BigInt(exp)) * 10n ** BigInt(p);
  else {
    const den = 1n << BigInt(-exp);
    const num = mant * 10n ** BigInt(p);
    scaled = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && scaled % 2n === 1n)) scaled += 1n;
  }
  const digits = scaled.toString().padStart(p + 1, '0');
  return p === 0 ? digits : `${digits.slice(0, -p)}.${digits.slice(-p)}`;
}

/** [m, e] with abs = m·2^e, m an integer. */
function decompose(abs: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, abs);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return [frac, -1074];
  return [frac | (1n << 52n), biased - 1075];
}

function incrementDecimal(s: string): string {
  const chars = s.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] === '.') continue;
    if (chars[i] === '9') chars[i] = '0';
    else {
      chars[i] = String(Number(chars[i]) + 1);
      return chars.join('');
    }
  }
  return '1' + chars.join('');
}

function expo(abs: number, p: number, alt: boolean): string {
  const [m, e] = abs.toExponential(Math.min(100, p)).split('e') as [string, string];
  const exp = Number(e);
  let mant = m;
  if (p > 100) mant += '0'.repeat(p - 100);
  if (alt && p === 0) mant += '.';
  const ee = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
  return `${mant}e${exp < 0 ? '-' : '+'}${ee}`;
}

function general(abs: number, p: number, alt: boolean): string {
  const exp = abs === 0 ? 0 : Number(abs.toExponential(Math.min(100, p - 1)).split('e')[1]);
  let s: string;
  if (exp >= -4 && exp < p) s = fixed(abs, p - 1 - exp, alt);
  else s = expo(abs, p - 1, alt);
  if (!alt) {
    const [mant, e] = s.split('e') as [string, string | undefined];
    let m = mant;
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    s = e === undefined ? m : `${m}e${e}`;
  }
  return s;
}
