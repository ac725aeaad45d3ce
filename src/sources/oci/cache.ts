// Blobs are content-addressed, so a verified blob can be kept forever under its digest and
// re-used by any later pull. Manifests are not cached: tags move.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestLike, isOciDigest } from '../digest.js';

/** Only called with digests that passed isOciDigest, so the name cannot leave the cache. */
function blobPath(cacheDir: string, digest: string): string {
  const [algo, hex] = digest.split(':') as [string, string];
  return join(cacheDir, 'oci', 'blobs', algo, hex);
}

/** The cached blob, re-verified: a corrupted cache entry is dropped, never returned. */
export async function readCachedBlob(cacheDir: string, digest: string): Promise<Uint8Array | undefined> {
  if (!isOciDigest(digest)) return undefined;
  const p = blobPath(cacheDir, digest);
  let bytes: Buffer;
  try {
    bytes = await readFile(p);
  } catch {
    return undefined;
  }
  if (digestLike(digest, bytes) === digest) return new Uint8Array(bytes);
  await rm(p, { force: true });
  return undefined;
}

/** Stores a blob that was already verified; a cache that cannot be written only costs speed. */
export async function writeCachedBlob(cacheDir: string, digest: string, bytes: Uint8Array): Promise<void> {
  if (!isOciDigest(digest)) return;
  const p = blobPath(cacheDir, digest);
  const tmp = `${p}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await mkdir(join(p, '..'), { recursive: true });
    await writeFile(tmp, bytes);
    await rename(tmp, p);
  } catch {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}
