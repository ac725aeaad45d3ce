// Test helper: real git repositories in temp dirs: a working repo whose commits are pushed to a
// bare repo, and a `git daemon` serving the bare repos on a free loopback port (stopped by PID).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { freePort, tempDir } from './registry.js';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'akbp test',
  GIT_AUTHOR_EMAIL: 'test@akbp.invalid',
  GIT_COMMITTER_NAME: 'akbp test',
  GIT_COMMITTER_EMAIL: 'test@akbp.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();
}

export interface TestRepo {
  /** Directory that holds the bare repo (the daemon's base path). */
  base: string;
  /** Absolute path of `<name>.git`. */
  bare: string;
  name: string;
  /** The working repository commits are made in (for symlinks and other special files). */
  work: string;
  /** Writes files (path → content; null deletes), commits, pushes; returns the commit sha. */
  commit(files: Record<string, string | null>, message?: string, branch?: string): string;
  tag(name: string, annotated?: boolean): void;
  cleanup(): void;
}

export function makeRepo(name = 'blueprints'): TestRepo {
  const base = tempDir('git');
  const bare = join(base, `${name}.git`);
  const work = join(base, 'work');
  git(base, ['init', '-q', '--bare', '-b', 'main', bare]);
  git(base, ['init', '-q', '-b', 'main', work]);
  let n = 0;
  return {
    base,
    bare,
    name,
    work,
    commit(files, message = `commit ${++n}`, branch = 'main') {
      const current = git(work, ['symbolic-ref', '--short', 'HEAD']);
      if (current !== branch) git(work, ['checkout', '-q', '-B', branch]);
      for (const [p, content] of Object.entries(files)) {
        const abs = join(work, p);
        if (content === null) rmSync(abs, { force: true });
        else {
          mkdirSync(dirname(abs), { recursive: true });
          writeFileSync(abs, content);
        }
      }
      git(work, ['add', '-A']);
      git(work, ['commit', '-q', '--allow-empty', '-m', message]);
      git(work, ['push', '-q', '--force', bare, `HEAD:refs/heads/${branch}`]);
      return git(work, ['rev-parse', 'HEAD']);
    },
    tag(tagName, annotated = false) {
      git(work, annotated ? ['tag', '-a', '-m', tagName, tagName] : ['tag', tagName]);
      git(work, ['push', '-q', bare, `refs/tags/${tagName}`]);
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

export interface GitDaemon {
  port: number;
  url(name: string): string;
  stop(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => (s.end(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

export async function startGitDaemon(basePath: string): Promise<GitDaemon> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'git',
    ['daemon', '--reuseaddr', '--export-all', '--informative-errors', `--base-path=${basePath}`, '--listen=127.0.0.1', `--port=${port}`, basePath],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      if (child.exitCode === null) process.kill(child.pid!, 'SIGKILL');
      throw new Error('git daemon did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: (name) => `git://127.0.0.1:${port}/${name}.git`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      process.kill(child.pid!, 'SIGTERM');
      await exited;
    },
  };
}
