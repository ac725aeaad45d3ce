// The `yaml` parser's errors, rephrased to say what was expected. PyYAML stops at the first
// error; later ones are usually consequences, so only one error per line is kept.
import { visit, type Document, type YAMLError } from 'yaml';
import type { Diagnostic } from '../model/types.js';
import { diag, type CodeDef } from '../diag/index.js';
import { C } from './codes.js';

interface Phrase {
  def: CodeDef;
  summary: string;
  expected: string;
}

const PHRASES: { [code: string]: Phrase } = {
  BAD_INDENT: {
    def: C.indentation,
    summary: 'Bad indentation',
    expected: 'Expected the keys of one mapping (and the items of one list) to start in the same column, nested content indented further than its parent key.',
  },
  TAB_AS_INDENT: {
    def: C.indentation,
    summary: 'Tab used for indentation',
    expected: 'Expected spaces for indentation; YAML does not allow tabs there.',
  },
  BLOCK_AS_IMPLICIT_KEY: {
    def: C.indentation,
    summary: 'A nested mapping starts on the same line as its key or is indented wrongly',
    expected: 'Expected the nested mapping on the next lines, indented more than its key (or quote a value that contains ": ").',
  },
  MULTILINE_IMPLICIT_KEY: {
    def: C.indentation,
    summary: 'Line is not a "key: value" pair at this indentation',
    expected: 'Expected "key: value" on one line, aligned with its sibling keys; check the indentation of this line and the one before.',
  },
  MISSING_CHAR: {
    def: C.syntax,
    summary: 'Missing character',
    expected: 'Expected the closing character shown in the message (quote, bracket, brace or ":").',
  },
  UNEXPECTED_TOKEN: {
    def: C.syntax,
    summary: 'Unexpected content',
    expected: 'Expected a key, a "- " list item or a value here; check indentation and unbalanced brackets or quotes.',
  },
  BAD_SCALAR_START: {
    def: C.syntax,
    summary: 'Value starts with a reserved character',
    expected: 'Expected a quoted string for values that start with @ or ` (e.g. "@value").',
  },
  BAD_DQ_ESCAPE: {
    def: C.syntax,
    summary: 'Invalid escape in a double-quoted string',
    expected: 'Expected a YAML escape (\\\\, \\", \\n, \\t, \\xXX, \\uXXXX…); use single quotes to keep backslashes literally.',
  },
  MULTIPLE_TAGS: {
    def: C.syntax,
    summary: 'More than one tag on a node',
    expected: 'Expected at most one tag per node: tags cannot be stacked (e.g. !ParseJSON !Env X is impossible in authentik too).',
  },
  MULTIPLE_ANCHORS: {
    def: C.syntax,
    summary: 'More than one anchor on a node',
    expected: 'Expected at most one &anchor per node.',
  },
  ALIAS_PROPS: {
    def: C.syntax,
    summary: 'Alias with a tag or anchor',
    expected: 'Expected a bare alias (*name): it cannot carry a tag or an anchor.',
  },
  BAD_ALIAS: {
    def: C.syntax,
    summary: 'Invalid alias',
    expected: 'Expected *name where &name is an anchor defined earlier.',
  },
  BLOCK_IN_FLOW: {
    def: C.syntax,
    summary: 'Block syntax inside [ ] or { }',
    expected: 'Expected flow syntax inside brackets: items separated by commas, no "- " items or indented blocks.',
  },
  KEY_OVER_1024_CHARS: {
    def: C.syntax,
    summary: 'Implicit key longer than 1024 characters',
    expected: 'Expected a shorter key, or an explicit key ("? key").',
  },
  BAD_DIRECTIVE: {
    def: C.syntax,
    summary: 'Invalid directive',
    expected: 'Expected %YAML 1.1 or %TAG directives only, before a --- line.',
  },
  MISSING_ANCHOR: {
    def: C.syntax,
    summary: 'Alias to an unknown anchor',
    expected: 'Expected *name where &name is an anchor defined earlier.',
  },
};

