// `akbp apply (SOURCE... | PLAN.json)`: plans, asks on a terminal (unless --yes), then applies in
// dependency order. A saved plan is refused when its sources or the server changed since.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Plan } from '../../model/index.js';
import { applyOutcome, applySavedPlan, reconcileOnce, type ReconcileOutcome } from '../../pipeline/index.js';
import { renderApply, renderDiagnosticsText } from '../../report/index.js';
import type { CliContext } from '../context.js';
import { useColor } from '../options.js';
import { action, textsOf } from '../run.js';
import { connectTarget, pipelineDeps, UsageError } from '../target.js';
import { lockPathFor, withLock } from '../../gitops/lock.js';
import { addPlanOptions, changeCount, printPlan, specFromOptions, type PlanCliOptions } from './plan.js';

interface ApplyCliOptions extends PlanCliOptions {
  yes?: boolean;
  rollbackOnFailure?: boolean;
  /** commander's `--no-rollback`: false when given. */
  rollback?: boolean;
}

/** A single argument that is a JSON file with a plan's shape is a saved plan. */
function readSavedPlan(args: string[], cwd: string): Plan | undefined {
  if (args.length !== 1 || !args[0]!.endsWith('.json')) return undefined;
  try {
    const v = JSON.parse(readFileSync(resolve(cwd, args[0]!), 'utf8')) as Plan;
    return v && v.formatVersion === 1 && Array.isArray(v.changes) ? v : undefined;
  } catch {
    return undefined;
  }
}

function printApply(out: ReconcileOutcome, opts: ApplyCliOptions, ctx: CliContext): void {
  const texts = textsOf(out.texts);
  const color = useColor(ctx.io.isTTY, ctx.env);
  if (out.apply && out.plan) ctx.io.stdout(renderApply(out.apply, out.plan, { format: opts.format === 'json' ? 'json' : 'text', color, texts }));
  else if (out.diagnostics.length) ctx.io.stdout(`${renderDiagnosticsText(out.diagnostics, texts, color)}\n`);
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('apply')
    .description('Apply blueprints (or a saved plan) to the server: ordered, idempotent writes')
    .argument('<source-or-plan...>', 'blueprint sources, or one PLAN.json written by `akbp plan --out`');
  addPlanOptions(cmd)
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--rollback-on-failure', 'undo every applied change when one fails, of finished blueprints too')
    .option('--no-rollback', 'keep the changes of a blueprint that failed half-way (default: undo them)')
    .addHelpText('after', '\nExamples:\n  akbp apply --sandbox .akbp/sandbox.json examples/blueprints/ --yes\n  akbp plan blueprints/ --out plan.json && akbp apply plan.json\n')
    .action(
      action(ctx, async (args: string[], opts: ApplyCliOptions) => {
        const target = await connectTarget(opts, ctx);
        try {
          const deps = pipelineDeps(opts, ctx, target.registry, target.client);
          if (ctx.io.isTTY) deps.onProgress = (done, total, line) => ctx.io.stderr(`\r\x1b[K[${done}/${total}] ${line}`);
          // One writer at a time per state file: daemons, watch --apply and manual applies exclude each other.
          const locked = await withLock(lockPathFor(deps.statePath ?? '.akbp/state.json'), { onBusy: 'wait', timeoutMs: 10 * 60_000, purpose: 'apply' }, async () => {
            const saved = readSavedPlan(args, ctx.cwd);
            let out: ReconcileOutcome;
            if (saved) {
              out = await applySavedPlan(saved, specFromOptions(saved.source.uri.split(' '), 'apply', opts), deps);
            } else {
              const spec = specFromOptions(args, 'apply', opts);
              const planned = await reconcileOnce({ ...spec, mode: 'plan' }, deps);
              printPlan(planned, { ...opts, format: opts.format === 'json' ? 'json' : 'text' }, ctx);
              if (!planned.ok || !planned.plan || changeCount(planned.plan) === 0) {
                ctx.exitCode = planned.ok ? 0 : 1;
                return;
              }
              if (!opts.yes && ctx.io.isTTY && ctx.io.prompt) {
                const answer = (await ctx.io.prompt(`Apply ${changeCount(planned.plan)} change(s) to ${target.description}? Only 'yes' is accepted: `)).trim();
                if (answer !== 'yes') {
                  ctx.io.stderr('Apply cancelled.\n');
                  ctx.exitCode = 1;
                  return;
                }
              }
              out = await applyOutcome(planned, spec, deps);
            }
            return out;
          });
          if (!locked.ran) throw new UsageError(`another akbp run holds the lock on ${deps.statePath} (${locked.reason}${locked.holder ? `: pid ${locked.holder.pid} on ${locked.holder.host}` : ''})`);
          const out = locked.value;
          if (!out) return;
          if (ctx.io.isTTY) ctx.io.stderr('\r\x1b[K');
          printApply(out, opts, ctx);
          ctx.exitCode = out.ok ? 0 : 1;
        } finally {
          await target.close();
        }
      }),
    );
}
