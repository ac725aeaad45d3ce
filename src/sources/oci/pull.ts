// Pull: manifest (following an index), the blueprint layers, every digest verified before any
// byte is handed on; blobs served from the on-disk cache when already verified once. What a
// registry says is untrusted: layer titles become file names, digests become request paths and
// cache names, and counts and sizes are capped before anything is fetched.
import type { SourceFile, SourceOrigin } from '../../model/types.js';
import { digestLike, isOciDigest } from '../digest.js';
import { fail, text } from '../errors.js';
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
      'blobMismatch',
      { display: client.display, digest: d.digest, actual, length: res.body.length },
      text('ociDigest', 'blobMismatchDetail', {}),
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
    fail('ociProtocol', 'layersNotList', { display: client.display, chosenDigest }, text('ociProtocol', 'layersNotListDetail', {}));
  }
  const layers = ((raw ?? []) as unknown[]).filter(
    (l): l is Descriptor => !!l && typeof l === 'object' && (l as Descriptor).mediaType === BLUEPRINT_MEDIA_TYPE,
  );
  if (layers.length === 0) {
    fail(
      'ociNoBlueprint',
      'noBlueprintLayer',
      { display: client.display, chosenDigest },
      text('ociNoBlueprint', 'noBlueprintLayerDetail', { mediaType: BLUEPRINT_MEDIA_TYPE }),
    );
  }
  const maxLayers = opts.maxLayers ?? MAX_LAYERS_DEFAULT;
  if (layers.length > maxLayers) {
    fail(
      'ociTooLarge',
      'tooManyLayers',
      { display: client.display, chosenDigest, count: layers.length, maxLayers },
      text('ociTooLarge', 'tooManyLayersDetail', {}),
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
        'layerDigestInvalid',
        { display: client.display, digest: shownTitle(layer.digest) },
        text('ociProtocol', 'layerDigestInvalidDetail', {}),
      );
    }
    if (typeof layer.size !== 'number' || !Number.isSafeInteger(layer.size) || layer.size < 0) {
      fail('ociProtocol', 'layerNoSize', { display: client.display, digest: layer.digest }, text('ociProtocol', 'layerNoSizeDetail', {}));
    }
    if (layer.size > maxBlob) {
      fail(
        'ociTooLarge',
        'layerTooLarge',
        { display: client.display, digest: layer.digest, size: layer.size, maxBlob },
        text('ociTooLarge', 'layerTooLargeDetail', {}),
      );
    }
    total += layer.size;
    const annotated = layer.annotations && typeof layer.annotations === 'object' ? layer.annotations[TITLE_ANNOTATION] : undefined;
    const title = annotated ?? `${layer.digest.replace(/^sha(256|512):/, '')}.yaml`;
    const problem = titleProblem(title);
    if (problem !== undefined) {
      fail('ociUnsafeName', 'unsafeTitle', { display: client.display, title: shownTitle(title), problem }, text('ociUnsafeName', 'unsafeTitleDetail', {}));
    }
    if (seen.has(title))
      fail('ociUnsafeName', 'duplicateTitle', { display: client.display, title: shownTitle(title) }, text('ociUnsafeName', 'duplicateTitleDetail', {}));
    seen.add(title);
    out.push({ layer, title });
  }
  if (total > maxTotal) {
    fail('ociTooLarge', 'totalTooLarge', { display: client.display, total, maxTotal }, text('ociTooLarge', 'totalTooLargeDetail', {}));
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
        fail('ociDigest', 'pinnedMismatch', { display: client.display, claimed }, text('ociDigest', 'pinnedMismatchDetail', {}));
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
