// YAML for plain JSON data (compile's output), written directly: the `yaml` package builds a
// node tree first and took most of a large compile's time. Strings that YAML 1.1 or 1.2 could read
// as anything but that string are written as JSON strings, which are valid double-quoted YAML.

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_ ./@+-]*$/;
// YAML 1.1 (PyYAML, authentik) also reads these as booleans or null.
const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n)$/i;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  const s = String(v);
  return PLAIN.test(s) && !s.endsWith(' ') && !RESERVED.test(s) ? s : JSON.stringify(s);
}

function isCollection(v: unknown): v is object {
  return v !== null && typeof v === 'object';
}

function isEmpty(v: object): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
}

function emit(v: unknown, pad: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (!isCollection(item) || isEmpty(item)) out.push(`${pad}- ${isCollection(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`);
      else {
        // The first line of the item's block goes after the dash; the rest lines up under it.
        const inner: string[] = [];
        emit(item, `${pad}  `, inner);
        out.push(`${pad}- ${inner[0]!.slice(pad.length + 2)}`, ...inner.slice(1));
      }
    }
    return;
  }
  for (const [k, x] of Object.entries(v as { [k: string]: unknown })) {
    if (x === undefined) continue;
    const key = scalar(k);
    if (!isCollection(x)) out.push(`${pad}${key}: ${scalar(x)}`);
    else if (isEmpty(x)) out.push(`${pad}${key}: ${Array.isArray(x) ? '[]' : '{}'}`);
    else {
      out.push(`${pad}${key}:`);
      emit(x, Array.isArray(x) ? pad : `${pad}  `, out);
    }
  }
}

/** Block-style YAML of a JSON-compatible value (no anchors, no tags), ending in a newline. */
export function plainYaml(v: unknown): string {
  if (!isCollection(v) || isEmpty(v)) return `${isCollection(v) ? (Array.isArray(v) ? '[]' : '{}') : scalar(v)}\n`;
  const out: string[] = [];
  emit(v, '', out);
  return `${out.join('\n')}\n`;
}
