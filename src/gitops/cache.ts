// Caches that make repeated runs cheap. Reading: a pinned git sha or OCI digest never changes, so
// its files are read once; a local directory is re-read only after the watcher reported a change
// under it. Parsing: results keyed by uri + content digest, so a save re-parses only the files
// whose bytes changed (needs the pipeline to take a `load` function; see src/gitops/README.md).
import { createHash } from 'node:crypto';
import { resolve, sep } from 'node:path';
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
  return {
    async readSources(specs) {
      const key = JSON.stringify(specs);
      const hit = cache.get(key);
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
        if (touched) cache.delete(key);
      }
    },
    stats: () => ({ reads, hits }),
  };
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
  return {
    load(file) {
      // Hashing is far cheaper than parsing, and origin.digest may describe a whole tree.
      const digest = createHash('sha256').update(file.bytes).digest('hex');
      const hit = byUri.get(file.uri);
      if (hit && hit.digest === digest) {
        reused += 1;
        return hit.result;
      }
      parsed += 1;
      const result = load(file);
      byUri.set(file.uri, { digest, result });
      return result;
    },
    retain(uris) {
      const keep = new Set(uris);
      for (const k of [...byUri.keys()]) if (!keep.has(k)) byUri.delete(k);
    },
    stats: () => ({ parsed, reused, size: byUri.size }),
  };
}
