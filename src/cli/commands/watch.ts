// `akbp watch DIR`: re-validates and re-plans on every save, printing diagnostics and the plan;
// with --apply also applies when the blueprints are valid. Runs until Ctrl-C.
import type { Command } from 'commander';
import { Option } from 'commander';
import { hasErrors, msg } from '../../diag/index.js';
import { cachedReadSources, parseCache, startWatchLoop, jsonLogger, type AcquireOptions, type RunRecord } from '../../gitops/index.js';
import { loadBlueprint } from '../../load/index.js';
import { createIncremental, reconcileOnce } from '../../pipeline/index.js';
import { renderApply, renderDiagnosticsText } from '../../report/index.js';
import type { Logger } from '../../model/index.js';
import type { CliContext } from '../context.js';
import { useColor } from '../options.js';
import { action, textsOf } from '../run.js';
import { connectTarget, offlineRegistry, UsageError, type Target } from '../target.js';
import { targetDeps } from '../state-store.js';
import { addPlanOptions, printPlan, specFromOptions, type PlanCliOptions } from './plan.js';
import { CLI_CODES } from '../codes.js';

export interface WatchCliOptions extends PlanCliOptions {
  apply?: boolean;
  debounce: string;
  poll?: boolean;
  log?: 'text' | 'json';
  /** `--no-incremental`: every save reads every list again. */
  incremental?: boolean;
  /** Seconds after which the kept live lists are read again in full. */
  refresh?: string;
}

const wantsServer = (o: WatchCliOptions, ctx: CliContext) => Boolean(o.server || (o.sandbox !== undefined && o.sandbox !== false) || ctx.env.AUTHENTIK_URL);

/** Prints one run the way `akbp plan` / `akbp apply` would, under a header naming what changed. */
function printRun(run: RunRecord, opts: WatchCliOptions, ctx: CliContext): void {
  const out = run.outcome;
  const when = new Date(run.finishedAt).toISOString().slice(11, 19);
  const head = `── ${when} ${run.trigger.reason ?? run.trigger.kind} (${run.finishedAt - run.startedAt} ms) ──\n`;
  if (opts.format !== 'json') ctx.io.stdout(head);
  if (!out) {
    ctx.io.stdout(`akbp: ${run.error ?? 'run did not complete'}\n`);
    return;
  }
  const texts = textsOf(out.texts);
  const color = useColor(ctx.io.isTTY, ctx.env);
  if (out.apply && out.plan) ctx.io.stdout(renderApply(out.apply, out.plan, { format: opts.format === 'json' ? 'json' : 'text', color, texts }));
  else if (out.plan) printPlan(out, opts, ctx);
  else if (out.compiled && !hasErrors(out.diagnostics)) {
    if (out.diagnostics.length) ctx.io.stdout(`${renderDiagnosticsText(out.diagnostics, texts, color)}\n`);
    ctx.io.stdout(`Valid: ${out.compiled.entries.length} entries compiled (no server given: use --sandbox or --server to plan).\n`);
  } else ctx.io.stdout(`${renderDiagnosticsText(out.diagnostics, texts, color)}\n`);
  if (opts.format !== 'json') ctx.io.stdout(`Watching ${opts.apply ? 'and applying ' : ''}for changes… (Ctrl-C to stop)\n`);
}

/**
 * The command body, callable in-process: resolves when `signal` aborts. Tests drive it with an
 * AbortController and the embedded sandbox.
 */
export async function runWatch(dir: string, opts: WatchCliOptions, ctx: CliContext, signal: AbortSignal): Promise<void> {
  // An unreadable interval would never expire: outside writes would never show up.
  const refreshS = Number(opts.refresh ?? '60');
  if (opts.refresh !== undefined && (opts.refresh.trim() === '' || !Number.isFinite(refreshS) || refreshS < 0)) {
    throw new UsageError(msg(CLI_CODES.usage, 'refresh', { value: String(opts.refresh) }));
  }
  const server = wantsServer(opts, ctx);
  const mode = !server ? 'compile' : opts.apply ? 'apply' : 'plan';
  let target: Target | undefined;
  const registry = server ? (target = await connectTarget(opts, ctx)).registry : offlineRegistry(opts).registry;
  try {
    const deps = targetDeps(opts, ctx, registry, target?.client);
    const reader = cachedReadSources(deps.readSources, { cwd: ctx.cwd, cacheLocal: true });
    deps.readSources = reader.readSources;
    // Only files whose bytes changed are parsed again.
    deps.loadBlueprint = parseCache(loadBlueprint).load;
    // Validation per unchanged file and the live lists of untouched models are kept between saves.
    const incremental = opts.incremental === false ? undefined : createIncremental({ registry, refreshMs: refreshS * 1000 });
    if (incremental) {
      deps.validate = incremental.validate;
      deps.compile = incremental.compile;
      deps.snapshot = incremental.snapshot;
    }
    const { sources: _sources, mode: _mode, ...spec } = specFromOptions([dir], mode === 'apply' ? 'apply' : 'plan', opts);
    const logger: Logger = opts.log === 'json' ? jsonLogger(ctx.io.stderr) : { log: () => undefined };
    const loop = await startWatchLoop({
      dir,
      cwd: ctx.cwd,
      mode,
      spec,
      reconcile: (s) => (incremental ? incremental.run((x) => reconcileOnce(x, deps), s) : reconcileOnce(s, deps)),
      logger,
      debounceMs: Number.parseInt(opts.debounce, 10),
      ...(opts.poll ? { usePolling: true } : {}),
      invalidate: (paths) => reader.invalidate(paths),
      ...(mode === 'apply' && deps.state
        ? { lock: { path: deps.state.description, onBusy: 'wait' as const, acquire: (o: AcquireOptions) => deps.state!.lock(o) } }
        : {}),
      onRecord: (run) => {
        printRun(run, opts, ctx);
        ctx.exitCode = run.result === 'succeeded' ? 0 : 1;
      },
    });
    try {
      await new Promise<void>((res) => {
        if (signal.aborted) return res();
        signal.addEventListener('abort', () => res(), { once: true });
      });
    } finally {
      await loop.close();
      await deps.state?.close();
    }
  } finally {
    await target?.close();
  }
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('watch')
    .description('Re-validate and re-plan a directory on every change; with --apply, apply valid states')
    .argument('<dir>', 'directory of blueprints to watch');
  addPlanOptions(cmd)
    .option('--apply', 'apply after each valid plan (takes the apply lock beside --state)')
    .option('--debounce <ms>', 'quiet time after the last change before a run', '150')
    .option('--no-incremental', 're-read every live object on every save (default: only the models the changed entries touch)')
    .option('--refresh <seconds>', 'read all live objects again when the kept ones are this old (changes made by others show up by then)', '60')
    .option('--poll', 'poll the file system instead of using inotify/FSEvents (network mounts, containers)')
    .addOption(new Option('--log <format>', 'also write structured run logs to stderr').choices(['text', 'json']))
    .addHelpText(
      'after',
      '\nExamples:\n  akbp watch blueprints/                       # validate + compile on every save\n  akbp watch --sandbox .akbp/sandbox.json blueprints/\n  AUTHENTIK_URL=… AUTHENTIK_TOKEN=… akbp watch --apply blueprints/\n',
    )
    .action(
      action(ctx, async (dir: string, opts: WatchCliOptions) => {
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          await runWatch(dir, opts, ctx, stop.signal);
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }),
    );
}