export function syntaxDiagnostics(uri: string, text: string, errors: readonly YAMLError[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = new Set<number>();
  for (let i = 0; i < errors.length; i++) {
    const err = errors[i]!;
    const [start, end] = err.pos;
    const next = errors[i + 1];
    // `key: value` followed by an over-indented line: `yaml` blames the value; the line to fix
    // is the next one.
    if (err.code === 'BLOCK_AS_IMPLICIT_KEY' && next?.code === 'MULTILINE_IMPLICIT_KEY') {
      const nl = text.lastIndexOf('\n', next.pos[1] - 1);
      if (nl >= next.pos[0]) {
        let at = nl + 1;
        while (text[at] === ' ') at++;
        const line = lineOf(text, at);
        lines.add(lineOf(text, start));
        lines.add(line);
        out.push(
          diag(C.indentation, 'Bad indentation: this line is indented deeper than the key before it', {
            detail: 'Expected it in the same column as its sibling key above, or nested under a key that ends with ":" and has no value on its line.',
            subject: { uri, start: at, end: Math.max(at + 1, next.pos[1]) },
          }),
        );
        i++;
        continue;
      }
    }
    const line = lineOf(text, start);
    if (lines.has(line)) continue;
    lines.add(line);
    const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    let p = PHRASES[err.code];
    if (err.code === 'MULTIPLE_DOCS') {
      out.push(
        diag(C.multipleDocuments, 'File holds more than one YAML document', {
          detail: 'Expected exactly one document: authentik loads a single blueprint per file. Remove the extra "---" / "..." separator or split the file.',
          subject: { uri, start, end: Math.max(start + 1, Math.min(end, start + 3)) },
        }),
      );
      continue;
    }
    p ??= { def: C.syntax, summary: 'YAML syntax error', expected: 'Expected valid YAML here.' };
    out.push(
      diag(p.def, `${p.summary}: ${lowerFirst(message)}`, {
        detail: p.expected,
        subject: { uri, start, end: Math.max(end, start) },
      }),
    );
  }
  return out;
}

function lowerFirst(s: string): string {
  return s.length > 1 && /[A-Z][a-z]/.test(s.slice(0, 2)) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * PyYAML's scanner never skips a tab between tokens, so a tab after a value, inside plain text
 * (`a\tb`) or in flow collections fails the whole file in authentik, while the `yaml` package
 * accepts it. Tabs inside quoted and block scalars and in comments are fine.
 */
export function tabDiagnostic(uri: string, text: string, doc: Document): Diagnostic | undefined {
  let tab = text.indexOf('\t');
  if (tab === -1) return undefined;
  const allowed: [number, number][] = [];
  visit(doc, {
    Scalar(_, node) {
      if (node.type !== 'PLAIN' && node.range) allowed.push([node.range[0], node.range[1]]);
    },
  });
  allowed.sort((a, b) => a[0] - b[0]);
  const inScalar = (p: number): boolean => {
    let lo = 0;
    let hi = allowed.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [s, e] = allowed[mid]!;
      if (p < s) hi = mid - 1;
      else if (p >= e) lo = mid + 1;
      else return true;
    }
    return false;
  };
  const inComment = (p: number): boolean => {
    const lineStart = text.lastIndexOf('\n', p - 1) + 1;
    for (let i = text.indexOf('#', lineStart); i !== -1 && i < p; i = text.indexOf('#', i + 1)) {
      if ((i === lineStart || text[i - 1] === ' ' || text[i - 1] === '\t') && !inScalar(i)) return true;
    }
    return false;
  };
  for (; tab !== -1; tab = text.indexOf('\t', tab + 1)) {
    if (inScalar(tab) || inComment(tab)) continue;
    return diag(C.syntax, 'Tab character outside a quoted string', {
      detail:
        "Expected spaces here: authentik's YAML parser (PyYAML) rejects tabs between or after values and inside unquoted text. Use spaces, or quote the string if the tab belongs to it.",
      subject: { uri, start: tab, end: tab + 1 },
    });
  }
  return undefined;
}
