// `akbp hook install`: a post-receive hook for a bare repository. For pushes to the followed ref
// it either POSTs a signed generic push event to a running `akbp serve`, or — with no daemon —
// runs `akbp apply` itself on the pushed revision. The secret never goes into the hook script nor
// into the repository (whose files backups, mirrors and repository browsers may expose): it is
// read from AKBP_WEBHOOK_SECRET or from a 0600 file in a 0700 directory outside the repository.
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';

const HOOK_MARKER = '# akbp-post-receive-hook';
export const SECRET_FILE = 'akbp-webhook.secret';

export interface HookInstallOptions {
  bareRepo: string;
  ref?: string;
  daemonUrl?: string;
  /** Repository URL the daemon's source names (`git::URL`); default `file://<bare repo>`. */
  repoUrl?: string;
  secret?: string;
  /** For direct apply: the source spec, `{rev}` replaced by the pushed sha. */
  sourceTemplate?: string;
  /** Arguments after `--`, passed to `akbp apply` before the source. */
  applyArgs?: string[];
  /** Command that runs akbp (direct apply); default `akbp`. */
  akbpCommand?: string[];
  /** Node binary the daemon notifier runs with; default the one running now. */
  node?: string;
  force?: boolean;
  /** Where the secret is stored; default {@link defaultSecretFile}. Must be outside the repository. */
  secretFile?: string;
}

/** `~/.config/akbp/hook-secrets/<repo>-<hash of its path>.secret`: per repository, outside it. */
export function defaultSecretFile(bareRepo: string, env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  const id = createHash('sha256').update(resolve(bareRepo)).digest('hex').slice(0, 12);
  return join(config, 'akbp', 'hook-secrets', `${basename(resolve(bareRepo)).replace(/[^\w.-]/g, '_')}-${id}.secret`);
}

function inside(dir: string, file: string): boolean {
  const r = relative(dir, file);
  return r === '' || (!r.startsWith('..') && !r.startsWith('/'));
}

export interface HookInstallResult {
  hookPath: string;
  secretPath?: string;
  mode: 'daemon' | 'apply';
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

// CommonJS on purpose: `node -e` evaluates it without a package.json around.
const notifier = `
const { createHmac, randomUUID } = require('node:crypto');
const fs = require('node:fs');
const env = process.env;
let secret = env.AKBP_WEBHOOK_SECRET || '';
if (!secret && fs.existsSync(env.AKBP_SECRET_FILE)) secret = fs.readFileSync(env.AKBP_SECRET_FILE, 'utf8').trim();
if (!secret) { console.error('akbp: no webhook secret (AKBP_WEBHOOK_SECRET or ' + env.AKBP_SECRET_FILE + ')'); process.exit(1); }
const delivery = randomUUID();
const body = JSON.stringify({ ref: env.AKBP_PUSH_REF, before: env.AKBP_PUSH_OLD, after: env.AKBP_PUSH_NEW, repository: { url: env.AKBP_REPO_URL }, delivery });
const signature = 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
fetch(env.AKBP_DAEMON_URL.replace(/\\/+$/, '') + '/hooks/generic', {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-akbp-event': 'push', 'x-akbp-delivery': delivery, 'x-akbp-signature': signature },
  body,
  signal: AbortSignal.timeout(10000),
}).then(async (r) => {
  console.log('akbp: daemon answered ' + r.status + ' ' + (await r.text()).trim());
  if (r.status >= 300) process.exitCode = 1;
}, (e) => { console.error('akbp: cannot reach the daemon: ' + e.message); process.exitCode = 1; });
`;

function renderHook(o: HookInstallOptions & { bareRepo: string }): string {
  const ref = o.ref ?? 'refs/heads/main';
  const lines = [
    '#!/bin/sh',
    HOOK_MARKER,
    '# Installed by `akbp hook install`; reinstall with --force to change it.',
    `AKBP_REF=${shq(ref)}`,
    'while read -r old new ref; do',
    '  [ "$ref" = "$AKBP_REF" ] || continue',
    '  case "$new" in *[!0]*) ;; *) continue ;; esac',
  ];
  if (o.daemonUrl) {
    lines.push(
      `  AKBP_DAEMON_URL=${shq(o.daemonUrl)} AKBP_REPO_URL=${shq(o.repoUrl ?? `file://${o.bareRepo}`)} \\`,
      `  AKBP_SECRET_FILE=${shq(o.secretFile ?? defaultSecretFile(o.bareRepo))} \\`,
      '  AKBP_PUSH_REF="$ref" AKBP_PUSH_OLD="$old" AKBP_PUSH_NEW="$new" \\',
      `  ${shq(o.node ?? process.execPath)} -e ${shq(notifier.trim())}`,
    );
  } else {
    const template = o.sourceTemplate ?? `git::file://${o.bareRepo}?ref={rev}`;
    const cmd = (o.akbpCommand ?? ['akbp']).map(shq).join(' ');
    const args = (o.applyArgs ?? []).map(shq).join(' ');
    lines.push(
      `  src=$(printf '%s' ${shq(template)} | sed "s/{rev}/$new/g")`,
      '  echo "akbp: applying $src"',
      // git sets GIT_DIR for hooks; a git source read by akbp must not inherit it.
      // The source goes first: a trailing optional-value flag (`--sandbox`) must not swallow it.
      `  env -u GIT_DIR -u GIT_QUARANTINE_PATH ${cmd} apply "$src"${args ? ' ' : ''}${args} || echo "akbp: apply failed for $new" >&2`,
    );
  }
  lines.push('done', '');
  return lines.join('\n');
}

async function isBareRepo(dir: string): Promise<boolean> {
  try {
    await stat(join(dir, 'HEAD'));
    await stat(join(dir, 'objects'));
    return true;
  } catch {
    return false;
  }
}

export async function installHook(opts: HookInstallOptions): Promise<HookInstallResult> {
  const bareRepo = resolve(opts.bareRepo);
  if (!(await isBareRepo(bareRepo))) throw new Error(`${opts.bareRepo} is not a bare git repository (no HEAD/objects)`);
  const secretPath = resolve(opts.secretFile ?? defaultSecretFile(bareRepo));
  if (inside(bareRepo, secretPath)) throw new Error(`the webhook secret must be stored outside the repository, not in ${secretPath}`);
  const hooks = join(bareRepo, 'hooks');
  await mkdir(hooks, { recursive: true });
  const hookPath = join(hooks, 'post-receive');
  const existing = await readFile(hookPath, 'utf8').catch(() => undefined);
  if (existing !== undefined && !existing.includes(HOOK_MARKER) && !opts.force) {
    throw new Error(`${hookPath} exists and was not written by akbp; use --force to replace it`);
  }
  await writeFile(hookPath, renderHook({ ...opts, bareRepo, secretFile: secretPath }), { mode: 0o755 });
  await chmod(hookPath, 0o755);
  const result: HookInstallResult = { hookPath, mode: opts.daemonUrl ? 'daemon' : 'apply' };
  if (opts.daemonUrl && opts.secret) {
    await mkdir(dirname(secretPath), { recursive: true, mode: 0o700 });
    await writeFile(secretPath, opts.secret + '\n', { mode: 0o600 });
    await chmod(secretPath, 0o600);
    result.secretPath = secretPath;
  }
  return result;
}
