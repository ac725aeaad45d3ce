// Git sources through simple-git: a shallow clone per (URL, ref) under the cache dir, fetched
// again on every read, checked out at the exact commit. Credentials reach git only through the
// environment (never argv, never .git/config) and git may never prompt: a missing credential
// fails fast instead of hanging a reconcile loop.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { SourceOrigin } from '../model/types.js';
import { fail, text } from './errors.js';
import { isLoopback } from './loopback.js';
import { insideReal, readDirSource, readFileSource, type LocalRead } from './local.js';
import { redactText, redactUrl } from './redact.js';
import { formatGitSpec } from './spec.js';

export interface GitOptions {
  cacheDir: string;
  env: NodeJS.ProcessEnv;
  /** Kill git when it produces no output for this long (default 120 s). */
  timeoutMs?: number;
  /** Largest blueprint file read (default 4 MiB). */
  maxFileBytes?: number;
}

interface Prepared {
  url: string;
  env: Record<string, string>;
  secrets: string[];
}

/**
 * The environment git runs with. A token (AKBP_GIT_TOKEN, or userinfo in an https URL) becomes
 * an `http.<origin>/.extraHeader` set through GIT_CONFIG_COUNT: the same as `-c`, but invisible
 * in the process list, and scoped to that origin so redirects elsewhere never see it.
 */
function prepare(rawUrl: string, env: NodeJS.ProcessEnv): Prepared {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  for (const k of ['AKBP_GIT_TOKEN', 'AKBP_REGISTRY_AUTH', 'SSH_ASKPASS']) delete out[k];
  out.GIT_TERMINAL_PROMPT = '0';
  // Empty (rather than unset) also overrides core.askPass and SSH_ASKPASS inside git.
  out.GIT_ASKPASS = '';
  out.GIT_SSH_COMMAND = env.GIT_SSH_COMMAND || 'ssh -o BatchMode=yes';
  out.LC_ALL = 'C';
  let url = rawUrl;
  const secrets: string[] = [];
  let basic: string | undefined;
  if (/^https?:\/\//i.test(url)) {
    const u = new URL(url);
    if (u.username || u.password) {
      basic = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
      secrets.push(decodeURIComponent(u.password));
      u.username = '';
      u.password = '';
      url = u.href;
    } else if (env.AKBP_GIT_TOKEN && (u.protocol === 'https:' || isLoopback(u.hostname))) {
      // Never over plain http to another machine: the header would cross the network in clear.
      const t = env.AKBP_GIT_TOKEN;
      secrets.push(t);
      // GitHub, Gitea and GitLab all accept a token as the password of Basic auth.
      basic = t.includes(':') ? t : `x-access-token:${t}`;
    }
    if (basic) {
      const n = Number(out.GIT_CONFIG_COUNT ?? '0') || 0;
      const header = `Authorization: Basic ${Buffer.from(basic).toString('base64')}`;
      secrets.push(Buffer.from(basic).toString('base64'));
      out[`GIT_CONFIG_KEY_${n}`] = `http.${u.origin}/.extraHeader`;
      out[`GIT_CONFIG_VALUE_${n}`] = header;
      out.GIT_CONFIG_COUNT = String(n + 1);
    }
  }
  return { url, env: out, secrets };
}

function git(baseDir: string, p: Prepared, timeoutMs: number): SimpleGit {
  return simpleGit({
    baseDir,
    timeout: { block: timeoutMs },
    // These guard against untrusted input; here the values come from the user's own environment.
    unsafe: { allowUnsafeAskPass: true, allowUnsafeSshCommand: true, allowUnsafeConfigEnvCount: true },
  }).env(p.env);
}

function gitMessage(err: unknown, p: Prepared): string {
  const raw = err instanceof Error ? err.message : String(err);
  const lines = redactText(raw, p.secrets)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('hint:'));
  return lines.slice(0, 4).join(' | ') || 'git failed';
}

const SHA = /^[0-9a-f]{40}$/;

export interface GitRead extends LocalRead {
  checkout: string;
}

/**
 * One checkout per repository, whatever the ref: the daemon reads a new commit sha on every push,
 * and a checkout per ref would clone again each time and grow the cache without bound. Reads of
 * one repository are serialised in this process (different refs share the work tree); files are
 * read into memory before the next read may check out something else.
 */
