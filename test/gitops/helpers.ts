// A temp world for the gitops tests: temp dirs, real git repositories served by `git daemon`,
// a recording reconcile that reads what it is pointed at, and bounded waits.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { Diagnostic, Plan } from '../../src/model/index.js';
import type { ReconcileOutcome, ReconcileSpec } from '../../src/pipeline/types.js';
import { parseSourceRef } from '../../src/gitops/source-ref.js';
import type { Trigger } from '../../src/gitops/types.js';
import { modelName } from '../helpers/model.js';

const run = promisify(execFile);

export async function tempDir(prefix = 'akbp-gitops-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'akbp test',
  GIT_AUTHOR_EMAIL: 'test@akbp.invalid',
  GIT_COMMITTER_NAME: 'akbp test',
  GIT_COMMITTER_EMAIL: 'test@akbp.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: gitEnv, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** Output of a command including stderr (git push prints hook output as `remote: …`). */
export async function gitAll(cwd: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const r = await run('git', args, { cwd, env: gitEnv });
  return { stdout: r.stdout, stderr: r.stderr };
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface GitWorld {
  root: string;
  bare: string;
  work: string;
  url: string;
  port: number;
  commit(files: { [path: string]: string | null }, message?: string): Promise<string>;
  push(): Promise<{ stdout: string; stderr: string }>;
  close(): Promise<void>;
}

/** A bare repo (served by a real `git daemon` on loopback) and a work clone that pushes into it by path. */
export async function gitWorld(): Promise<GitWorld> {
  const { dir: root, cleanup } = await tempDir('akbp-git-');
  const bare = join(root, 'srv', 'blueprints.git');
  const work = join(root, 'work');
  await mkdir(join(root, 'srv'), { recursive: true });
  await git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  await git(root, 'init', '-q', '-b', 'main', work);
  await git(work, 'remote', 'add', 'origin', bare);
  const port = await freePort();
  const daemon: ChildProcess = spawn(
    'git',
    ['daemon', '--reuseaddr', '--export-all', `--base-path=${join(root, 'srv')}`, '--listen=127.0.0.1', `--port=${port}`, join(root, 'srv')],
    { stdio: 'ignore', env: gitEnv },
  );
  const exited = new Promise<void>((r) => daemon.once('exit', () => r()));
  await waitFor(
    'git daemon to listen',
    () =>
      new Promise<boolean>((r) => {
        const c = connect(port, '127.0.0.1', () => {
          c.destroy();
          r(true);
        });
        c.once('error', () => r(false));
      }),
    10_000,
  );
  return {
    root,
    bare,
    work,
    port,
    url: `git://127.0.0.1:${port}/blueprints.git`,
    async commit(files, message = 'change') {
      for (const [p, text] of Object.entries(files)) {
        const abs = join(work, p);
        if (text === null) await rm(abs, { force: true });
        else {
          await mkdir(dirname(abs), { recursive: true });
          await writeFile(abs, text);
        }
      }
      await git(work, 'add', '-A');
      await git(work, 'commit', '-q', '--allow-empty', '-m', message);
      return git(work, 'rev-parse', 'HEAD');
    },
    push: () => gitAll(work, 'push', '-q', 'origin', 'main'),
    async close() {
      daemon.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      await cleanup();
    },
  };
}

export interface Entry {
  file: string;
  model: string;
  name: string;
}

/** Blueprint-ish YAML → entries, or an error diagnostic; stands in for load+compile until the pipeline lands. */
export function fakeCompile(files: { path: string; text: string }[]): { entries: Entry[]; diagnostics: Diagnostic[]; texts: Map<string, string> } {
  const entries: Entry[] = [];
  const diagnostics: Diagnostic[] = [];
  const texts = new Map<string, string>();
  for (const f of files) {
    texts.set(f.path, f.text);
    try {
      const doc = parse(f.text) as { entries?: { model: string; identifiers?: { name?: string; slug?: string } }[] } | null;
      for (const e of doc?.entries ?? []) entries.push({ file: f.path, model: e.model, name: String(e.identifiers?.name ?? e.identifiers?.slug ?? '?') });
    } catch (err) {
      diagnostics.push({ code: 'AKB1001', severity: 'error', summary: (err as Error).message.split('\n')[0]!, subject: { uri: f.path, start: 0, end: 0 } });
    }
  }
  return { entries, diagnostics, texts };
}

export function fakePlan(entries: Entry[], revision?: string): Plan {
  return {
    formatVersion: 2,
    createdAt: new Date(0).toISOString(),
    source: { uris: ['test'], ...(revision ? { revision } : {}), digest: 'sha256:0' },
    server: { url: 'http://sandbox', version: '2024.2' },
    changes: entries.map((e, i) => ({
      key: `${e.file}#${i}`,
      model: modelName(e.model),
      action: 'create',
      reason: 'missing',
      identifiers: { name: e.name },
      patch: [],
      order: i,
      wave: 0,
      dependsOn: [],
    })),
    diagnostics: [],
    applyable: true,
    summary: { create: entries.length, update: 0, delete: 0, noop: 0, conflict: 0 },
  };
}

/** Reads a git:: source at its `ref` (the pinned sha) through the git daemon, like a git source adapter. */
async function readGitAt(spec: string, scratch: string): Promise<{ revision: string; files: { path: string; text: string }[] }> {
  const s = parseSourceRef(spec);
  if (s.kind !== 'git' || !s.ref) throw new Error(`not a pinned git source: ${spec}`);
  await git(scratch, 'init', '-q');
  await git(scratch, 'fetch', '-q', '--depth=1', s.url, s.ref);
  const revision = await git(scratch, 'rev-parse', 'FETCH_HEAD');
  const names = (await git(scratch, 'ls-tree', '--name-only', 'FETCH_HEAD')).split('\n').filter((n) => /\.ya?ml$/.test(n));
  const files = [];
  for (const n of names) files.push({ path: n, text: await git(scratch, 'show', `FETCH_HEAD:${n}`) });
  return { revision, files };
}

interface Call {
  spec: ReconcileSpec;
  trigger: Trigger;
  outcome: ReconcileOutcome;
  startedAt: number;
  finishedAt: number;
}

/** A reconcile that reads the git source at the pushed sha and records what it saw. `gate` holds runs open. */
export function recordingGitReconcile(scratchRoot: string) {
  const calls: Call[] = [];
  let gate: Promise<void> | undefined;
  let n = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const reconcile = async (spec: ReconcileSpec, trigger: Trigger): Promise<ReconcileOutcome> => {
    const startedAt = Date.now();
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (gate) await gate;
      const scratch = join(scratchRoot, `read-${++n}`);
      await mkdir(scratch, { recursive: true });
      const { revision, files } = await readGitAt(spec.sources[0]!, scratch);
      const { entries, diagnostics, texts } = fakeCompile(files);
      const outcome: ReconcileOutcome = {
        revision,
        diagnostics,
        texts,
        ok: diagnostics.length === 0,
        ...(diagnostics.length ? {} : { plan: fakePlan(entries, revision) }),
      };
      calls.push({ spec, trigger, outcome, startedAt, finishedAt: Date.now() });
      return outcome;
    } finally {
      inFlight -= 1;
    }
  };
  return {
    reconcile,
    calls,
    hold(): () => void {
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
    maxInFlight: () => maxInFlight,
    /** Runs started and not finished: a started run has its revision already resolved. */
    inFlight: () => inFlight,
  };
}
