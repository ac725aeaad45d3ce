// Just enough of the source syntax (`git::URL[//dir][?ref=R]`, `oci://…`, paths) for the drivers:
// which repository and ref a push must name to concern a source, how to pin a source to the
// pushed revision, and how to print a source without its credentials.

export type SourceRef =
  | { kind: 'git'; url: string; subdir?: string; ref?: string; query: URLSearchParams }
  | { kind: 'oci'; reference: string }
  | { kind: 'file'; path: string };

export function parseSourceRef(spec: string): SourceRef {
  if (spec.startsWith('git::')) {
    const rest = spec.slice(5);
    const q = rest.indexOf('?');
    const base = q < 0 ? rest : rest.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
    const schemeEnd = base.indexOf('://');
    const split = base.indexOf('//', schemeEnd < 0 ? 0 : schemeEnd + 3);
    const url = split < 0 ? base : base.slice(0, split);
    const subdir = split < 0 ? undefined : base.slice(split + 2);
    const ref = query.get('ref') ?? undefined;
    return { kind: 'git', url, query, ...(subdir ? { subdir } : {}), ...(ref ? { ref } : {}) };
  }
  if (spec.startsWith('oci://')) return { kind: 'oci', reference: spec.slice(6) };
  return { kind: 'file', path: spec };
}

/** The same source, read at an exact revision: `?ref=<sha>` for git, `@<digest>` for OCI. */
export function pinRevision(spec: string, revision: string): string {
  const s = parseSourceRef(spec);
  if (s.kind === 'git') {
    const query = new URLSearchParams(s.query);
    query.set('ref', revision);
    return `git::${s.url}${s.subdir ? `//${s.subdir}` : ''}?${query.toString()}`;
  }
  if (s.kind === 'oci' && revision.startsWith('sha256:')) {
    const at = s.reference.indexOf('@');
    const slash = s.reference.lastIndexOf('/');
    const colon = s.reference.lastIndexOf(':');
    let repo = at >= 0 ? s.reference.slice(0, at) : s.reference;
    if (at < 0 && colon > slash) repo = s.reference.slice(0, colon);
    return `oci://${repo}@${revision}`;
  }
  return spec;
}

/** True for specs whose content can never change: a full git sha or an OCI digest. */
export function isImmutable(spec: string): boolean {
  const s = parseSourceRef(spec);
  if (s.kind === 'git') return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(s.ref ?? '');
  if (s.kind === 'oci') return /@sha256:[0-9a-f]{64}$/.test(s.reference);
  return false;
}

/** Source spec with user:password@ and token-like query values removed, for logs and metrics. */
export function redactSource(spec: string): string {
  return spec
    .replace(/(\/\/)[^/@\s]+@/g, '$1')
    .replace(/([?&](?:token|password|access_token|private_token|sshkey)=)[^&]*/gi, '$1***');
}

interface RepoId {
  host: string;
  port?: string;
  path: string;
}

/** https://u:p@Host:443/o/r.git, git@host:o/r.git, ssh://git@host/o/r → comparable parts. */
export function repoId(url: string): RepoId | undefined {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(url);
  let host: string;
  let port: string | undefined;
  let path: string;
  if (scp && !url.includes('://')) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return undefined;
    }
    host = u.hostname;
    port = u.port || undefined;
    path = decodeURIComponent(u.pathname);
  }
  path = path.replace(/\/+$/, '').replace(/\.git$/, '').replace(/^\/+/, '');
  return { host: host.toLowerCase(), ...(port ? { port } : {}), path };
}

/** Same host and path; ports only compared when both URLs name one (clone vs ssh URLs differ). */
export function sameRepo(a: string, b: string): boolean {
  const x = repoId(a);
  const y = repoId(b);
  if (!x || !y) return false;
  if (x.host !== y.host || x.path !== y.path) return false;
  return x.port === undefined || y.port === undefined || x.port === y.port;
}

/** Does a pushed ref (`refs/heads/main`) update what the source follows? */
export function refMatches(sourceRef: string | undefined, pushedRef: string, defaultBranch?: string): boolean {
  if (sourceRef === undefined) {
    const branch = defaultBranch ?? '';
    if (branch) return pushedRef === `refs/heads/${branch}`;
    return pushedRef === 'refs/heads/main' || pushedRef === 'refs/heads/master';
  }
  if (sourceRef.startsWith('refs/')) return pushedRef === sourceRef;
  return pushedRef === `refs/heads/${sourceRef}` || pushedRef === `refs/tags/${sourceRef}`;
}
