// `akbp apply (SOURCE... | PLAN.json)`: plans, asks on a terminal (unless --yes), then applies in
// dependency order. A saved plan is refused when its sources or the server changed since.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { applyOutcome, applySavedPlan, reconcileOnce, type ReconcileOutcome } from '../../pipeline/index.js';
import { renderApply, renderDiagnosticsText } from '../../report/index.js';
import type { CliContext } from '../context.js';
import { useColor } from '../options.js';
import { registryVersionFor } from '../../authentik/bundled.js';
import { action, ApprovalError, textsOf } from '../run.js';
import { connectTarget, lockTimeoutMs, UsageError } from '../target.js';
import { targetDeps } from '../state-store.js';
import { STATE_CODES, StateError } from '../../state/index.js';
import { addPlanOptions, changeCount, printPlan, specFromOptions, type PlanCliOptions } from './plan.js';
import { readSavedPlan, type SavedPlanRead } from '../saved-plan.js';
import { msg } from '../../diag/index.js';
import { CLI_CODES } from '../codes.js';

interface ApplyCliOptions extends PlanCliOptions {
  yes?: boolean;
  rollbackOnFailure?: boolean;
  /** commander's `--no-rollback`: false when given. */
  rollback?: boolean;
}

/** A single `.json` argument is a saved plan (blueprints are YAML): checked, never read as a source. */
function savedPlanArg(args: string[], cwd: string): SavedPlanRead | undefined {
  if (args.length !== 1 || !args[0]!.endsWith('.json')) return undefined;
  return readSavedPlan(resolve(cwd, args[0]!), args[0]!);
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
    .argument('[source-or-plan...]', 'blueprint sources, or one PLAN.json written by `akbp plan --out`');
  addPlanOptions(cmd)
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--rollback-on-failure', 'undo every applied change when one fails, of finished blueprints too')
    .option('--no-rollback', 'keep the changes of a blueprint that failed half-way (default: undo them)')
    .addHelpText(
      'after',
      '\nExamples:\n  akbp apply --sandbox .akbp/sandbox.json examples/blueprints/ --yes\n  akbp plan blueprints/ --out plan.json && akbp apply plan.json\n',
    )
    .action(
      action(ctx, async (args: string[], opts: ApplyCliOptions) => {
        const read = savedPlanArg(args, ctx.cwd);
        if (read && 'diagnostics' in read) {
          ctx.io.stderr(`${renderDiagnosticsText(read.diagnostics, textsOf(new Map([[args[0]!, read.text]])), useColor(ctx.io.isTTY, ctx.env))}\n`);
          ctx.exitCode = 1;
          return;
        }
        const saved = read?.plan;
        if (opts.format === 'markdown') throw new UsageError(msg(CLI_CODES.usage, 'applyMarkdown', {}));
        // A saved plan records the server's version; against the sandbox it picks the registry.
        if (saved && !opts.authentikVersion && opts.sandbox !== undefined && opts.sandbox !== false)
          opts.authentikVersion = registryVersionFor(saved.server.version);
        const target = await connectTarget(opts, ctx);
        try {
          const deps = targetDeps(opts, ctx, target.registry, target.client, saved ? saved.source.uris : args);
          const store = deps.state!;
          if (ctx.io.isTTY) deps.onProgress = (done, total, line) => ctx.io.stderr(`\r\x1b[K[${done}/${total}] ${line}`);
          // One writer at a time per state: daemons, watch --apply and manual applies exclude each other.
          const got = await store.lock({ onBusy: 'wait', timeoutMs: lockTimeoutMs(opts), purpose: 'apply' });
          if (!got.ok) {
            await store.close();
            throw new StateError(
              STATE_CODES.locked,
              msg(STATE_CODES.locked, 'lockedHolder', {
                store: store.description,
                reason: got.reason,
                holder: got.holder ? `: pid ${got.holder.pid} on ${got.holder.host} since ${got.holder.startedAt}` : '',
              }),
            );
          }
          const locked = await (async () => {
            let out: ReconcileOutcome;
            if (saved) {
              out = await applySavedPlan(saved, specFromOptions(saved.source.uris, 'apply', opts), deps);
            } else {
              const spec = specFromOptions(args, 'apply', opts);
              const planned = await reconcileOnce({ ...spec, mode: 'plan' }, deps);
              const json = opts.format === 'json';
              // Blocked files fail the run but do not hold back the others (planned.ok is false, the plan applyable).
              const nothingToDo = !planned.plan?.applyable || changeCount(planned.plan) === 0;
              // JSON is one document: the plan alone when nothing will be applied, else the result.
              if (!json || nothingToDo) printPlan(planned, { ...opts, format: json ? 'json' : 'text' }, ctx);
              if (nothingToDo) {
                ctx.exitCode = planned.ok ? 0 : 1;
                return;
              }
              const n = changeCount(planned.plan!);
              if (!opts.yes && ctx.env.CI !== 'true') {
                // As terraform: no terminal to ask on is an error, never a silent yes.
                if (!ctx.io.prompt) {
                  throw new ApprovalError(msg(CLI_CODES.approval, 'noTerminal', { count: n }));
                }
                ctx.io.stdout(`\nakbp will make these ${n} change(s) to ${target.description}. Only 'yes' will be accepted.\n`);
                const answer = (await ctx.io.prompt(`Apply these ${n} changes? (yes/no) `)).trim();
                if (answer !== 'yes') {
                  ctx.io.stderr('Apply cancelled: nothing was written.\n');
                  ctx.exitCode = 1;
                  return;
                }
              }
              out = await applyOutcome(planned, spec, deps);
            }
            return out;
          })().finally(async () => {
            await got.lock.release();
            await store.close();
          });
          const out = locked;
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
