// `akbp plan SOURCE...`: exactly what apply would change, field by field, with zero writes.
// --detailed-exitcode: 0 no changes, 2 changes, 1 error.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Plan } from '../../model/index.js';
import { reconcileOnce, type ReconcileOutcome } from '../../pipeline/index.js';
import { diagnosticsToJson, planToJson, renderDiagnosticsText, renderPlan, type PlanFormat } from '../../report/index.js';
import { renderGraph } from '../../gitops/graph.js';
import type { CliContext } from '../context.js';
import { addTargetOptions, parseContextOptions, useColor, type TargetCliOptions } from '../options.js';
import { action, textsOf } from '../run.js';
import { connectTarget, UsageError } from '../target.js';
import { targetDeps } from '../state-store.js';
import { msg } from '../../diag/index.js';
import { CLI_CODES } from '../codes.js';

export interface PlanCliOptions extends TargetCliOptions {
  format: PlanFormat;
  out?: string;
  detailedExitcode?: boolean;
  prune?: boolean;
  pruneAdopted?: boolean;
  adopt?: boolean;
  maxDeletes: string;
  passwordPolicy: 'on-create' | 'on-change' | 'always';
  graph?: boolean;
}

export function addPlanOptions(cmd: Command): Command {
  return addTargetOptions(cmd)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .option('--prune', 'delete objects akbp created that no blueprint declares any more')
    .option('--prune-adopted', 'with prune (implied): also delete adopted objects no blueprint declares any more')
    .option('--adopt', 'list (plan) and record as adopted (apply) live objects an entry matches that the state does not own')
    .option('--max-deletes <n>', 'refuse a prune that deletes more than n objects', '10')
    .addOption(new Option('--password-policy <when>', 'when to (re)set user passwords').choices(['on-create', 'on-change', 'always']).default('on-change'));
}

/** Writes to the server, plus (with --adopt) records apply adds to the state. */
export function changeCount(plan: Plan): number {
  return plan.summary.create + plan.summary.update + plan.summary.delete + (plan.adoptions?.length ?? 0);
}

export function specFromOptions(sources: string[], mode: 'plan' | 'apply', opts: PlanCliOptions & { rollbackOnFailure?: boolean; rollback?: boolean }) {
  const context = parseContextOptions(opts.context);
  if (context.errors.length) throw new UsageError(context.errors.join('; '));
  const maxDeletes = Number.parseInt(opts.maxDeletes, 10);
  if (!Number.isInteger(maxDeletes) || maxDeletes < 0) throw new UsageError(msg(CLI_CODES.usage, 'maxDeletes', { value: opts.maxDeletes }));
  return {
    sources,
    mode,
    context: context.value,
    prune: (opts.prune ?? false) || (opts.pruneAdopted ?? false),
    pruneAdopted: opts.pruneAdopted ?? false,
    adopt: opts.adopt ?? false,
    maxDeletes,
    passwordPolicy: opts.passwordPolicy,
    rollbackOnFailure: opts.rollbackOnFailure ?? false,
    keepPartial: opts.rollback === false,
    strict: opts.strict ?? false,
    lenient: opts.lenient ?? false,
  };
}

/** Prints a plan outcome in the chosen format and returns it. */
export function printPlan(out: ReconcileOutcome, opts: PlanCliOptions, ctx: CliContext): void {
  const texts = textsOf(out.texts);
  const color = useColor(ctx.io.isTTY, ctx.env);
  if (!out.plan) {
    if (opts.format === 'json') ctx.io.stdout(diagnosticsToJson(out.diagnostics, texts, { applyable: false }));
    else ctx.io.stdout(`${renderDiagnosticsText(out.diagnostics, texts, color)}\n`);
    return;
  }
  const mermaid = opts.format === 'markdown' && opts.graph && out.compiled ? renderGraph(out.compiled.entries, 'mermaid') : undefined;
  ctx.io.stdout(renderPlan(out.plan, { format: opts.format, color, texts, ...(mermaid ? { mermaid } : {}) }));
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('plan')
    .description('Show exactly what apply would change on the server (reads only)')
    .argument('[source...]', 'blueprint files, directories, git::URL//DIR?ref=REF or oci://host:port/repo:tag');
  addPlanOptions(cmd)
    .option('--out <file>', 'also write the plan as JSON for `akbp apply FILE` (contains no secrets)')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on errors')
    .option('--graph', 'with --format markdown: include the dependency graph as a Mermaid diagram')
    .addHelpText(
      'after',
      '\nExamples:\n  akbp plan --sandbox examples/blueprints/\n  AUTHENTIK_URL=https://auth.example.com AUTHENTIK_TOKEN=… akbp plan blueprints/ --out plan.json\n  akbp plan --format markdown --detailed-exitcode git::https://git.example.com/iam.git//blueprints?ref=main\n',
    )
    .action(
      action(ctx, async (sources: string[], opts: PlanCliOptions) => {
        if (opts.graph && opts.format !== 'markdown') throw new UsageError(msg(CLI_CODES.usage, 'graphFormat', { format: String(opts.format) }));
        const spec = specFromOptions(sources, 'plan', opts);
        const target = await connectTarget(opts, ctx);
        try {
          const deps = targetDeps(opts, ctx, target.registry, target.client, sources);
          const out = await reconcileOnce(spec, deps).finally(() => deps.state?.close());
          printPlan(out, opts, ctx);
          if (opts.out && out.plan) {
            const file = resolve(ctx.cwd, opts.out);
            mkdirSync(dirname(file), { recursive: true });
            writeFileSync(file, planToJson(out.plan, textsOf(out.texts)));
            if (opts.format !== 'json') ctx.io.stderr(`Saved the plan to ${opts.out}; apply it with: akbp apply ${opts.out}\n`);
          }
          if (!out.ok) ctx.exitCode = 1;
          else if (opts.detailedExitcode) ctx.exitCode = out.plan && changeCount(out.plan) > 0 ? 2 : 0;
          else ctx.exitCode = 0;
        } finally {
          await target.close();
        }
      }),
    );
}
