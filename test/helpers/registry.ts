// Test helper: a real registry (Debian's docker-registry, distribution 2.8) on a free loopback
// port with its own config and storage in a temp dir, optionally behind htpasswd (bcrypt),
// a token issuer, or TLS. Stopped by PID. Also certificate and token-issuer helpers.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `akbp-${prefix}-`));
}

export interface Cert {
  certPath: string;
  keyPath: string;
  pem: string;
}

/** A self-signed CA and a server certificate for 127.0.0.1 / localhost signed by it. */
export function makeCa(dir: string): { ca: Cert; server: Cert } {
  const o = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=akbp test CA']);
  o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  o(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
  const cert = (c: string, k: string): Cert => ({ certPath: join(dir, c), keyPath: join(dir, k), pem: readFileSync(join(dir, c), 'utf8') });
  return { ca: cert('ca.pem', 'ca.key'), server: cert('server.pem', 'server.key') };
}

/** A self-signed signing certificate for the token issuer (the registry's rootcertbundle). */
export function makeSigningCert(dir: string): Cert {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'token.key', '-out', 'token.pem', '-days', '2', '-subj', '/CN=akbp test token issuer'],
    { cwd: dir, stdio: 'pipe' },
  );
  return { certPath: join(dir, 'token.pem'), keyPath: join(dir, 'token.key'), pem: readFileSync(join(dir, 'token.pem'), 'utf8') };
}

export function htpasswdFile(dir: string, user: string, pass: string): string {
  const line = execFileSync('htpasswd', ['-Bin', user], { input: `${pass}\n`, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
  const path = join(dir, 'htpasswd');
  writeFileSync(path, line);
  return path;
}

export interface RegistryConfig {
  htpasswd?: string;
  token?: { realm: string; service: string; issuer: string; rootcertbundle: string };
  tls?: Cert;
}

export interface Registry {
  port: number;
  /** `127.0.0.1:PORT` */
  host: string;
  dir: string;
  storage: string;
  stop(): Promise<void>;
  /** Path of a blob's data file in the registry's storage (to tamper with it). */
  blobPath(digest: string): string;
}

function configYaml(port: number, storage: string, c: RegistryConfig): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (c.tls) lines.push('  tls:', `    certificate: ${c.tls.certPath}`, `    key: ${c.tls.keyPath}`);
  if (c.htpasswd) lines.push('auth:', '  htpasswd:', '    realm: akbp-test', `    path: ${c.htpasswd}`);
  if (c.token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${c.token.realm}`,
      `    service: ${c.token.service}`,
      `    issuer: ${c.token.issuer}`,
      `    rootcertbundle: ${c.token.rootcertbundle}`,
    );
  }
  return lines.join('\n') + '\n';
}

function probe(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https') ? httpsRequest : httpRequest)(url, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => (req.destroy(), resolve(false)));
    req.end();
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(child.pid!, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
  }, 3000);
  await exited;
  clearTimeout(timer);
}

export async function startRegistry(c: RegistryConfig = {}): Promise<Registry> {
  const dir = tempDir('registry');
  const storage = join(dir, 'storage');
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(config, configYaml(port, storage, c));
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `${c.tls ? 'https' : 'http'}://127.0.0.1:${port}/v2/`;
  const deadline = Date.now() + 15_000;
  while (!(await probe(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    host: `127.0.0.1:${port}`,
    dir,
    storage,
    blobPath: (digest) => {
      const hex = digest.replace(/^sha256:/, '');
      return join(storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    },
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TokenIssuer {
  realm: string;
  /** Scopes asked for, in order, and whether Basic credentials came with the request. */
  requests: { scope: string; user?: string }[];
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/**
 * A minimal Docker token service: checks Basic credentials against `users`, grants the
 * requested actions (anonymous: pull only when `anonymousPull`), signs RS256 JWTs with `x5c`.
 */
export async function startTokenIssuer(o: {
  signing: Cert;
  service: string;
  issuer: string;
  users: Record<string, string>;
  anonymousPull?: boolean;
}): Promise<TokenIssuer> {
  const key = readFileSync(o.signing.keyPath, 'utf8');
  const der = o.signing.pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const requests: TokenIssuer['requests'] = [];
  const server: Server = createHttpServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const scope = u.searchParams.get('scope') ?? '';
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [name, ...rest] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (!name || o.users[name] !== rest.join(':')) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      user = name;
    }
    requests.push(user ? { scope, user } : { scope });
    const access = [];
    const m = /^repository:([^:]+):(.+)$/.exec(scope);
    if (m) {
      const actions = m[2]!.split(',').filter((a) => (user ? true : o.anonymousPull && a === 'pull'));
      access.push({ type: 'repository', name: m[1], actions });
    }
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [der] };
    const claims = { iss: o.issuer, sub: user ?? '', aud: o.service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = createSign('RSA-SHA256').update(input).sign(key);
    const token = `${input}.${b64url(sig)}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    stop: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
