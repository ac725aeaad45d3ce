// `akbp graph SOURCE...`: the dependency graph of the compiled entries as Mermaid or DOT.
import type { Command } from 'commander';
import { Option } from 'commander';
import { hasErrors } from '../../diag/index.js';
import { renderGraph, type GraphFormat } from '../../gitops/index.js';
import { reconcileOnce } from '../../pipeline/index.js';
import { renderDiagnosticsText } from '../../report/index.js';
import type { CliContext } from '../context.js';
import { addCompileOptions, parseContextOptions, useColor, type CompileCliOptions } from '../options.js';
import { action, textsOf } from '../run.js';
import { offlineRegistry, pipelineDeps, UsageError } from '../target.js';

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('graph')
    .description('Print the dependency graph of the compiled entries (Mermaid or Graphviz DOT)')
    .argument('[source...]', 'blueprint files, directories, git::URL//DIR?ref=REF or oci://host:port/repo:tag')
    .addOption(new Option('--format <format>', 'graph language').choices(['mermaid', 'dot']).default('mermaid'));
  addCompileOptions(cmd)
    .addHelpText('after', '\nExamples:\n  akbp graph examples/blueprints/\n  akbp graph --format dot blueprints/ | dot -Tsvg > graph.svg\n')
    .action(
      action(ctx, async (sources: string[], opts: CompileCliOptions & { format: GraphFormat }) => {
        const { registry } = offlineRegistry(opts);
        const context = parseContextOptions(opts.context);
        if (context.errors.length) throw new UsageError(context.errors.join('; '));
        const out = await reconcileOnce({ sources, mode: 'compile', context: context.value, strict: opts.strict ?? false, lenient: opts.lenient ?? false }, pipelineDeps(opts, ctx, registry));
        if (out.diagnostics.length) ctx.io.stderr(`${renderDiagnosticsText(out.diagnostics, textsOf(out.texts), useColor(ctx.io.isTTY, ctx.env))}\n`);
        if (out.compiled && !hasErrors(out.diagnostics)) ctx.io.stdout(renderGraph(out.compiled.entries, opts.format));
        ctx.exitCode = hasErrors(out.diagnostics) ? 1 : 0;
      }),
    );
}
