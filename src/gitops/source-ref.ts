// Which repository and ref a push must name to concern a source. Source strings themselves are
// parsed, pinned and redacted by src/sources (one parser, one redactor for the CLI and the daemon).
export { parseSourceRef, pinRevision, isImmutable } from '../sources/spec.js';
export { redactUrl as redactSource } from '../sources/redact.js';

interface RepoId {
  host: string;
  port?: string;
  path: string;
}

/** https://u:p@Host:443/o/r.git, git@host:o/r.git, ssh://git@host/o/r → comparable parts. */
function repoId(url: string): RepoId | undefined {
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
  path = path
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/^\/+/, '');
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
