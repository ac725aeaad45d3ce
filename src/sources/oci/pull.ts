// Pull: manifest (following an index), the blueprint layers, every digest verified before any
// byte is handed on; blobs served from the on-disk cache when already verified once. What a
// registry says is untrusted: layer titles become file names, digests become request paths and
// cache names, and counts and sizes are capped before anything is fetched.
import type { SourceFile, SourceOrigin } from '../../model/types.js';
import { digestLike, isOciDigest } from '../digest.js';
import { fail } from '../errors.js';
import { readCachedBlob, writeCachedBlob } from './cache.js';
import { RegistryClient, type ClientOptions } from './client.js';
import { fetchManifest, followIndex, isIndex } from './manifest.js';
import { BLOB_MAX_BYTES_DEFAULT, BLUEPRINT_MEDIA_TYPE, MANIFEST_ACCEPT, TITLE_ANNOTATION, type Descriptor } from './media.js';
import { mapLimit, TRANSFER_CONCURRENCY } from './pool.js';
import { formatOciRef, manifestReference, parseOciRef, type OciRef } from './ref.js';
import { titleProblem } from './title.js';

export { safeTitle, titleProblem } from './title.js';

export interface OciOptions extends ClientOptions {
  cacheDir?: string;
  maxBlobBytes?: number;
  /** Most blueprint layers one artifact may have (default 256). */
  maxLayers?: number;
  /** Most bytes all blueprint layers together may have (default 64 MiB). */
  maxTotalBytes?: number;
  /** Blob transfers in flight at once (default 8). */
  concurrency?: number;
}

export interface OciPullResult {
  files: SourceFile[];
  /** Digest of the manifest the reference resolved to (the index when it is one). */
  digest: string;
  origin: SourceOrigin;
  /** Blobs served from the cache, for timing and tests. */
  cachedBlobs: number;
}

/** Room for a directory of a few hundred blueprints; the byte cap bounds the rest. */
export const MAX_LAYERS_DEFAULT = 256;
export const MAX_TOTAL_BYTES_DEFAULT = 64 * 1024 * 1024;

const shownTitle = (t: unknown): string => JSON.stringify(String(t).length > 80 ? `${String(t).slice(0, 80)}…` : String(t));

async function fetchBlob(
  client: RegistryClient,
  d: Descriptor,
  opts: OciOptions,
  cacheWrites: Promise<void>[],
): Promise<{ bytes: Uint8Array; cached: boolean }> {
  const max = opts.maxBlobBytes ?? BLOB_MAX_BYTES_DEFAULT;
  if (opts.cacheDir) {
    const hit = await readCachedBlob(opts.cacheDir, d.digest);
    if (hit) return { bytes: hit, cached: true };
  }
  const res = await client.call('GET', `${client.repoPath}/blobs/${d.digest}`, { maxBytes: max });
  if (res.status !== 200) client.failFor(res, `blob ${d.digest}`);
  const actual = digestLike(d.digest, res.body);
  if (actual !== d.digest || (typeof d.size === 'number' && res.body.length !== d.size)) {
    fail(
      'ociDigest',
      `${client.display}: blob ${d.digest} does not match its digest (got ${actual}, ${res.body.length} bytes)`,
      'Expected the registry to serve exactly the blob the manifest names; nothing was read. The registry content may be corrupted or tampered with.',
    );
  }
  const bytes = new Uint8Array(res.body);
  // Written while the next blobs download; pull waits for all writes before it returns.
  if (opts.cacheDir) cacheWrites.push(writeCachedBlob(opts.cacheDir, d.digest, bytes));
  return { bytes, cached: false };
}

