// Push: an ORAS-compatible artifact authentik can pull: the empty config, one layer per file
// with authentik's media type and a title, an OCI image manifest with artifactType, put by tag.
// A directory is walked as a directory source is (titles keep the relative path). Blobs go up
// concurrently (bounded): HEAD, then an upload of the ones the registry lacks — one POST where the
// registry takes a monolithic upload, else POST + PUT; HEADs stop once the first blobs all proved new.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { sha256 } from '../digest.js';
import { errnoCode, fail, text } from '../errors.js';
import { looksLikeBlueprint } from '../library.js';
import { walkBlueprints } from '../local.js';
import { RegistryClient } from './client.js';
import { BLUEPRINT_MEDIA_TYPE, OCI_EMPTY, OCI_EMPTY_DIGEST, OCI_MANIFEST, TITLE_ANNOTATION, type Descriptor } from './media.js';
import { mapLimit, TRANSFER_CONCURRENCY } from './pool.js';
import type { OciOptions } from './pull.js';
import { formatOciRef, parseOciRef } from './ref.js';

export interface OciPushResult {
  digest: string;
  /** The reference pushed, without credentials. */
  uri: string;
  /** Blobs the registry already had (HEAD answered 200), so were not uploaded. */
  skippedBlobs: number;
  /** Layer titles in manifest order; authentik applies only the last one. */
  titles: string[];
}

/**
 * How one push sends blobs: most pushes send either all-new blobs (a new repository or release)
 * or mostly-known ones (a re-push), so a HEAD per blob pays off only in the second case.
 */
class BlobUploader {
  private present = 0;
  /** HEADs sent and answered among the first `probes` blobs. */
  private probed = 0;
  private answered = 0;
  private probesAnswered!: () => void;
  /** Settles once every probe is answered: later blobs wait for it rather than probe too. */
  private readonly probing = new Promise<void>((resolve) => {
    this.probesAnswered = resolve;
  });
  /** Whether the registry completes an upload in one POST; settled by the first upload. */
  private monolithic: Promise<boolean> | undefined;

  constructor(
    private readonly client: RegistryClient,
    /** HEAD answers that must all be 404 before the remaining blobs are uploaded unchecked. */
    private readonly probes: number,
  ) {}

  /** Uploads a blob the registry may lack; false when it had it (HEAD answered 200). */
  async send(digest: string, bytes: Uint8Array): Promise<boolean> {
    // Once the first blobs all proved new, checking the rest costs a round trip each to save an
    // upload of the few that might exist (re-uploading a blob the registry has is harmless).
    // Counting the probes sent, not answered: a slow answer must not let later blobs probe too.
    const probe = this.present === 0 && this.probed < this.probes;
    if (probe) this.probed++;
    else if (this.present === 0) await this.probing;
    if (probe || this.present > 0) {
      try {
        const head = await this.client.call('HEAD', `${this.client.repoPath}/blobs/${digest}`, { maxBytes: 0 });
        if (head.status === 200) {
          this.present++;
          return false;
        }
      } finally {
        if (probe && ++this.answered === this.probes) this.probesAnswered();
      }
    }
    if (!this.monolithic) {
      const tried = this.upload(digest, bytes, true);
      this.monolithic = tried.then(
        (single) => single,
        () => false,
      );
      await tried;
      return true;
    }
    await this.upload(digest, bytes, await this.monolithic);
    return true;
  }

  /**
   * The distribution spec's single-POST upload (`?digest=` with the body) when `single`; a
   * registry that answers it with 202 (docker-registry 2.x does) opened an ordinary upload
   * session instead, which the PUT completes. Resolves whether the POST alone stored the blob.
   */
  private async upload(digest: string, bytes: Uint8Array, single: boolean): Promise<boolean> {
    const client: RegistryClient = this.client;
    const body = Buffer.from(bytes);
    const start = single
      ? await client.call('POST', `${client.repoPath}/blobs/uploads/?digest=${encodeURIComponent(digest)}`, {
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
          body,
          maxBytes: 64 * 1024,
        })
      : await client.call('POST', `${client.repoPath}/blobs/uploads/`, { headers: { 'content-length': '0' }, maxBytes: 64 * 1024 });
    if (single && start.status === 201) return true;
    if (start.status !== 202 || !start.headers.location) client.failFor(start, `starting the upload of ${digest}`);
    const location = new URL(start.headers.location, start.url);
    location.searchParams.set('digest', digest);
    const put = await client.call('PUT', location.href, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
      body,
      maxBytes: 64 * 1024,
    });
    if (put.status !== 201) client.failFor(put, `uploading blob ${digest}`);
    return false;
  }
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

