// A hostile OCI registry on a loopback port: it serves whatever manifests and blobs a test plants
// (dot-titled layers, thousands of layers, index children with path-like digests), can drip a
// body one byte at a time, and echoes the client's credentials back in its error texts. Every
// request path is logged so a test can assert what was (not) asked for.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const BLUEPRINT = 'application/vnd.goauthentik.blueprint.v1+yaml';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const EMPTY = Buffer.from('{}');

export const digestOf = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Layer {
  title?: string;
  bytes: Buffer;
  /** Overrides the descriptor's digest (the blob is still stored under its real digest). */
  digest?: string;
}

export interface HostileOptions {
  /** Basic auth required; every refusal echoes the credentials it received. */
  basic?: { user: string; pass: string };
  /** Bearer realm served by this registry itself; the token is echoed back in errors too. */
  bearerToken?: string;
  /** Paths containing this string are answered one byte per `dripMs`. */
  drip?: { match: string; dripMs: number };
  /** Statuses by path substring, answered with an error body echoing the Authorization header. */
  fail?: { match: string; status: number }[];
}

export interface HostileRegistry {
  host: string;
  requests: string[];
  opts: HostileOptions;
  blob(bytes: Buffer | string): string;
  /** Stores a manifest under `repo:tag` and its digest; returns the digest. */
  manifest(repo: string, tag: string, body: object | string, mediaType?: string): string;
  /** An ORAS-style artifact of the given layers under `repo:tag`; returns the manifest digest. */
  artifact(repo: string, tag: string, layers: Layer[], extra?: Record<string, unknown>): string;
  stop(): Promise<void>;
}

function echo(req: IncomingMessage): string {
  const auth = req.headers.authorization ?? '';
  let decoded = '';
  if (auth.startsWith('Basic ')) decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
  return `credentials ${decoded || '(none)'} not allowed; header was "${auth}"; password ${decoded.split(':').slice(1).join(':')}`;
}

export async function startHostileRegistry(opts: HostileOptions = {}): Promise<HostileRegistry> {
  const blobs = new Map<string, Buffer>([[digestOf(EMPTY), EMPTY]]);
  const manifests = new Map<string, { body: Buffer; type: string }>();
  const requests: string[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const error = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ errors: [{ code, message }] }));
  };

  const send = (res: ServerResponse, path: string, status: number, headers: Record<string, string>, body: Buffer, method: string) => {
    if (method === 'HEAD') {
      res.writeHead(status, { ...headers, 'content-length': String(body.length) });
      res.end();
      return;
    }
    const drip = opts.drip && path.includes(opts.drip.match) ? opts.drip : undefined;
    if (!drip) {
      res.writeHead(status, { ...headers, 'content-length': String(body.length) });
      res.end(body);
      return;
    }
    res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    let i = 0;
    const tick = () => {
      if (res.destroyed) return;
      if (i >= body.length) return void res.end();
      res.write(body.subarray(i, i + 1));
      i++;
      setTimeout(tick, drip.dripMs).unref();
    };
    tick();
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    req.resume();
    for (const f of opts.fail ?? []) {
      if (path.includes(f.match)) return error(res, f.status, 'DENIED', echo(req));
    }
    if (path === '/token') {
      const auth = req.headers.authorization ?? '';
      if (opts.basic && auth !== `Basic ${Buffer.from(`${opts.basic.user}:${opts.basic.pass}`).toString('base64')}`)
        return error(res, 401, 'UNAUTHORIZED', echo(req));
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ token: opts.bearerToken }));
    }
    const host = req.headers.host ?? '';
    if (opts.bearerToken) {
      if (req.headers.authorization !== `Bearer ${opts.bearerToken}`) {
        return error(res, 401, 'UNAUTHORIZED', echo(req), { 'www-authenticate': `Bearer realm="http://${host}/token",service="hostile"` });
      }
    } else if (opts.basic) {
      if (!req.headers.authorization) return error(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': 'Basic realm="hostile"' });
      if (req.headers.authorization !== `Basic ${Buffer.from(`${opts.basic.user}:${opts.basic.pass}`).toString('base64')}`)
        return error(res, 401, 'UNAUTHORIZED', echo(req), { 'www-authenticate': 'Basic realm="hostile"' });
    }
    if (path === '/v2/' || path === '/v2') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{}');
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    if (!m) return error(res, 404, 'NAME_UNKNOWN', 'no such path');
    const [, repo, kind, ref] = m as unknown as [string, string, string, string];
    if (kind === 'manifests') {
      const man = manifests.get(`${repo}:${ref}`) ?? manifests.get(`${repo}@${ref}`);
      if (!man) return error(res, 404, 'MANIFEST_UNKNOWN', `manifest ${ref} unknown`);
      return send(res, path, 200, { 'content-type': man.type, 'docker-content-digest': digestOf(man.body) }, man.body, req.method ?? 'GET');
    }
    const blob = blobs.get(ref);
    if (!blob) return error(res, 404, 'BLOB_UNKNOWN', `blob ${ref} unknown`);
    return send(res, path, 200, { 'content-type': 'application/octet-stream', 'docker-content-digest': ref }, blob, req.method ?? 'GET');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;

  const reg: HostileRegistry = {
    host: `127.0.0.1:${port}`,
    requests,
    opts,
    blob(bytes) {
      const b = Buffer.from(bytes);
      const d = digestOf(b);
      blobs.set(d, b);
      return d;
    },
    manifest(repo, tag, body, mediaType = OCI_MANIFEST) {
      const b = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      const d = digestOf(b);
      manifests.set(`${repo}:${tag}`, { body: b, type: mediaType });
      manifests.set(`${repo}@${d}`, { body: b, type: mediaType });
      return d;
    },
    artifact(repo, tag, layers, extra = {}) {
      const descs = layers.map((l) => {
        const d = reg.blob(l.bytes);
        return {
          mediaType: BLUEPRINT,
          digest: l.digest ?? d,
          size: l.bytes.length,
          ...(l.title !== undefined ? { annotations: { 'org.opencontainers.image.title': l.title } } : {}),
        };
      });
      return reg.manifest(repo, tag, {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: BLUEPRINT,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestOf(EMPTY), size: 2 },
        layers: descs,
        ...extra,
      });
    },
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  return reg;
}