/** Every check that needs no byte of a blob: digests, titles, sizes, counts. */
function checkLayers(client: RegistryClient, chosenDigest: string, raw: unknown, opts: OciOptions): { layer: Descriptor; title: string }[] {
  if (raw !== undefined && !Array.isArray(raw)) {
    fail(
      'ociProtocol',
      `${client.display}: manifest ${chosenDigest} has "layers" that is not a list`,
      'Expected an OCI image manifest whose "layers" is an array of descriptors.',
    );
  }
  const layers = ((raw ?? []) as unknown[]).filter(
    (l): l is Descriptor => !!l && typeof l === 'object' && (l as Descriptor).mediaType === BLUEPRINT_MEDIA_TYPE,
  );
  if (layers.length === 0) {
    fail(
      'ociNoBlueprint',
      `${client.display}: artifact ${chosenDigest} has no blueprint layer`,
      `Expected at least one layer of media type ${BLUEPRINT_MEDIA_TYPE} (push with \`akbp oci push\` or \`oras push … file.yaml:${BLUEPRINT_MEDIA_TYPE}\`).`,
    );
  }
  const maxLayers = opts.maxLayers ?? MAX_LAYERS_DEFAULT;
  if (layers.length > maxLayers) {
    fail(
      'ociTooLarge',
      `${client.display}: artifact ${chosenDigest} has ${layers.length} blueprint layers, more than the limit of ${maxLayers}`,
      'Expected a blueprint artifact of a few files; nothing was fetched.',
    );
  }
  const maxBlob = opts.maxBlobBytes ?? BLOB_MAX_BYTES_DEFAULT;
  const maxTotal = opts.maxTotalBytes ?? MAX_TOTAL_BYTES_DEFAULT;
  let total = 0;
  const seen = new Set<string>();
  const out: { layer: Descriptor; title: string }[] = [];
  for (const layer of layers) {
    if (!isOciDigest(layer.digest)) {
      fail(
        'ociProtocol',
        `${client.display}: layer digest ${shownTitle(layer.digest)} is not sha256:<64 hex> or sha512:<128 hex>`,
        'Expected valid layer digests; nothing was fetched.',
      );
    }
    if (typeof layer.size !== 'number' || !Number.isSafeInteger(layer.size) || layer.size < 0) {
      fail('ociProtocol', `${client.display}: layer ${layer.digest} has no valid size`, 'Expected a non-negative integer "size" in every layer descriptor.');
    }
    if (layer.size > maxBlob) {
      fail(
        'ociTooLarge',
        `${client.display}: layer ${layer.digest} is ${layer.size} bytes, more than the limit of ${maxBlob}`,
        'Expected blueprint layers within --max-blob-bytes (default 16 MiB).',
      );
    }
    total += layer.size;
    const annotated = layer.annotations && typeof layer.annotations === 'object' ? layer.annotations[TITLE_ANNOTATION] : undefined;
    const title = annotated ?? `${layer.digest.replace(/^sha(256|512):/, '')}.yaml`;
    const problem = titleProblem(title);
    if (problem !== undefined) {
      fail(
        'ociUnsafeName',
        `${client.display}: layer title ${shownTitle(title)} is not a safe blueprint file name: it ${problem}`,
        'Expected a relative *.yaml / *.yml path without components starting with "."; nothing was fetched or written.',
      );
    }
    if (seen.has(title)) fail('ociUnsafeName', `${client.display}: two layers are titled ${shownTitle(title)}`, 'Expected one layer per file name.');
    seen.add(title);
    out.push({ layer, title });
  }
  if (total > maxTotal) {
    fail(
      'ociTooLarge',
      `${client.display}: blueprint layers add up to ${total} bytes, more than the limit of ${maxTotal}`,
      'Expected an artifact within --max-total-bytes (default 64 MiB); nothing was fetched.',
    );
  }
  return out;
}

export async function pull(input: string | OciRef, opts: OciOptions): Promise<OciPullResult> {
  const ref = typeof input === 'string' ? parseOciRef(input) : input;
  const client = new RegistryClient(ref, opts, 'pull');
  let ok = false;
  try {
    const top = await fetchManifest(client, manifestReference(ref), ref.digest);
    const chosen = isIndex(top) ? await followIndex(client, top) : top;
    const checked = checkLayers(client, chosen.digest, chosen.manifest.layers, opts);
    const uri = formatOciRef(ref);
    const base: SourceOrigin = { kind: 'oci', uri, ref: ref.tag ?? ref.digest!, revision: top.digest, local: false };
    // Everything is fetched and verified before any file is returned: one bad layer, no files.
    const cacheWrites: Promise<void>[] = [];
    const fetched = await mapLimit(checked, opts.concurrency ?? TRANSFER_CONCURRENCY, async ({ layer, title }) => ({
      title,
      layer,
      ...(await fetchBlob(client, layer, opts, cacheWrites)),
    }));
    await Promise.all(cacheWrites);
    const cachedBlobs = fetched.filter((f) => f.cached).length;
    const files = fetched
      .map((f) => ({ path: f.title, digest: f.layer.digest, bytes: f.bytes }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((p) => ({ uri: `${uri}/${p.path}`, path: p.path, bytes: p.bytes, origin: { ...base, digest: p.digest } }));
    ok = true;
    return { files, digest: top.digest, origin: base, cachedBlobs };
  } catch (err) {
    throw client.redact(err);
  } finally {
    await client.close(!ok);
  }
}

/** Cheap change check: HEAD of the manifest, its Docker-Content-Digest (GET only if missing). */
export async function manifestDigest(input: string | OciRef, opts: OciOptions): Promise<string> {
  const ref = typeof input === 'string' ? parseOciRef(input) : input;
  const client = new RegistryClient(ref, opts, 'pull');
  let ok = false;
  try {
    const reference = manifestReference(ref);
    const res = await client.call('HEAD', `${client.repoPath}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT }, maxBytes: 0 });
    if (res.status !== 200) client.failFor(res, `manifest ${reference}`);
    const claimed = res.headers['docker-content-digest'];
    let digest: string;
    if (ref.digest) {
      if (claimed && claimed !== ref.digest) {
        fail('ociDigest', `${client.display}: registry says ${claimed} for the pinned digest`, 'Expected the registry to serve the manifest the digest names.');
      }
      digest = ref.digest;
    } else if (claimed && claimed.startsWith('sha256:') && isOciDigest(claimed)) digest = claimed;
    else digest = (await fetchManifest(client, reference)).digest;
    ok = true;
    return digest;
  } catch (err) {
    throw client.redact(err);
  } finally {
    await client.close(!ok);
  }
}
