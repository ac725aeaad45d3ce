// `akbp serve`: the GitOps daemon. Webhooks (GitHub, GitLab, Gitea, generic), an interval poller
// with cheap revision checks and drift detection, /healthz, /metrics, /status; every trigger goes
// through one queue, and applies take the lock beside the ownership state.
import type { Command } from 'commander';
import { Option } from 'commander';
import { cachedReadSources, compileInWorker, jsonLogger, parseDuration, parseSourceRef, revisionCheck, startDaemon, type Daemon } from '../../gitops/index.js';
import { reconcileOnce } from '../../pipeline/index.js';
import { appliedRevisions } from '../../state/applied.js';
import { PostgresStateStore } from '../../state/postgres.js';
import { leaderOnly, startElection, type Election, type Role } from '../../state/leader.js';
import { gitIsAncestor, gitLsRemote, ociManifestDigest } from '../../sources/index.js';
import type { CliContext } from '../context.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { action } from '../run.js';
import { cacheDir, connectTarget, lockTimeoutMs, UsageError } from '../target.js';
import { targetDeps } from '../state-store.js';
import { addPlanOptions, specFromOptions, type PlanCliOptions } from './plan.js';
import { msg } from '../../diag/index.js';
import { CLI_CODES } from '../codes.js';

export interface ServeCliOptions extends PlanCliOptions {
  source: string[];
  listen: string;
  interval?: string;
  apply?: boolean;
  webhookSecret?: string;
  lockWait: 'wait' | 'skip';
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  if (!m) throw new UsageError(msg(CLI_CODES.usage, 'listen', { value: text }));
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(msg(CLI_CODES.usage, 'listenPort', { port }));
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

/** Starts the daemon from CLI options; resolves with it running (the command waits for a signal). */
export async function startServe(opts: ServeCliOptions, ctx: CliContext): Promise<{ daemon: Daemon; close(): Promise<void> }> {
  if (!opts.source?.length) throw new UsageError(msg(CLI_CODES.usage, 'serveSource', {}));
  const { host, port } = parseListen(opts.listen);
  let intervalMs: number | undefined;
  try {
    intervalMs = opts.interval ? parseDuration(opts.interval) : undefined;
  } catch (e) {
    throw new UsageError(msg(CLI_CODES.usage, 'interval', { why: (e as Error).message }));
  }
  const secret = opts.webhookSecret ?? ctx.env.AKBP_WEBHOOK_SECRET;
  const logger = jsonLogger(ctx.io.stdout);
  if (!secret) logger.log('warn', 'no webhook secret (--webhook-secret or AKBP_WEBHOOK_SECRET): every webhook will be refused', {});
  const target = await connectTarget(opts, ctx);
  const deps = targetDeps(opts, ctx, target.registry, target.client, opts.source);
  // Pinned revisions never change, so drift checks at an unchanged sha do not fetch again.
  deps.readSources = cachedReadSources(deps.readSources, { cwd: ctx.cwd }).readSources;
  // One hostile blueprint must fail its source, not stall /healthz or kill the daemon.
  deps.compile = compileInWorker();
  const mode = opts.apply ? 'apply' : 'plan';
  // Replicas on one postgres backend elect a leader; only it applies (standbys skip, as if locked).
  let election: Election | undefined;
  let onRole: (role: Role, why: string) => void = () => undefined;
  if (mode === 'apply' && deps.state instanceof PostgresStateStore) {
    election = startElection(deps.state, { pollMs: Math.min(intervalMs ?? 5000, 5000), onChange: (role, why) => onRole(role, why) });
    deps.client = leaderOnly(target.client, election);
  }
  const { sources: _sources, mode: _mode, ...spec } = specFromOptions(opts.source, mode, opts);
  const registryCa = opts.registryCa ? readFileSync(resolve(ctx.cwd, opts.registryCa), 'utf8') : undefined;
  const check = revisionCheck({
    git: (url, ref) => gitLsRemote(url, ref, { env: ctx.env, timeoutMs: 30_000 }),
    oci: (reference) =>
      ociManifestDigest(`oci://${reference}`, {
        cacheDir: cacheDir(opts, ctx),
        env: ctx.env,
        ...(opts.registryAuth ? { registryAuth: opts.registryAuth } : {}),
        ...(registryCa ? { registryCa } : {}),
        ...(opts.insecureRegistry ? { insecureRegistries: opts.insecureRegistry } : {}),
      }),
  });
  const daemon = await startDaemon({
    sources: opts.source,
    host,
    port,
    ...(secret ? { secret } : {}),
    ...(intervalMs ? { intervalMs } : {}),
    check,
    // OCI digests have no history to compare; only git sources are guarded against rollback.
    isAncestor: async (source, older, newer) =>
      parseSourceRef(source).kind === 'git' ? gitIsAncestor(source, older, newer, { cacheDir: cacheDir(opts, ctx), env: ctx.env, timeoutMs: 120_000 }) : false,
    mode,
    spec,
    reconcile: (s) => reconcileOnce(s, deps),
    ...(deps.state ? { applied: appliedRevisions(deps.state) } : {}),
    logger,
    runOnStart: true,
    ...(mode === 'apply' && deps.state
      ? {
          lock: {
            path: deps.state.description,
            onBusy: opts.lockWait,
            timeoutMs: lockTimeoutMs(opts),
            acquire: (o) => (election && election.role() !== 'leader' ? Promise.resolve({ ok: false as const, reason: 'busy' as const }) : deps.state!.lock(o)),
          },
        }
      : {}),
    ...(election ? { role: () => election!.role() } : {}),
  });
  onRole = (role, why) => {
    logger.log(role === 'leader' ? 'info' : 'warn', role === 'leader' ? 'leader: reconciling' : 'standby: another replica leads', { why });
    // A new leader catches up at once rather than at the next interval.
    if (role === 'leader') for (const s of opts.source) void daemon.queue.enqueue({ kind: 'startup', source: s, at: Date.now() });
  };
  if (election?.role() === 'leader') onRole('leader', 'acquired the leader lock');
  return {
    daemon,
    async close() {
      await daemon.close();
      await election?.stop();
      await deps.state?.close();
      await target.close();
    },
  };
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('serve')
    .description('GitOps daemon: reconcile on webhooks and on an interval; /healthz, /metrics, /status')
    .option('--source <source...>', 'sources to follow (git::URL?ref=BRANCH, oci://…, paths); one queue lane each');
  addPlanOptions(cmd)
    .option('--listen <host:port>', 'address for webhooks, health and metrics', '127.0.0.1:8080')
    .option('--interval <duration>', 'also check and plan every duration (30s, 5m, 1h): cheap revision check, drift detection')
    .option('--apply', 'apply changes (and correct drift); without it the daemon only plans and reports')
    .option('--webhook-secret <secret>', 'shared secret for webhook signatures (or AKBP_WEBHOOK_SECRET); never logged')
    .addOption(new Option('--lock-wait <policy>', 'when another akbp holds the apply lock').choices(['wait', 'skip']).default('wait'))
    .addHelpText(
      'after',
      '\nWebhook endpoints: POST /hooks/github, /hooks/gitlab, /hooks/gitea, /hooks/generic\n\nExamples:\n  AKBP_WEBHOOK_SECRET=… akbp serve --source git::https://git.example.com/iam.git//blueprints?ref=main \\\n      --interval 5m --apply --listen 0.0.0.0:8080\n  akbp serve --sandbox .akbp/sandbox.json --source ./blueprints --interval 30s\n',
    )
    .action(
      action(ctx, async (opts: ServeCliOptions) => {
        const running = await startServe(opts, ctx);
        ctx.io.stderr(`akbp: serving on ${running.daemon.url} (Ctrl-C to stop)\n`);
        await new Promise<void>((res) => {
          process.once('SIGINT', () => res());
          process.once('SIGTERM', () => res());
        });
        await running.close();
      }),
    );
}