const checkoutLocks = new Map<string, Promise<unknown>>();

export async function readGitSource(spec: { url: string; subdir?: string; ref?: string }, opts: GitOptions): Promise<GitRead> {
  const p = prepare(spec.url, opts.env);
  const key = createHash('sha256').update(p.url).digest('hex').slice(0, 24);
  const dir = join(opts.cacheDir, 'git', key);
  const previous = checkoutLocks.get(dir) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => readCheckout(spec, p, dir, opts));
  checkoutLocks.set(dir, run);
  try {
    return await run;
  } finally {
    if (checkoutLocks.get(dir) === run) checkoutLocks.delete(dir);
  }
}

async function readCheckout(spec: { url: string; subdir?: string; ref?: string }, p: Prepared, dir: string, opts: GitOptions): Promise<GitRead> {
  const shown = formatGitSpec(spec);
  const timeout = opts.timeoutMs ?? 120_000;
  await mkdir(dir, { recursive: true });
  const g = git(dir, p, timeout);
  let sha: string;
  try {
    if (existsSync(join(dir, '.git'))) {
      try {
        // `--`: a URL starting with '-' is a URL, never an option.
        await g.remote(['set-url', '--', 'origin', p.url]);
      } catch {
        // A clone left broken by an interrupted run is cheaper to redo than to repair.
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
      }
    }
    if (!existsSync(join(dir, '.git'))) {
      await g.init();
      await g.raw(['remote', 'add', '--', 'origin', p.url]);
    }
  } catch (err) {
    fail('gitFetch', 'cannotPrepareCache', { shown, dir, why: gitMessage(err, p) }, text('gitFetch', 'cannotPrepareCacheDetail', {}));
  }
  try {
    await g.fetch(['--depth', '1', '--no-tags', 'origin', spec.ref ?? 'HEAD']);
    sha = (await g.revparse(['FETCH_HEAD^{commit}'])).trim();
    await g.checkout(['--quiet', '--force', '--detach', sha]);
    await g.raw(['clean', '-ffdxq']);
  } catch (err) {
    const msg = gitMessage(err, p);
    if (/couldn't find remote ref|not our ref|no such remote ref|unadvertised object/i.test(msg)) {
      fail('gitRefNotFound', 'refNotInRepository', { shown, ref: spec.ref ?? 'HEAD' }, text('gitRefNotFound', 'refNotInRepositoryDetail', {}));
    }
    if (/block timeout|timed out/i.test(msg)) {
      fail('gitFetch', 'noProgress', { shown, seconds: Math.round(timeout / 1000) }, text('gitFetch', 'noProgressDetail', {}));
    }
    fail('gitFetch', 'cannotFetch', { shown, url: redactUrl(p.url), msg }, text('gitFetch', 'cannotFetchDetail', {}));
  }
  if (!SHA.test(sha)) fail('gitFetch', 'noCommit', { shown, ref: spec.ref ?? 'HEAD' }, text('gitFetch', 'noCommitDetail', {}));
  const root = spec.subdir ? join(dir, ...spec.subdir.split('/')) : dir;
  const st = (await insideReal(root, dir)) ? await stat(root).catch(() => undefined) : undefined;
  if (!st) fail('gitSubdir', 'doesNotExist', { shown, subdir: String(spec.subdir), revision: sha.slice(0, 12) }, text('gitSubdir', 'doesNotExistDetail', {}));
  const base: Omit<SourceOrigin, 'digest'> = { kind: 'git', uri: shown, revision: sha, root, local: false };
  if (spec.ref) base.ref = spec.ref;
  const prefix = `${redactUrl(p.url)}//${spec.subdir ? `${spec.subdir}/` : ''}`;
  if (st.isFile()) {
    const r = await readFileSource(root, dir, { ...base, root: join(root, '..') }, opts.maxFileBytes);
    r.files[0]!.uri = `${redactUrl(p.url)}//${spec.subdir}`;
    return { ...r, checkout: dir };
  }
  const r = await readDirSource(root, base, (path) => `${prefix}${path}`, dir, opts.maxFileBytes);
  return { ...r, checkout: dir };
}

