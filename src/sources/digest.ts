// Content digests in the `sha256:<hex>` form used by OCI and by SourceOrigin.digest.
import { createHash } from 'node:crypto';

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const DIGEST_FORMS: Record<string, RegExp> = { sha256: /^sha256:[a-f0-9]{64}$/, sha512: /^sha512:[a-f0-9]{128}$/ };

/**
 * An OCI digest akbp can verify: `sha256:<64 hex>` or `sha512:<128 hex>`. Digests from a registry
 * end up in request paths and cache file names, so anything else is never used.
 */
export function isOciDigest(d: unknown): d is string {
  if (typeof d !== 'string') return false;
  const algo = d.slice(0, d.indexOf(':'));
  return DIGEST_FORMS[algo]?.test(d) ?? false;
}

/** The digest of `bytes` in the algorithm `like` names (sha256 or sha512). */
export function digestLike(like: string, bytes: Uint8Array | string): string {
  const algo = like.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algo}:${createHash(algo).update(bytes).digest('hex')}`;
}

/**
 * One digest for a set of files, so a plan can name the exact input it was made from: the
 * sha256 of `sha256sum`-style lines (`<hex>  <path>`) in path order.
 */
export function treeDigest(files: readonly { path: string; digest: string }[]): string {
  const lines = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.digest.replace(/^sha256:/, '')}  ${f.path}\n`)
    .join('');
  return sha256(lines);
}
