// Pull: manifest (following an index), the blueprint layers, every digest verified before any
// byte is handed on; blobs served from the on-disk cache when already verified once.
import type { SourceFile, SourceOrigin } from '../../model/types.js';
import { sha256 } from '../digest.js';
import { fail } from '../errors.js';
import { readCachedBlob, writeCachedBlob } from './cache.js';
import { RegistryClient, type ClientOptions } from './client.js';
import { fetchManifest, followIndex, isIndex } from './manifest.js';
import { BLOB_MAX_BYTES_DEFAULT, BLUEPRINT_MEDIA_TYPE, MANIFEST_ACCEPT, TITLE_ANNOTATION, type Descriptor } from './media.js';
import { formatOciRef, manifestReference, parseOciRef, type OciRef } from './ref.js';

export interface OciOptions extends ClientOptions {
  cacheDir?: string;
  maxBlobBytes?: number;
}

export interface OciPullResult {
  files: SourceFile[];
  /** Digest of the manifest the reference resolved to (the index when it is one). */
  digest: string;
  origin: SourceOrigin;
  /** Blobs served from the cache, for timing and tests. */
  cachedBlobs: number;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** A layer title becomes a path: relative, forward slashes, no `.`/`..` component. */
export function safeTitle(title: string): boolean {
  if (!title || title.includes('\\') || title.includes('\0') || title.startsWith('/') || /^[A-Za-z]:/.test(title)) return false;
  return title.split('/').every((c) => c !== '' && c !== '.' && c !== '..');
}

async function fetchBlob(client: RegistryClient, d: Descriptor, opts: OciOptions): Promise<{ bytes: Uint8Array; cached: boolean }> {
  if (typeof d.digest !== 'string' || !DIGEST.test(d.digest)) {
    fail('ociProtocol', `${client.display}: layer digest ${String(d.digest)} is not sha256`, 'Expected sha256:<64 hex> layer digests.');
  }
  const max = opts.maxBlobBytes ?? BLOB_MAX_BYTES_DEFAULT;
  if (typeof d.size === 'number' && d.size > max) {
    fail('ociTooLarge', `${client.display}: layer ${d.digest} is ${d.size} bytes, more than the limit of ${max}`, 'Expected blueprint layers within --max-blob-bytes (default 16 MiB).');
  }
  if (opts.cacheDir) {
    const hit = await readCachedBlob(opts.cacheDir, d.digest);
    if (hit) return { bytes: hit, cached: true };
  }
  const res = await client.call('GET', `${client.repoPath}/blobs/${d.digest}`, { maxBytes: max });
  if (res.status !== 200) client.failFor(res, `blob ${d.digest}`);
  const actual = sha256(res.body);
  if (actual !== d.digest || (typeof d.size === 'number' && res.body.length !== d.size)) {
    fail('ociDigest', `${client.display}: blob ${d.digest} does not match its digest (got ${actual}, ${res.body.length} bytes)`, 'Expected the registry to serve exactly the blob the manifest names; nothing was read. The registry content may be corrupted or tampered with.');
  }
  const bytes = new Uint8Array(res.body);
  if (opts.cacheDir) await writeCachedBlob(opts.cacheDir, d.digest, bytes);
  return { bytes, cached: false };
}

export async function pull(input: string | OciRef, opts: OciOptions): Promise<OciPullResult> {
  const ref = typeof input === 'string' ? parseOciRef(input) : input;
  const client = new RegistryClient(ref, opts, 'pull');
  try {
    const top = await fetchManifest(client, manifestReference(ref), ref.digest);
    const chosen = isIndex(top) ? await followIndex(client, top) : top;
    const layers = (chosen.manifest.layers ?? []).filter((l) => l?.mediaType === BLUEPRINT_MEDIA_TYPE);
    if (layers.length === 0) {
      fail('ociNoBlueprint', `${client.display}: artifact ${chosen.digest} has no blueprint layer`, `Expected at least one layer of media type ${BLUEPRINT_MEDIA_TYPE} (push with \`akbp oci push\` or \`oras push … file.yaml:${BLUEPRINT_MEDIA_TYPE}\`).`);
    }
    const uri = formatOciRef(ref);
    const base: SourceOrigin = { kind: 'oci', uri, ref: ref.tag ?? ref.digest!, revision: top.digest, local: false };
    const seen = new Set<string>();
    const pending: { path: string; digest: string; bytes: Uint8Array }[] = [];
    let cachedBlobs = 0;
    // Everything is fetched and verified before any file is returned: one bad layer, no files.
    for (const layer of layers) {
      const title = layer.annotations?.[TITLE_ANNOTATION] ?? `${String(layer.digest).replace(/^sha256:/, '')}.yaml`;
      if (!safeTitle(title)) {
        fail('ociUnsafeName', `${client.display}: layer title "${title}" is not a safe relative file name`, 'Expected a relative path without "..", "." or empty components.');
      }
      if (seen.has(title)) fail('ociUnsafeName', `${client.display}: two layers are titled "${title}"`, 'Expected one layer per file name.');
      seen.add(title);
      const { bytes, cached } = await fetchBlob(client, layer, opts);
      if (cached) cachedBlobs++;
      pending.push({ path: title, digest: layer.digest, bytes });
    }
    const files = pending
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((p) => ({ uri: `${uri}/${p.path}`, path: p.path, bytes: p.bytes, origin: { ...base, digest: p.digest } }));
    return { files, digest: top.digest, origin: base, cachedBlobs };
  } finally {
    await client.close();
  }
}

/** Cheap change check: HEAD of the manifest, its Docker-Content-Digest (GET only if missing). */
export async function manifestDigest(input: string | OciRef, opts: OciOptions): Promise<string> {
  const ref = typeof input === 'string' ? parseOciRef(input) : input;
  const client = new RegistryClient(ref, opts, 'pull');
  try {
    const reference = manifestReference(ref);
    const res = await client.call('HEAD', `${client.repoPath}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT }, maxBytes: 0 });
    if (res.status !== 200) client.failFor(res, `manifest ${reference}`);
    const claimed = res.headers['docker-content-digest'];
    if (ref.digest) {
      if (claimed && claimed !== ref.digest) {
        fail('ociDigest', `${client.display}: registry says ${claimed} for the pinned digest`, 'Expected the registry to serve the manifest the digest names.');
      }
      return ref.digest;
    }
    if (claimed && DIGEST.test(claimed)) return claimed;
    return (await fetchManifest(client, reference)).digest;
  } finally {
    await client.close();
  }
}
