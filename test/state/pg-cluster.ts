// A throwaway PostgreSQL cluster for tests: Debian's binaries (`.ci/run` installs `postgresql`),
// initdb in a temporary directory, a free loopback port, run as the `postgres` user when we are
// root (PostgreSQL refuses to run as root), stopped and removed afterwards.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgCluster {
  url: string;
  /** Runs SQL as the superuser (psql -c), for tests that look behind akbp's back. */
  stop(): Promise<void>;
}

function binDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

/** Why the tests cannot run here, or undefined; in CI missing binaries are a failure, not a skip. */
export function pgUnavailable(): string | undefined {
  if (binDir()) return undefined;
  if (process.env.CI === 'true') throw new Error("PostgreSQL binaries missing in CI: .ci/run installs Debian's postgresql");
  return 'PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql, or run .ci/run)';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPg(): Promise<PgCluster> {
  const bin = binDir()!;
  const dir = mkdtempSync(join(tmpdir(), 'akbp-pg-'));
  const asRoot = process.getuid?.() === 0;
  let uid = 0;
  let gid = 0;
  if (asRoot) {
    uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : join(bin, cmd), asRoot ? ['-u', 'postgres', '--', join(bin, cmd), ...args] : args, { stdio: 'pipe', cwd: dir });
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'akbp', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`,
    'start',
  ]);
  return {
    url: `postgres://akbp@127.0.0.1:${port}/postgres`,
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
