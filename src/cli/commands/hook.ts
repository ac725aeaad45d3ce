// `akbp hook install BARE_REPO`: a post-receive hook that notifies `akbp serve` (signed generic
// event) or, without --daemon-url, runs `akbp apply` on the pushed revision itself.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { defaultSecretFile, installHook } from '../../gitops/hook.js';
import type { CliContext } from '../context.js';
import { action } from '../run.js';
import { UsageError } from '../target.js';
import { msg } from '../../diag/index.js';
import { CLI_CODES } from '../codes.js';

interface HookCliOptions {
  daemonUrl?: string;
  ref: string;
  repoUrl?: string;
  webhookSecret?: string;
  source?: string;
  akbp?: string;
  force?: boolean;
  secretFile?: string;
  format: 'text' | 'json';
}

/** `node /abs/bin/akbp.js`: the hook runs in git's environment, where `akbp` may not be on PATH. */
function defaultAkbpCommand(): string[] {
  return [process.execPath, fileURLToPath(new URL('../../../bin/akbp.js', import.meta.url))];
}

export function register(program: Command, ctx: CliContext): void {
  const hook = program.command('hook').description('Git server hooks that feed akbp');
  hook
    .command('install')
    .description('Install a post-receive hook in a bare repository')
    .argument('<bare-repo>', 'path of the bare repository (the one pushed to)')
    .argument('[apply-args...]', 'after --: arguments for `akbp apply` when no daemon is used')
    .option('--daemon-url <url>', 'POST a signed push event to this `akbp serve` instead of applying here')
    .option('--ref <ref>', 'only pushes to this ref trigger', 'refs/heads/main')
    .option('--repo-url <url>', "repository URL as the daemon's --source names it (default file://BARE_REPO)")
    .option('--webhook-secret <secret>', 'secret shared with the daemon (or AKBP_WEBHOOK_SECRET); stored 0600 outside the repository, never in the hook')
    .option('--secret-file <file>', 'where to store the secret (default ~/.config/akbp/hook-secrets/REPO-ID.secret); must be outside the repository')
    .option('--source <template>', 'without a daemon: source to apply, {rev} = pushed sha (default git::file://BARE_REPO?ref={rev})')
    .option('--akbp <command>', 'without a daemon: command that runs akbp (default: this installation)')
    .option('--force', 'replace a post-receive hook akbp did not write')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      '\nExamples:\n  akbp hook install /srv/git/iam.git --daemon-url http://127.0.0.1:8080 --repo-url https://git.example.com/iam.git\n  akbp hook install /srv/git/iam.git -- --server https://auth.example.com --yes\n',
    )
    .action(
      action(ctx, async (bareRepo: string, applyArgs: string[], opts: HookCliOptions) => {
        const secret = opts.webhookSecret ?? ctx.env.AKBP_WEBHOOK_SECRET;
        if (opts.daemonUrl && !secret) throw new UsageError(msg(CLI_CODES.usage, 'daemonSecret', {}));
        if (opts.daemonUrl && applyArgs.length) throw new UsageError(msg(CLI_CODES.usage, 'daemonArguments', {}));
        const res = await installHook({
          bareRepo: resolve(ctx.cwd, bareRepo),
          ref: opts.ref,
          ...(opts.daemonUrl ? { daemonUrl: opts.daemonUrl } : {}),
          ...(opts.repoUrl ? { repoUrl: opts.repoUrl } : {}),
          ...(secret && opts.daemonUrl ? { secret } : {}),
          ...(opts.source ? { sourceTemplate: opts.source } : {}),
          akbpCommand: opts.akbp ? opts.akbp.split(' ').filter(Boolean) : defaultAkbpCommand(),
          applyArgs,
          ...(opts.force ? { force: true } : {}),
          secretFile: opts.secretFile ? resolve(ctx.cwd, opts.secretFile) : defaultSecretFile(resolve(ctx.cwd, bareRepo), ctx.env),
        }).catch((e: Error) => {
          throw new UsageError(e.message);
        });
        if (opts.format === 'json') {
          ctx.io.stdout(
            `${JSON.stringify({ formatVersion: 1, ok: true, hookPath: res.hookPath, mode: res.mode, ref: opts.ref, ...(opts.daemonUrl ? { daemonUrl: opts.daemonUrl } : {}), ...(res.secretPath ? { secretPath: res.secretPath } : {}) }, null, 2)}\n`,
          );
          return;
        }
        ctx.io.stdout(`Installed ${res.hookPath} (${res.mode === 'daemon' ? `notifies ${opts.daemonUrl}` : 'runs akbp apply'} on pushes to ${opts.ref})\n`);
        if (res.secretPath) ctx.io.stdout(`Secret stored in ${res.secretPath} (mode 0600)\n`);
      }),
    );
}
