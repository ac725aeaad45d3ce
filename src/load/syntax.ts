// The `yaml` parser's errors, rephrased to say what was expected. PyYAML stops at the first
// error; later ones are usually consequences, so only one error per line is kept.
import { visit, type Document, type YAMLError } from 'yaml';
import type { Diagnostic } from '../model/types.js';
import { diag, msg } from '../diag/index.js';
import { C } from './codes.js';

interface Phrase {
  def: typeof C.syntax | typeof C.indentation;
  summary: string;
  expected: string;
}

/** yaml's error codes → the catalogue's phrase for them; `{{phrase}}: {{reason}}` joins it with the parser's own words. */
const PHRASES: { [code: string]: Phrase } = {
  BAD_INDENT: { def: C.indentation, summary: 'badIndent', expected: 'badIndentDetail' },
  TAB_AS_INDENT: { def: C.indentation, summary: 'tabAsIndent', expected: 'tabAsIndentDetail' },
  BLOCK_AS_IMPLICIT_KEY: { def: C.indentation, summary: 'blockAsImplicitKey', expected: 'blockAsImplicitKeyDetail' },
  MULTILINE_IMPLICIT_KEY: { def: C.indentation, summary: 'multilineImplicitKey', expected: 'multilineImplicitKeyDetail' },
  MISSING_CHAR: { def: C.syntax, summary: 'missingChar', expected: 'missingCharDetail' },
  UNEXPECTED_TOKEN: { def: C.syntax, summary: 'unexpectedToken', expected: 'unexpectedTokenDetail' },
  BAD_SCALAR_START: { def: C.syntax, summary: 'badScalarStart', expected: 'badScalarStartDetail' },
  BAD_DQ_ESCAPE: { def: C.syntax, summary: 'badDqEscape', expected: 'badDqEscapeDetail' },
  MULTIPLE_TAGS: { def: C.syntax, summary: 'multipleTags', expected: 'multipleTagsDetail' },
  MULTIPLE_ANCHORS: { def: C.syntax, summary: 'multipleAnchors', expected: 'multipleAnchorsDetail' },
  ALIAS_PROPS: { def: C.syntax, summary: 'aliasProps', expected: 'aliasPropsDetail' },
  BAD_ALIAS: { def: C.syntax, summary: 'badAlias', expected: 'badAliasDetail' },
  BLOCK_IN_FLOW: { def: C.syntax, summary: 'blockInFlow', expected: 'blockInFlowDetail' },
  KEY_OVER_1024_CHARS: { def: C.syntax, summary: 'keyOver1024Chars', expected: 'keyOver1024CharsDetail' },
  BAD_DIRECTIVE: { def: C.syntax, summary: 'badDirective', expected: 'badDirectiveDetail' },
  MISSING_ANCHOR: { def: C.syntax, summary: 'missingAnchor', expected: 'missingAnchorDetail' },
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
          diag(C.indentation, msg(C.indentation, 'badIndentationThis', {}), {
            detail: msg(C.indentation, 'badIndentationThisDetail', {}),
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
        diag(C.multipleDocuments, msg(C.multipleDocuments, 'fileHoldsMore', {}), {
          detail: msg(C.multipleDocuments, 'fileHoldsMoreDetail', {}),
          subject: { uri, start, end: Math.max(start + 1, Math.min(end, start + 3)) },
        }),
      );
      continue;
    }
    p ??= { def: C.syntax, summary: 'syntaxError', expected: 'syntaxErrorDetail' };
    const texts: { readonly [id: string]: string } = p.def.messages ?? {};
    out.push(
      diag(p.def, msg(C.syntax, 'parserError', { phrase: texts[p.summary]!, reason: lowerFirst(message) }), {
        detail: texts[p.expected]!,
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
    return diag(C.syntax, msg(C.syntax, 'tabCharacterOutside', {}), {
      detail: msg(C.syntax, 'tabCharacterOutsideDetail', {}),
      subject: { uri, start: tab, end: tab + 1 },
    });
  }
  return undefined;
}
