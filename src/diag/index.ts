// Diagnostic helpers shared by every stage: a bag to collect into, stable sorting, and rendering
// of offsets as file:line:col with a code frame (done only here, at print time).
import type { Diagnostic, RelatedLocation, Severity, SourceRange } from '../model/types.js';

/**
 * Code ranges, one per stage; each stage keeps its own catalogue file (`<stage>/codes.ts`)
 * so stages never edit a shared table:
 *   AKB1xxx load · AKB2xxx validate · AKB3xxx compile · AKB4xxx observe/plan · AKB5xxx apply
 *   AKB6xxx server/sandbox · AKB7xxx sources · AKB8xxx gitops · AKB9xxx cli
 */
export type Code = `AKB${number}`;

/**
 * Message templates of one code by id (eslint's `meta.messages`): `{{name}}` placeholders are
 * filled at the call site. Keeping the texts in the catalogue lets docs list them and keeps one
 * wording per situation across call sites.
 */
export type Messages = { readonly [id: string]: string };

/** The placeholder names of a template, as a union: `'a {{x}} b {{y}}'` → `'x' | 'y'`. */
type Placeholders<T extends string> = T extends `${string}{{${infer K}}}${infer Rest}` ? K | Placeholders<Rest> : never;

/** What a template needs: one value per placeholder, no more (a misspelt name does not compile). */
export type MessageData<T extends string> = { [K in Placeholders<T>]: string | number };

export interface CodeDef<M extends Messages = Messages> {
  code: Code;
  severity: Severity;
  /** Short description for docs and --help. */
  title: string;
  /** Absent in catalogues whose call sites still write their texts inline. */
  messages?: M;
}