/** Commit the ref names on the remote now (peeled for annotated tags); cheap change check. */
export async function gitLsRemote(url: string, ref: string | undefined, opts: { env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<string> {
  const raw = url.startsWith('git::') ? url.slice(5).replace(/\?.*$/, '') : url;
  const scheme = raw.indexOf('://');
  const sub = raw.indexOf('//', scheme >= 0 ? scheme + 3 : 0);
  const p = prepare(sub >= 0 ? raw.slice(0, sub) : raw, opts.env);
  const want = ref || 'HEAD';
  if (SHA.test(want)) return want;
  let out: string;
  try {
    // A pattern alone does not list the peeled `^{}` entry of an annotated tag; ask for it too.
    out = await git(tmpdir(), p, opts.timeoutMs ?? 60_000).listRemote(['--', p.url, want, `${want}^{}`]);
  } catch (err) {
    fail('gitFetch', 'cannotListRefs', { url: redactUrl(p.url), why: gitMessage(err, p) }, text('gitFetch', 'cannotReadHistoryDetail', {}));
  }
  const refs = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [sha, name] = line.trim().split(/\s+/);
    if (sha && name) refs.set(name, sha);
  }
  const candidates = want === 'HEAD' ? ['HEAD'] : [`refs/heads/${want}`, `refs/tags/${want}^{}`, `refs/tags/${want}`, want];
  for (const c of candidates) {
    const sha = refs.get(c);
    if (sha) return sha;
  }
  fail('gitRefNotFound', 'refNotFound', { url: redactUrl(p.url), want }, text('gitRefNotFound', 'refNotFoundDetail', {}));
}

/**
 * Is `older` an ancestor of `newer` in the repository behind a `git::` source? The daemon asks
 * before it applies, so a replayed webhook or a branch rewound by force-push never rolls the
 * server back. Shallow source checkouts lack history, so this keeps its own bare repository per
 * URL and fetches the followed ref's full commit history into it (commits only are needed, but
 * `--filter` needs server support git daemon lacks by default). Both commits were fetched by
 * earlier calls or this one; a commit the repository never had is "not an ancestor". Called with
 * `older === newer` it only records the commit (the answer is false), so a later force-push
 * cannot make the applied commit unknown.
 */
export async function gitIsAncestor(source: string, older: string, newer: string, opts: GitOptions): Promise<boolean> {
  const raw = source.startsWith('git::') ? source.slice(5) : source;
  const q = raw.indexOf('?');
  const ref = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)).get('ref') ?? 'HEAD';
  const base = q < 0 ? raw : raw.slice(0, q);
  const scheme = base.indexOf('://');
  const sub = base.indexOf('//', scheme >= 0 ? scheme + 3 : 0);
  const p = prepare(sub >= 0 ? base.slice(0, sub) : base, opts.env);
  const dir = join(opts.cacheDir, 'git-history', createHash('sha256').update(p.url).digest('hex').slice(0, 24));
  await mkdir(dir, { recursive: true });
  const g = git(dir, p, opts.timeoutMs ?? 120_000);
  try {
    if (!existsSync(join(dir, 'HEAD'))) await g.init(true);
    await g.raw(['fetch', '--quiet', '--no-tags', p.url, `+${ref}:refs/akbp/followed`]);
    // Keep every commit ever asked about reachable, so gc never drops what was applied.
    for (const sha of [older, newer]) {
      const present = await g.raw(['cat-file', '-t', sha]).then(
        (t) => t.trim() === 'commit',
        () => false,
      );
      if (!present) return false;
      await g.raw(['update-ref', `refs/akbp/seen/${sha}`, sha]);
    }
    // simple-git resolves on a non-zero exit without stderr, so `--is-ancestor`'s exit code is
    // lost; the merge base equals `older` exactly when it is an ancestor.
    if (older === newer) return false;
    const baseSha = await g.raw(['merge-base', older, newer]).then(
      (t) => t.trim(),
      () => '',
    );
    return baseSha === older;
  } catch (err) {
    fail('gitFetch', 'cannotReadHistory', { url: redactUrl(p.url), why: gitMessage(err, p) }, text('gitFetch', 'cannotReadHistoryDetail', {}));
  }
}
