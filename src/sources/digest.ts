// Content digests in the `sha256:<hex>` form used by OCI and by SourceOrigin.digest.
import { createHash } from 'node:crypto';

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
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
