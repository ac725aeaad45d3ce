// `akbp graph SOURCE...`: the dependency graph of the compiled entries as Mermaid or DOT.
import type { Command } from 'commander';
import { Option } from 'commander';
import { hasErrors } from '../../diag/index.js';
import { renderGraph, type GraphFormat } from '../../gitops/index.js';
import { reconcileOnce } from '../../pipeline/index.js';
import { formatIdentity, renderDiagnosticsText } from '../../report/index.js';
import { diagnosticToJson, formatLocation, type TextLookup } from '../../diag/index.js';
import type { CompiledEntry, Diagnostic } from '../../model/index.js';
import type { CliContext } from '../context.js';
import { addCompileOptions, parseContextOptions, useColor, type CompileCliOptions } from '../options.js';
import { action, textsOf } from '../run.js';
import { offlineRegistry, pipelineDeps, UsageError } from '../target.js';

/** One JSON document: entries named as plan headers name them (`flow slug=x`), edges dependency → dependent. */
function graphJson(entries: readonly CompiledEntry[], diagnostics: readonly Diagnostic[], texts: TextLookup, ok: boolean): string {
  const nodes = entries.map((e) => ({
    key: e.key,
    model: e.model,
    identity: formatIdentity(e.model, e.identifiers),
    ...(e.id ? { id: e.id } : {}),
    wave: e.wave,
    state: e.state,
    at: formatLocation(e.origin.range, texts),
    dependsOn: [...e.dependsOn],
  }));
  const keys = new Set(entries.map((e) => e.key));
  const edges = entries.flatMap((e) => e.dependsOn.filter((d) => keys.has(d)).map((d) => ({ from: d, to: e.key })));
  return `${JSON.stringify({ formatVersion: 1, ok, nodes, edges, diagnostics: diagnostics.map((d) => diagnosticToJson(d, texts)) }, null, 2)}\n`;
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('graph')
    .description('Print the dependency graph of the compiled entries (Mermaid or Graphviz DOT)')
    .argument('[source...]', 'blueprint files, directories, git::URL//DIR?ref=REF or oci://host:port/repo:tag')
    .addOption(new Option('--format <format>', 'graph language, or json for tools').choices(['mermaid', 'dot', 'json']).default('mermaid'));
  addCompileOptions(cmd)
    .addHelpText('after', '\nExamples:\n  akbp graph examples/blueprints/\n  akbp graph --format dot blueprints/ | dot -Tsvg > graph.svg\n')
    .action(
      action(ctx, async (sources: string[], opts: CompileCliOptions & { format: GraphFormat | 'json' }) => {
        const { registry } = offlineRegistry(opts);
        const context = parseContextOptions(opts.context);
        if (context.errors.length) throw new UsageError(context.errors.join('; '));
        const out = await reconcileOnce(
          { sources, mode: 'compile', context: context.value, strict: opts.strict ?? false, lenient: opts.lenient ?? false },
          pipelineDeps(opts, ctx, registry),
        );
        const ok = Boolean(out.compiled) && !hasErrors(out.diagnostics);
        if (opts.format === 'json') {
          ctx.io.stdout(graphJson(ok ? out.compiled!.entries : [], out.diagnostics, textsOf(out.texts), ok));
        } else {
          if (out.diagnostics.length) ctx.io.stderr(`${renderDiagnosticsText(out.diagnostics, textsOf(out.texts), useColor(ctx.io.isTTY, ctx.env))}\n`);
          if (ok) ctx.io.stdout(renderGraph(out.compiled!.entries, opts.format));
        }
        ctx.exitCode = hasErrors(out.diagnostics) ? 1 : 0;
      }),
    );
}
