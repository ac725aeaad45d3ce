// `akbp explain CODE`: what a diagnostic code means, with an example and the fix where written.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CliContext } from '../context.js';
import { action } from '../run.js';
import { allCodes, explainCode } from '../catalogue.js';
import { UsageError } from '../target.js';
import { msg } from '../../diag/index.js';
import { CLI_CODES } from '../codes.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('explain')
    .description('Explain a diagnostic code (AKB1234), or list every code with --list')
    .argument('[code]', 'diagnostic code, e.g. AKB4014')
    .option('--list', 'list every code with its severity and meaning')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  akbp explain AKB4014\n  akbp explain --list --format json\n')
    .action(
      action(ctx, async (code: string | undefined, opts: { list?: boolean; format: 'text' | 'json' }) => {
        if (opts.list || code === undefined) {
          const codes = allCodes();
          ctx.io.stdout(
            opts.format === 'json' ? `${JSON.stringify(codes, null, 2)}\n` : codes.map((c) => `${c.code}  ${c.severity.padEnd(7)}  ${c.title}\n`).join(''),
          );
          return;
        }
        const text = explainCode(code);
        if (text === undefined) throw new UsageError(msg(CLI_CODES.usage, 'unknownCode', { code: JSON.stringify(code) }));
        if (opts.format === 'json') {
          const d = allCodes().find((c) => text.startsWith(c.code))!;
          ctx.io.stdout(`${JSON.stringify({ ...d, explanation: text }, null, 2)}\n`);
        } else ctx.io.stdout(text);
      }),
    );
}
