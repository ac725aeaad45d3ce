// Push: an ORAS-compatible artifact authentik can pull: the empty config, one layer per file
// with authentik's media type and a title, an OCI image manifest with artifactType, put by tag.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { sha256 } from '../digest.js';
import { errnoCode, fail } from '../errors.js';
import { RegistryClient } from './client.js';
import { BLUEPRINT_MEDIA_TYPE, OCI_EMPTY, OCI_EMPTY_DIGEST, OCI_MANIFEST, TITLE_ANNOTATION, type Descriptor } from './media.js';
import type { OciOptions } from './pull.js';
import { formatOciRef, parseOciRef } from './ref.js';

export interface OciPushResult {
  digest: string;
  /** The reference pushed, without credentials. */
  uri: string;
  /** Blobs the registry already had (HEAD answered 200), so were not uploaded. */
  skippedBlobs: number;
}

async function uploadBlob(client: RegistryClient, digest: string, bytes: Uint8Array): Promise<boolean> {
  const head = await client.call('HEAD', `${client.repoPath}/blobs/${digest}`, { maxBytes: 0 });
  if (head.status === 200) return false;
  const start = await client.call('POST', `${client.repoPath}/blobs/uploads/`, { headers: { 'content-length': '0' }, maxBytes: 64 * 1024 });
  if (start.status !== 202 || !start.headers.location) client.failFor(start, `starting the upload of ${digest}`);
  const location = new URL(start.headers.location, start.url);
  location.searchParams.set('digest', digest);
  const put = await client.call('PUT', location.href, {
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
    body: Buffer.from(bytes),
    maxBytes: 64 * 1024,
  });
  if (put.status !== 201) client.failFor(put, `uploading blob ${digest}`);
  return true;
}

export function buildManifest(layers: Descriptor[]): string {
  // No creation-time annotation: the same files always give the same digest.
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: BLUEPRINT_MEDIA_TYPE,
    config: { mediaType: OCI_EMPTY, digest: OCI_EMPTY_DIGEST, size: 2, data: 'e30=' },
    layers,
  });
}

export async function push(paths: string[], input: string, opts: OciOptions): Promise<OciPushResult> {
  const ref = parseOciRef(input);
  if (ref.digest) fail('ociRefInvalid', `${formatOciRef(ref)}: push needs a tag, not a digest`, 'Expected oci://host[:port]/repository:tag; the digest is computed and printed by the push.');
  if (paths.length === 0) fail('ociPush', `${formatOciRef(ref)}: nothing to push`, 'Expected at least one blueprint file.');
  const layers: Descriptor[] = [];
  const blobs: { digest: string; bytes: Uint8Array }[] = [];
  const titles = new Set<string>();
  for (const p of paths) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(p));
    } catch (err) {
      fail(errnoCode(err) === 'ENOENT' ? 'notFound' : 'readFailed', `${p}: cannot be read (${errnoCode(err) ?? 'I/O error'})`, 'Expected existing blueprint files to push.');
    }
    const title = basename(p);
    if (titles.has(title)) fail('ociPush', `two files are named ${title}`, 'Expected distinct file names: the layer title is the base name and pull recreates files by it.');
    titles.add(title);
    const digest = sha256(bytes);
    blobs.push({ digest, bytes });
    layers.push({ mediaType: BLUEPRINT_MEDIA_TYPE, digest, size: bytes.length, annotations: { [TITLE_ANNOTATION]: title } });
  }
  const client = new RegistryClient(ref, opts, 'pull,push');
  try {
    let skipped = 0;
    const done = new Set<string>();
    for (const b of [{ digest: OCI_EMPTY_DIGEST, bytes: new TextEncoder().encode('{}') }, ...blobs]) {
      if (done.has(b.digest)) continue;
      done.add(b.digest);
      if (!(await uploadBlob(client, b.digest, b.bytes))) skipped++;
    }
    const manifest = buildManifest(layers);
    const digest = sha256(manifest);
    const res = await client.call('PUT', `${client.repoPath}/manifests/${ref.tag}`, {
      headers: { 'content-type': OCI_MANIFEST },
      body: manifest,
      maxBytes: 64 * 1024,
    });
    if (res.status !== 201 && res.status !== 200) client.failFor(res, `putting manifest ${ref.tag}`);
    const claimed = res.headers['docker-content-digest'];
    if (claimed && claimed !== digest) {
      fail('ociDigest', `${client.display}: registry stored digest ${claimed}, expected ${digest}`, 'Expected the registry to store the manifest bytes unchanged.');
    }
    return { digest, uri: client.display, skippedBlobs: skipped };
  } finally {
    await client.close();
  }
}
