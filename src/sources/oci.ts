// Our OCI distribution client (there is no maintained oras-js): pull, push and a cheap digest
// check, over undici. The pieces live in ./oci/; this is the surface the rest of akbp uses.
import type { SourceFile } from '../model/types.js';
import type { OciOptions } from './oci/pull.js';
import type { OciRef } from './oci/ref.js';

export type { OciOptions } from './oci/pull.js';
export type { OciRef } from './oci/ref.js';
export { parseOciRef } from './oci/ref.js';
export { BLUEPRINT_MEDIA_TYPE } from './oci/media.js';
export { writePulledFiles } from './oci/write.js';

export async function ociPull(ref: string | OciRef, opts: OciOptions): Promise<{ files: SourceFile[]; digest: string; cachedBlobs: number }> {
  // The client (undici) loads only when a registry is used: validate of local files never needs it.
  const r = await (await import('./oci/pull.js')).pull(ref, opts);
  return { files: r.files, digest: r.digest, cachedBlobs: r.cachedBlobs };
}

export async function ociPush(
  files: string[],
  ref: string,
  opts: OciOptions,
): Promise<{ digest: string; uri: string; skippedBlobs: number; titles: string[] }> {
  return (await import('./oci/push.js')).push(files, ref, opts);
}

/** The digest a reference resolves to now; compare with a previous origin.revision to poll. */
export async function ociManifestDigest(ref: string | OciRef, opts: OciOptions): Promise<string> {
  return (await import('./oci/pull.js')).manifestDigest(ref, opts);
}

/** Pull with the source origin, for readSources. */
export async function ociPullWithOrigin(...args: Parameters<typeof import('./oci/pull.js').pull>): ReturnType<typeof import('./oci/pull.js').pull> {
  return (await import('./oci/pull.js')).pull(...args);
}
