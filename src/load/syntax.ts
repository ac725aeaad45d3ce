// The `yaml` parser's errors, rephrased to say what was expected. PyYAML stops at the first
// error; later ones are usually consequences, so only one error per line is kept.
import type { YAMLError } from 'yaml';
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
  for (const err of errors) {
    const [start, end] = err.pos;
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