/** One catalogue entry; each stage's `codes.ts` is a table of these. */
export function codeDef<const M extends Messages = Record<never, string>>(code: Code, severity: Severity, title: string, messages?: M): CodeDef<M> {
  return { code, severity, title, messages: messages ?? ({} as M) };
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/** Fills a template in one pass, so a value that itself contains `{{…}}` is left as it is. */
export function fillTemplate(template: string, data: { readonly [k: string]: string | number }): string {
  return template.replace(PLACEHOLDER, (whole, k: string) => (Object.hasOwn(data, k) ? String(data[k]) : whole));
}

/** Message `id` of a code with its placeholders filled. */
export function msg<M extends Messages, K extends keyof M & string>(def: CodeDef<M>, id: K, data: MessageData<M[K]>): string {
  return fillTemplate(def.messages?.[id] ?? '', data as { [k: string]: string | number });
}

type Extra = { detail?: string; subject?: SourceRange; related?: RelatedLocation[]; entry?: string; severity?: Severity };

/** A diagnostic whose summary is message `id` of its code's catalogue entry. */
export function diagnose<M extends Messages, K extends keyof M & string>(def: CodeDef<M>, id: K, data: MessageData<M[K]>, extra: Extra = {}): Diagnostic {
  return diag(def, msg(def, id, data), extra);
}

export function diag(def: Pick<CodeDef, 'code' | 'severity'>, summary: string, extra: Extra = {}): Diagnostic {
  const d: Diagnostic = { code: def.code, severity: extra.severity ?? def.severity, summary };
  if (extra.detail !== undefined) d.detail = extra.detail;
  if (extra.subject !== undefined) d.subject = extra.subject;
  if (extra.related !== undefined && extra.related.length > 0) d.related = extra.related;
  if (extra.entry !== undefined) d.entry = extra.entry;
  return d;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/** Turn warnings into errors (`--strict`). */
export function strictify(ds: readonly Diagnostic[]): Diagnostic[] {
  return ds.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' } : d));
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Total order: file, position, severity, code, summary — identical output on every run. */
function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const au = a.subject?.uri ?? '';
  const bu = b.subject?.uri ?? '';
  if (au !== bu) return au < bu ? -1 : 1;
  const as = a.subject?.start ?? -1;
  const bs = b.subject?.start ?? -1;
  if (as !== bs) return as - bs;
  if (a.severity !== b.severity) return severityRank[a.severity] - severityRank[b.severity];
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.summary < b.summary ? -1 : a.summary > b.summary ? 1 : 0;
}

export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort(compareDiagnostics);
}

export interface LineCol {
  line: number; // 1-based
  col: number; // 1-based
}

/** Line starts of a text, computed once per file and reused for every diagnostic in it. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  lineCol(offset: number): LineCol {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.starts[lo]! + 1 };
  }
  lineText(line: number): string {
    const s = this.starts[line - 1];
    if (s === undefined) return '';
    const e = this.starts[line] ?? this.text.length + 1;
    return this.text.slice(s, e - 1).replace(/\r$/, '');
  }
}

/** Texts of the files diagnostics may point into, by uri. */
export type TextLookup = (uri: string) => string | undefined;

const indexCache = new WeakMap<object, Map<string, LineIndex>>();

function indexFor(texts: TextLookup, uri: string): LineIndex | undefined {
  let m = indexCache.get(texts);
  if (!m) indexCache.set(texts, (m = new Map()));
  let ix = m.get(uri);
  if (!ix) {
    const t = texts(uri);
    if (t === undefined) return undefined;
    ix = new LineIndex(t);
    m.set(uri, ix);
  }
  return ix;
}

/** `file:line:col`, or just the uri when the text is unknown. */
export function formatLocation(range: SourceRange, texts: TextLookup): string {
  const ix = indexFor(texts, range.uri);
  if (!ix) return range.uri;
  const { line, col } = ix.lineCol(range.start);
  return `${range.uri}:${line}:${col}`;
}

export function locate(range: SourceRange, texts: TextLookup): (LineCol & { uri: string }) | undefined {
  const ix = indexFor(texts, range.uri);
  if (!ix) return undefined;
  return { uri: range.uri, ...ix.lineCol(range.start) };
}

/**
 * Keys whose values are secrets in authentik blueprints and API bodies (user `password`, token
 * `key`, `client_secret`, `bind_password`, `private_key`, keytabs…). A code frame shows source
 * lines verbatim, so their plain values are masked there: diagnostics must never leak a secret.
 */
const SECRET_KEY = /(^|[\s{,[-])(["']?[\w-]*(?:password|passwd|secret|token|key|keytab|credentials|private)[\w-]*["']?[ \t]*:)(?=\s|$)/gi;

/** Where a value starting at `from` ends: the end of the line, or inside a flow collection the next `,`/`}`/`]`. */
function valueEnd(line: string, from: number, inFlow: boolean): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = from; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      if (depth === 0) return i;
      depth--;
    } else if (c === ',' && depth === 0 && inFlow) return i;
    else if (c === '#' && depth === 0 && /\s/.test(line[i - 1] ?? ' ')) return i;
  }
  return line.length;
}

function flowDepth(prefix: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (const c of prefix) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return depth;
}

/** Masks the value of every secret-looking key on one line (block or flow style, tags included). */
export function redactSecrets(line: string): string {
  let out = '';
  let last = 0;
  for (const m of line.matchAll(SECRET_KEY)) {
    const keyEnd = m.index! + m[0].length;
    if (keyEnd < last) continue;
    let start = keyEnd;
    while (start < line.length && (line[start] === ' ' || line[start] === '\t')) start++;
    if (start >= line.length || line[start] === '|' || line[start] === '>' || line[start] === '#') continue;
    let end = valueEnd(line, start, flowDepth(line.slice(0, m.index! + m[1]!.length)) > 0);
    while (end > start && /\s/.test(line[end - 1]!)) end--;
    if (end <= start) continue;
    out += `${line.slice(last, start)}(sensitive)`;
    last = end;
  }
  return out + line.slice(last);
}

// C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides that can
// make a line read differently from what it is ("Trojan source").
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from blueprints, servers and registries, made safe for a terminal: control characters
 * are shown as `\x1b`-style escapes, so no input can move the cursor, clear the screen or
 * recolour what follows. Newlines are kept unless `oneLine`.
 */
export function escapeControls(s: string, oneLine = false): string {
  const out = s.replace(CONTROL, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
  return oneLine ? out.replace(/\n/g, '\\n') : out;
}

/** Characters of a source line a frame shows at most; longer lines get a window around the column. */
const FRAME_WIDTH = 120;

/** `text` cut to a window containing column `col` (1-based): [shown, column within shown]. */
function windowAround(text: string, col: number): [string, number] {
  if (text.length <= FRAME_WIDTH) return [text, col];
  const from = Math.max(0, Math.min(col - 1 - FRAME_WIDTH / 2, text.length - FRAME_WIDTH));
  const to = from + FRAME_WIDTH;
  const head = from > 0 ? '…' : '';
  return [`${head}${text.slice(from, to)}${to < text.length ? '…' : ''}`, col - from + head.length];
}

/** A code frame: the line before, the line, a caret under the range start; secret values masked. */
export function codeFrame(range: SourceRange, texts: TextLookup): string {
  const ix = indexFor(texts, range.uri);
  if (!ix) return '';
  const { line, col } = ix.lineCol(range.start);
  const width = String(line + 1).length;
  const rows: string[] = [];
  let caretAt = 1;
  let room = 1;
  for (let l = Math.max(1, line - 1); l <= line; l++) {
    const [shown, at] = windowAround(ix.lineText(l), l === line ? col : 1);
    // Redacted and escaped separately on each side of the caret so it stays under its character.
    const before = escapeControls(redactSecrets(shown.slice(0, at - 1)), true);
    const rest = escapeControls(redactSecrets(shown.slice(at - 1)), true);
    const safe = l === line ? escapeControls(redactSecrets(shown), true) : before + rest;
    if (l === line) {
      const split = before + rest === safe;
      caretAt = split ? before.length + 1 : Math.min(at, safe.length + 1);
      room = Math.max(1, safe.length - caretAt + 1);
    }
    rows.push(`${l === line ? '>' : ' '} ${String(l).padStart(width)} | ${safe}`);
  }
  const endCol = range.end > range.start ? ix.lineCol(Math.min(range.end, range.start + 200)) : undefined;
  const len = endCol && endCol.line === line ? Math.min(Math.max(1, endCol.col - col), room) : 1;
  rows.push(`  ${' '.repeat(width)} | ${' '.repeat(caretAt - 1)}${'^'.repeat(len)}`);
  return rows.join('\n');
}

/**
 * One diagnostic as people read it: `file:line:col: error AKB1001: summary` + detail + frame, then
 * each related location as `  file:line:col: message` with its own frame.
 */
export function renderDiagnostic(d: Diagnostic, texts: TextLookup, opts: { frame?: boolean } = {}): string {
  const where = d.subject ? `${escapeControls(formatLocation(d.subject, texts), true)}: ` : '';
  let out = `${where}${d.severity} ${d.code}: ${escapeControls(d.summary, true)}`;
  if (d.detail) out += `\n  ${escapeControls(d.detail).replace(/\n/g, '\n  ')}`;
  if (opts.frame !== false && d.subject) {
    const f = codeFrame(d.subject, texts);
    if (f) out += `\n${f}`;
  }
  for (const r of d.related ?? []) {
    out += `\n  ${formatLocation(r.range, texts)}: ${r.message}`;
    const f = opts.frame !== false ? codeFrame(r.range, texts) : '';
    if (f) out += `\n${f.replace(/^/gm, '  ')}`;
  }
  return out;
}

/** JSON form of a diagnostic with line/col filled in (for --format json). */
export function diagnosticToJson(d: Diagnostic, texts: TextLookup): Record<string, unknown> {
  const out: Record<string, unknown> = { code: d.code, severity: d.severity, summary: d.summary };
  if (d.detail) out.detail = d.detail;
  if (d.entry) out.entry = d.entry;
  if (d.subject) out.location = locationJson(d.subject, texts);
  if (d.related?.length) out.related = d.related.map((r) => ({ range: r.range, message: r.message, location: locationJson(r.range, texts) }));
  return out;
}

function locationJson(range: SourceRange, texts: TextLookup): Record<string, unknown> {
  const loc = locate(range, texts);
  return loc ? { file: loc.uri, line: loc.line, column: loc.col, start: range.start, end: range.end } : { file: range.uri, start: range.start, end: range.end };
}