async function readPushed(p: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(p));
  } catch (err) {
    fail(
      errnoCode(err) === 'ENOENT' ? 'notFound' : 'readFailed',
      'pushUnreadable',
      { path: p, errno: errnoCode(err) ?? 'I/O error' },
      text('readFailed', 'pushUnreadableDetail', {}),
    );
  }
}

/** Files to push with their layer titles: a file by its base name, a directory walked. */
async function collect(paths: string[]): Promise<{ title: string; bytes: Uint8Array }[]> {
  const out: { title: string; bytes: Uint8Array }[] = [];
  for (const p of paths) {
    const st = await stat(p).catch((err: unknown) => {
      fail(
        errnoCode(err) === 'ENOENT' ? 'notFound' : 'readFailed',
        'pushUnreadable',
        { path: p, errno: errnoCode(err) ?? 'I/O error' },
        text('readFailed', 'pushUnreadableDetail', {}),
      );
    });
    if (!st.isDirectory()) {
      out.push({ title: basename(p), bytes: await readPushed(p) });
      continue;
    }
    // As a directory source reads it: *.yaml / *.yml, dot-paths skipped, links kept inside.
    for (const rel of await walkBlueprints(p, p)) {
      const bytes = await readPushed(`${p}/${rel}`);
      if (looksLikeBlueprint(bytes)) out.push({ title: rel, bytes });
    }
  }
  return out;
}

export async function push(paths: string[], input: string, opts: OciOptions): Promise<OciPushResult> {
  const ref = parseOciRef(input);
  if (ref.digest) fail('ociRefInvalid', 'pushNeedsTag', { ref: formatOciRef(ref) }, text('ociRefInvalid', 'pushNeedsTagDetail', {}));
  if (paths.length === 0) fail('ociPush', 'nothingToPush', { ref: formatOciRef(ref) }, text('ociPush', 'nothingToPushDetail', {}));
  const layers: Descriptor[] = [];
  const blobs: { digest: string; bytes: Uint8Array }[] = [];
  const titles = new Set<string>();
  for (const { title, bytes } of await collect(paths)) {
    if (titles.has(title)) fail('ociPush', 'duplicateName', { title }, text('ociPush', 'duplicateNameDetail', {}));
    titles.add(title);
    const digest = sha256(bytes);
    blobs.push({ digest, bytes });
    layers.push({ mediaType: BLUEPRINT_MEDIA_TYPE, digest, size: bytes.length, annotations: { [TITLE_ANNOTATION]: title } });
  }
  if (layers.length === 0) fail('ociPush', 'noBlueprint', { ref: formatOciRef(ref), paths: paths.join(', ') }, text('ociPush', 'noBlueprintDetail', {}));
  const client = new RegistryClient(ref, opts, 'pull,push');
  let ok = false;
  try {
    const unique = new Map<string, Uint8Array>([[OCI_EMPTY_DIGEST, new TextEncoder().encode('{}')]]);
    for (const b of blobs) unique.set(b.digest, b.bytes);
    const concurrency = opts.concurrency ?? TRANSFER_CONCURRENCY;
    const uploader = new BlobUploader(client, concurrency);
    const uploaded = await mapLimit([...unique], concurrency, ([digest, bytes]) => uploader.send(digest, bytes));
    const skipped = uploaded.filter((u) => !u).length;
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
      fail('ociDigest', 'storedMismatch', { display: client.display, claimed, digest }, text('ociDigest', 'storedMismatchDetail', {}));
    }
    ok = true;
    return { digest, uri: client.display, skippedBlobs: skipped, titles: layers.map((l) => l.annotations![TITLE_ANNOTATION]!) };
  } catch (err) {
    throw client.redact(err);
  } finally {
    await client.close(!ok);
  }
}
