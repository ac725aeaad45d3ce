// Caches that make repeated runs cheap. Reading: a pinned git sha or OCI digest never changes, so
// its files are read once; a local directory is re-read only after the watcher reported a change
// under it. Parsing: results keyed by uri + content digest, so a save re-parses only the files
// whose bytes changed (needs the pipeline to take a `load` function; see src/gitops/README.md).
import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { isLibraryBlueprint, looksLikeBlueprint } from '../sources/library.js';
import { sha256, treeDigest } from '../sources/digest.js';
import type { ReconcileDeps } from '../pipeline/types.js';
import type { SourceFile } from '../model/index.js';
import { isImmutable, parseSourceRef } from './source-ref.js';

export type ReadSources = ReconcileDeps['readSources'];
type ReadResult = Awaited<ReturnType<ReadSources>>;

export interface CachedReader {
  readSources: ReadSources;
  /** Local paths that changed: cached reads of directories containing them are dropped. */
  invalidate(paths: string[]): void;
  stats(): { reads: number; hits: number };
}

export function cachedReadSources(
  inner: ReadSources,
  /** `cacheLocal`: also keep local paths until `invalidate` names them (only when a watcher does). */
  opts: { cwd: string; maxImmutable?: number; cacheLocal?: boolean },
): CachedReader {
  const cache = new Map<string, ReadResult>();
  const max = opts.maxImmutable ?? 16;
  let reads = 0;
  let hits = 0;
  const cacheable = (spec: string) => isImmutable(spec) || (opts.cacheLocal === true && parseSourceRef(spec).kind === 'file');
  const localRoot = (spec: string) => {
    const s = parseSourceRef(spec);
    return s.kind === 'file' ? resolve(opts.cwd, s.path) : undefined;
  };
  /** Per cached read: saved files to read again (absolute paths), instead of the whole directory. */
  const stale = new Map<string, Set<string>>();
  return {
    async readSources(specs) {
      const key = JSON.stringify(specs);
      let hit = cache.get(key);
      const paths = stale.get(key);
      stale.delete(key);
      if (hit && paths) {
        const root = specs.length === 1 ? localRoot(specs[0]!) : undefined;
        hit = root === undefined ? undefined : await rereadFiles(hit, root, paths);
        if (hit) cache.set(key, hit);
        else cache.delete(key);
      }
      if (hit) {
        hits += 1;
        cache.delete(key);
        cache.set(key, hit);
        return hit;
      }
      reads += 1;
      const result = await inner(specs);
      const failed = result.diagnostics.some((d) => d.severity === 'error');
      if (!failed && specs.every(cacheable)) {
        cache.set(key, result);
        if (cache.size > max) cache.delete(cache.keys().next().value as string);
      }
      return result;
    },
    invalidate(paths) {
      const abs = paths.map((p) => resolve(opts.cwd, p));
      for (const key of [...cache.keys()]) {
        const specs = JSON.parse(key) as string[];
        const touched = specs.some((spec) => {
          const root = localRoot(spec);
          return root !== undefined && abs.some((p) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep));
        });
        if (!touched) continue;
        // A directory read keeps its other files: the saved ones are read again on the next run.
        const l = stale.get(key) ?? new Set<string>();
        for (const p of abs) l.add(p);
        stale.set(key, l);
      }
    },
    stats: () => ({ reads, hits }),
  };
}

/** Larger files take the whole read again, with its size limit and messages. */
const REREAD_MAX_BYTES = 1024 * 1024;

/**
 * The cached read of one local directory with the saved files read again, or undefined when only
 * a whole read is certain to give the same result: a path that is new, gone, a link, a
 * directory, not a blueprint, or labelled as a library file (which moves it between the lists).
 * What is the same object as before stays so (the parse cache and compile key on it).
 */
async function rereadFiles(hit: ReadResult, root: string, paths: ReadonlySet<string>): Promise<ReadResult | undefined> {
  const origin = hit.origins[0];
  if (hit.origins.length !== 1 || origin?.kind !== 'file' || hit.diagnostics.some((d) => d.severity === 'error')) return undefined;
  const files = [...hit.files];
  for (const abs of paths) {
    const rel = relative(root, abs).split(sep).join('/');
    const i = files.findIndex((f) => f.path === rel);
    if (i < 0) return undefined;
    const st = await lstat(abs).catch(() => undefined);
    if (!st?.isFile() || st.size > REREAD_MAX_BYTES) return undefined;
    const bytes = new Uint8Array(await readFile(abs).catch(() => Buffer.alloc(REREAD_MAX_BYTES + 1)));
    if (bytes.length > REREAD_MAX_BYTES || !looksLikeBlueprint(bytes) || isLibraryBlueprint(bytes)) return undefined;
    files[i] = { ...files[i]!, bytes, origin: { ...files[i]!.origin, digest: sha256(bytes) } };
  }
  const all = [...files, ...(hit.library ?? [])].map((f) => ({ path: f.path, digest: f.origin.digest ?? '' }));
  return { ...hit, files, origins: [{ ...origin, digest: treeDigest(all) }] };
}

export interface ParseCache<R> {
  load(file: SourceFile): R;
  /** Forget files not in this set (deleted or renamed). */
  retain(uris: Iterable<string>): void;
  stats(): { parsed: number; reused: number; size: number };
}

/** Memoises a per-file load by uri and content digest. */
export function parseCache<R>(load: (file: SourceFile) => R): ParseCache<R> {
  const byUri = new Map<string, { digest: string; result: R }>();
  let parsed = 0;
  let reused = 0;
  const byFile = new WeakMap<SourceFile, R>();
  return {
    load(file) {
      // The cached read hands back the same object for a file it did not read again.
      const same = byFile.get(file);
      if (same && byUri.get(file.uri)?.result === same) {
        reused += 1;
        return same;
      }
      // Hashing is far cheaper than parsing, and origin.digest may describe a whole tree.
      const digest = createHash('sha256').update(file.bytes).digest('hex');
      const hit = byUri.get(file.uri);
      if (hit && hit.digest === digest) {
        reused += 1;
        byFile.set(file, hit.result);
        return hit.result;
      }
      parsed += 1;
      const result = load(file);
      byUri.set(file.uri, { digest, result });
      byFile.set(file, result);
      return result;
    },
    retain(uris) {
      const keep = new Set(uris);
      for (const k of [...byUri.keys()]) if (!keep.has(k)) byUri.delete(k);
    },
    stats: () => ({ parsed, reused, size: byUri.size }),
  };
}
