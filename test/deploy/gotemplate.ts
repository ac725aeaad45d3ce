// A renderer for the subset of Go templates (and Helm's functions) the chart uses, so the chart
// can be rendered and checked without helm. Anything outside the subset throws, so the chart
// cannot drift into constructs this renderer would get wrong silently.
import { stringify } from 'yaml';

type Value = unknown;
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'out'; pipe: string }
  | { kind: 'if'; cond: string; then: Node[]; else: Node[] }
  | { kind: 'range' | 'with'; expr: string; body: Node[] };

export class TemplateFail extends Error {}

function tokenize(src: string): ({ t: 'text'; s: string } | { t: 'act'; s: string })[] {
  const out: ({ t: 'text'; s: string } | { t: 'act'; s: string })[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ t: 'text', s: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    const close = src.indexOf('}}', open);
    if (close < 0) throw new Error('unclosed {{');
    let act = src.slice(open + 2, close);
    if (act.startsWith('-')) {
      text = text.replace(/\s+$/, '');
      act = act.slice(1);
    }
    let next = close + 2;
    if (act.endsWith('-')) {
      act = act.slice(0, -1);
      const m = /^\s*/.exec(src.slice(next))!;
      next += m[0].length;
    }
    if (text) out.push({ t: 'text', s: text });
    out.push({ t: 'act', s: act.trim() });
    i = next;
  }
  return out;
}

function parse(src: string): Node[] {
  const toks = tokenize(src);
  let pos = 0;
  const block = (stopAt: string[]): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (pos < toks.length) {
      const tk = toks[pos++]!;
      if (tk.t === 'text') {
        nodes.push({ kind: 'text', text: tk.s });
        continue;
      }
      const [word, ...rest] = tk.s.split(/\s+/);
      const arg = rest.join(' ');
      if (word === 'end' || word === 'else') {
        if (!stopAt.includes(word)) throw new Error(`unexpected {{${word}}}`);
        return { nodes, stop: word };
      }
      if (word === 'if') {
        const a = block(['else', 'end']);
        const b = a.stop === 'else' ? block(['end']).nodes : [];
        nodes.push({ kind: 'if', cond: arg, then: a.nodes, else: b });
      } else if (word === 'range' || word === 'with') {
        nodes.push({ kind: word, expr: arg, body: block(['end']).nodes });
      } else if (tk.s.startsWith('/*')) {
        continue;
      } else nodes.push({ kind: 'out', pipe: tk.s });
    }
    if (stopAt.length) throw new Error(`missing {{end}}`);
    return { nodes, stop: '' };
  };
  return block([]).nodes;
}

function truthy(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Splits a pipeline into commands and a command into words, honouring quotes and parentheses. */
function split(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      cur += c;
      if (c === '\\') cur += text[++i] ?? '';
      else if (c === '"') quote = false;
      continue;
    }
    if (c === '"') quote = true;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (depth === 0 && (sep === ' ' ? /\s/.test(c) : c === sep)) {
      if (cur.trim()) parts.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

function indentLines(s: string, n: number): string {
  const pad = ' '.repeat(n);
  return s
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

const functions: { [name: string]: (...args: Value[]) => Value } = {
  quote: (v) => JSON.stringify(v === undefined || v === null ? '' : String(v)),
  int: (v) => Math.trunc(Number(v ?? 0)),
  printf: (fmt, ...args) => {
    let i = 0;
    return String(fmt).replace(/%[sd]/g, () => String(args[i++]));
  },
  toYaml: (v) => (v === undefined || v === null ? '' : stringify(v).replace(/\n$/, '')),
  nindent: (n, s) => '\n' + indentLines(String(s), Number(n)),
  indent: (n, s) => indentLines(String(s), Number(n)),
  default: (d, v) => (truthy(v) ? v : d),
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => Number(a) > Number(b),
  lt: (a, b) => Number(a) < Number(b),
  and: (...xs) => xs.reduce((acc, x) => (truthy(acc) ? x : acc)),
  or: (...xs) => xs.reduce((acc, x) => (truthy(acc) ? acc : x)),
  not: (v) => !truthy(v),
  fail: (msg) => {
    throw new TemplateFail(String(msg));
  },
};

function evalWord(word: string, dot: Value, root: Value): Value {
  if (word.startsWith('(') && word.endsWith(')')) return evalPipe(word.slice(1, -1), dot, root);
  if (word.startsWith('"')) return JSON.parse(word) as string;
  if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
  if (word === 'true' || word === 'false') return word === 'true';
  if (word === '.') return dot;
  if (word.startsWith('.') || word.startsWith('$.')) {
    let cur: Value = word.startsWith('$') ? root : dot;
    for (const key of word.replace(/^\$?\./, '').split('.')) cur = cur && typeof cur === 'object' ? (cur as { [k: string]: Value })[key] : undefined;
    return cur;
  }
  throw new Error(`unsupported template word: ${word}`);
}

function evalPipe(text: string, dot: Value, root: Value): Value {
  let prev: Value;
  let first = true;
  for (const cmd of split(text, '|')) {
    const words = split(cmd, ' ');
    const head = words[0]!;
    const fn = functions[head];
    if (fn) {
      const args = words.slice(1).map((w) => evalWord(w, dot, root));
      if (!first) args.push(prev);
      prev = fn(...args);
    } else {
      if (!first || words.length > 1) throw new Error(`unsupported template function: ${head}`);
      prev = evalWord(head, dot, root);
    }
    first = false;
  }
  return prev;
}

function run(nodes: Node[], dot: Value, root: Value): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'out') {
      const v = evalPipe(n.pipe, dot, root);
      out += v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    } else if (n.kind === 'if') out += run(truthy(evalPipe(n.cond, dot, root)) ? n.then : n.else, dot, root);
    else if (n.kind === 'with') {
      const v = evalPipe(n.expr, dot, root);
      if (truthy(v)) out += run(n.body, v, root);
    } else {
      const v = evalPipe(n.expr, dot, root);
      if (Array.isArray(v)) for (const item of v) out += run(n.body, item, root);
      else if (truthy(v)) throw new Error('range over a non-list is not supported');
    }
  }
  return out;
}

export function renderTemplate(src: string, root: Value): string {
  return run(parse(src), root, root);
}
