// Blobs are content-addressed, so a verified blob can be kept forever under its digest and
// re-used by any later pull. Manifests are not cached: tags move.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../digest.js';

function blobPath(cacheDir: string, digest: string): string {
  return join(cacheDir, 'oci', 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
}

/** The cached blob, re-verified: a corrupted cache entry is dropped, never returned. */
export async function readCachedBlob(cacheDir: string, digest: string): Promise<Uint8Array | undefined> {
  const p = blobPath(cacheDir, digest);
  let bytes: Buffer;
  try {
    bytes = await readFile(p);
  } catch {
    return undefined;
  }
  if (sha256(bytes) === digest) return new Uint8Array(bytes);
  await rm(p, { force: true });
  return undefined;
}

/** Stores a blob that was already verified; a cache that cannot be written only costs speed. */
export async function writeCachedBlob(cacheDir: string, digest: string, bytes: Uint8Array): Promise<void> {
  const p = blobPath(cacheDir, digest);
  const tmp = `${p}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(join(p, '..'), { recursive: true });
    await writeFile(tmp, bytes);
    await rename(tmp, p);
  } catch {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}
