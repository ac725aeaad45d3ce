// Fetching and verifying manifests: every manifest is checked against the digest that named it
// (the pinned digest, the index descriptor) and against the registry's Docker-Content-Digest.
import { digestLike, isOciDigest } from '../digest.js';
import { fail, text } from '../errors.js';
import type { RegistryClient } from './client.js';
import { BLUEPRINT_MEDIA_TYPE, DOCKER_MANIFEST_LIST, MANIFEST_ACCEPT, MANIFEST_MAX_BYTES, OCI_INDEX, type Descriptor } from './media.js';

interface Manifest {
  schemaVersion?: number;
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  annotations?: Record<string, string>;
}

export interface FetchedManifest {
  digest: string;
  manifest: Manifest;
  mediaType: string;
}

export async function fetchManifest(client: RegistryClient, reference: string, expected?: string): Promise<FetchedManifest> {
  const res = await client.call('GET', `${client.repoPath}/manifests/${reference}`, {
    headers: { accept: MANIFEST_ACCEPT },
    maxBytes: MANIFEST_MAX_BYTES,
  });
  if (res.status !== 200) client.failFor(res, `manifest ${reference}`);
  // A manifest named by a sha512 digest is verified with sha512; otherwise sha256, as registries key them.
  const digest = digestLike(expected ?? 'sha256:', res.body);
  const claimed = res.headers['docker-content-digest'];
  if (expected && digest !== expected) {
    fail('ociDigest', 'manifestMismatch', { display: client.display, reference, digest, expected }, text('ociDigest', 'manifestMismatchDetail', {}));
  }
  if (claimed && claimed.startsWith('sha256:') && claimed !== digest) {
    fail('ociDigest', 'headerMismatch', { display: client.display, reference, digest, claimed }, text('ociDigest', 'headerMismatchDetail', {}));
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(res.body.toString('utf8')) as Manifest;
  } catch {
    fail('ociProtocol', 'manifestNotJson', { display: client.display, reference }, text('ociProtocol', 'manifestNotObjectDetail', {}));
  }
  if (!manifest || typeof manifest !== 'object')
    fail('ociProtocol', 'manifestNotObject', { display: client.display, reference }, text('ociProtocol', 'manifestNotObjectDetail', {}));
  const mediaType = manifest.mediaType ?? res.headers['content-type']?.split(';')[0]?.trim() ?? '';
  return { digest, manifest, mediaType };
}

export function isIndex(m: FetchedManifest): boolean {
  return m.mediaType === OCI_INDEX || m.mediaType === DOCKER_MANIFEST_LIST || Array.isArray(m.manifest.manifests);
}

function carriesBlueprint(m: Manifest): boolean {
  return (
    m.artifactType === BLUEPRINT_MEDIA_TYPE ||
    m.config?.mediaType === BLUEPRINT_MEDIA_TYPE ||
    (Array.isArray(m.layers) && m.layers.some((l) => l?.mediaType === BLUEPRINT_MEDIA_TYPE))
  );
}

const MAX_INDEX_CHILDREN = 32;

/** The first manifest of an index that carries a blueprint (index descriptors are tried in order). */
export async function followIndex(client: RegistryClient, index: FetchedManifest): Promise<FetchedManifest> {
  const list = index.manifest.manifests;
  if (!Array.isArray(list))
    fail('ociProtocol', 'indexManifestsNotList', { display: client.display, digest: index.digest }, text('ociProtocol', 'indexManifestsNotListDetail', {}));
  const children = list.slice(0, MAX_INDEX_CHILDREN);
  for (const d of children) {
    if (!d || typeof d !== 'object') continue;
    if (!isOciDigest(d.digest)) {
      fail(
        'ociProtocol',
        'indexChildDigest',
        { display: client.display, digest: index.digest, digest2: JSON.stringify(String(d.digest).slice(0, 80)) },
        text('ociProtocol', 'indexChildDigestDetail', {}),
      );
    }
    const child = await fetchManifest(client, d.digest, d.digest);
    if (!isIndex(child) && carriesBlueprint(child.manifest)) return child;
  }
  fail(
    'ociNoBlueprint',
    'noBlueprintManifest',
    { display: client.display },
    text('ociNoBlueprint', 'noBlueprintManifestDetail', { mediaType: BLUEPRINT_MEDIA_TYPE }),
  );
}
