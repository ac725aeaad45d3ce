// `!Format` is Python `format % tuple(args)`: a placeholder/argument count mismatch or a
// non-number for `%d` is a TypeError that fails the entry (§6 `!Format`).
import type { FormatTag } from '../../model/types.js';
import { V } from '../codes.js';
import { type Rule, isTag } from '../context.js';

export interface FormatSpec {
  conversion: string;
  /** Arguments the placeholder consumes (`*` width/precision take one each). */
  consumes: number;
}

/** Placeholders of a Python %-format string, or the reason Python would refuse it. */
export function parsePercentFormat(fmt: string): { specs: FormatSpec[] } | { error: string } {
  const specs: FormatSpec[] = [];
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== '%') continue;
    const m = /^%(\([^)]*\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.?)/.exec(fmt.slice(i));
    const conv = m?.[5] ?? '';
    if (!m || conv === '') return { error: 'the format string ends in an incomplete `%` placeholder' };
    if (m[1]) return { error: `\`${m[0]}\` takes a named value, which needs a mapping; !Format passes a list` };
    if (conv === '%') {
      i += m[0].length - 1;
      continue;
    }
    if (!/[diouxXeEfFgGcrsa]/.test(conv)) return { error: `unsupported format character \`${conv}\`` };
    specs.push({ conversion: conv, consumes: 1 + (m[3] === '*' ? 1 : 0) + (m[4] === '*' ? 1 : 0) });
    i += m[0].length - 1;
  }
  return { specs };
}

const NUMERIC = /[diouxXeEfFgG]/;

export const formatArgs: Rule = {
  id: 'format-args',
  meta: {
    messages: {
      count: {
        code: V.formatArgs,
        summary: '!Format `{{format}}` has {{expected}} placeholder(s) but {{actual}} argument(s)',
        detail: 'Python raises "{{python}}"; give exactly one argument per placeholder (write `%%` for a literal %).',
      },
      bad: {
        code: V.formatArgs,
        summary: '!Format `{{format}}`: {{reason}}',
        detail: 'Placeholders are Python %-style: %s, %d, %%.',
      },
      numeric: {
        code: V.formatArgs,
        summary: '!Format `{{format}}`: `%{{conversion}}` needs a number, argument {{n}} is a string',
        detail: 'Use `%s` for strings.',
      },
    },
  },
  check(ctx) {
    for (const use of ctx.tags()) {
      if (use.tag.$tag !== 'Format') continue;
      const tag = use.tag as FormatTag;
      if (typeof tag.format !== 'string') continue;
      const where = { subject: tag.range, entry: use.entry };
      const parsed = parsePercentFormat(tag.format);
      if ('error' in parsed) {
        ctx.report(this, 'bad', { format: tag.format, reason: parsed.error }, where);
        continue;
      }
      const expected = parsed.specs.reduce((n, s) => n + s.consumes, 0);
      if (expected !== tag.args.length) {
        const python = expected > tag.args.length ? 'not enough arguments for format string' : 'not all arguments converted during string formatting';
        ctx.report(this, 'count', { format: tag.format, expected, actual: tag.args.length, python }, where);
        continue;
      }
      let argIndex = 0;
      for (const s of parsed.specs) {
        argIndex += s.consumes - 1;
        const arg = tag.args[argIndex]!;
        if (NUMERIC.test(s.conversion) && typeof arg === 'string' && !isTag(arg)) {
          ctx.report(this, 'numeric', { format: tag.format, conversion: s.conversion, n: argIndex + 1 }, where);
        }
        argIndex++;
      }
    }
  },
};
