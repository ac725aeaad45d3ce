// The sources stage: turns what the user named (paths, git::URLs, oci:// references) into
// SourceFile[] plus one origin per source. Failures become AKB7xxx diagnostics; nothing throws
// except bugs.
import { SourceError } from '../model/errors.js';
import type { Diagnostic, SourceFile, SourceOrigin } from '../model/types.js';
import { codes } from './codes.js';
import { treeDigest } from './digest.js';
import type { GitOptions } from './git.js';
import { readFileSource, readLocalDir, type LocalRead } from './local.js';
import { ociPullWithOrigin, type OciOptions } from './oci.js';
import { parseSpecOrThrow, type SourceSpec } from './spec.js';
import { text } from './errors.js';
export { parseSourceSpec } from './spec.js';
export { ociPull, ociPush, ociManifestDigest, parseOciRef, BLUEPRINT_MEDIA_TYPE, writePulledFiles } from './oci.js';
export type { OciOptions } from './oci.js';

// git.ts loads simple-git: it is imported when a git source is read, not when the module loads.
type Git = typeof import('./git.js');
export async function gitLsRemote(...args: Parameters<Git['gitLsRemote']>): ReturnType<Git['gitLsRemote']> {
  return (await import('./git.js')).gitLsRemote(...args);
}
export async function gitIsAncestor(...args: Parameters<Git['gitIsAncestor']>): ReturnType<Git['gitIsAncestor']> {
  return (await import('./git.js')).gitIsAncestor(...args);
}
export { redactUrl } from './redact.js';
export { parseByteSize } from './local.js';
export { readConfinedFile } from './file-reader.js';
export { codes as sourceCodes } from './codes.js';

export interface SourceOptions extends OciOptions {
  cwd: string;
  /** Git clones and OCI blobs; default ~/.cache/akbp (see defaultCacheDir). */
  cacheDir: string;
  env: NodeJS.ProcessEnv;
  registryAuth?: string;
  /** PEM text (not a path) of a CA to trust for registries. */
  registryCa?: string;
  insecureRegistries?: string[];
  dockerConfigPath?: string;
  maxBlobBytes?: number;
  /** Git inactivity timeout (ms). */
  gitTimeoutMs?: number;
  /** Largest blueprint file read from disk or git (default 4 MiB, see MAX_FILE_BYTES_DEFAULT). */
  maxFileBytes?: number;
}

export interface SourcesResult {
  /** Blueprints to apply, in source order then path order; a uri appears once. */
  files: SourceFile[];
  /** One per source read successfully, digest = digest over all its files. */
  origins: SourceOrigin[];
  diagnostics: Diagnostic[];
  /** Found by a directory walk with instantiate "false": for metaapplyblueprint only. */
  library: SourceFile[];
}

async function readOne(spec: SourceSpec, opts: SourceOptions): Promise<LocalRead & { notes?: Diagnostic[] }> {
  switch (spec.kind) {
    case 'file':
      return readFileSource(spec.path, opts.cwd, undefined, opts.maxFileBytes);
    case 'dir':
      return readLocalDir(spec.path, opts.cwd, opts.maxFileBytes);
    case 'git': {
      const g: GitOptions = { cacheDir: opts.cacheDir, env: opts.env };
      if (opts.gitTimeoutMs !== undefined) g.timeoutMs = opts.gitTimeoutMs;
      if (opts.maxFileBytes !== undefined) g.maxFileBytes = opts.maxFileBytes;
      return (await import('./git.js')).readGitSource(spec, g);
    }
    case 'oci': {
      const r = await ociPullWithOrigin(spec.ref, { ...opts, env: opts.env });
      const digests = r.files.map((f) => ({ path: f.path, digest: f.origin.digest! }));
      const notes: Diagnostic[] = [];
      if (r.files.length > 1) {
        notes.push({
          code: codes.ociManyLayers.code,
          severity: codes.ociManyLayers.severity,
          summary: text('ociManyLayers', 'manyLayers', { uri: r.origin.uri, count: r.files.length }),
          detail: text('ociManyLayers', 'manyLayersDetail', {}),
        });
      }
      return { files: r.files, library: [], origin: { ...r.origin, digest: treeDigest(digests) }, notes };
    }
  }
}

export async function readSources(specs: string[], opts: SourceOptions): Promise<SourcesResult> {
  const out: SourcesResult = { files: [], origins: [], diagnostics: [], library: [] };
  const seen = new Set<string>();
  for (const raw of specs) {
    let r: LocalRead & { notes?: Diagnostic[] };
    try {
      r = await readOne(parseSpecOrThrow(raw, opts.cwd), opts);
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      const d: Diagnostic = { code: err.code, severity: 'error', summary: err.message };
      if (err.detail) d.detail = err.detail;
      out.diagnostics.push(d);
      continue;
    }
    out.origins.push(r.origin);
    out.diagnostics.push(...(r.notes ?? []));
    if (r.files.length === 0 && r.library.length === 0) {
      out.diagnostics.push({
        code: codes.emptySource.code,
        severity: codes.emptySource.severity,
        summary: text('emptySource', 'noBlueprint', { uri: r.origin.uri }),
        detail: text('emptySource', 'noBlueprintDetail', { uri: r.origin.uri }),
      });
    }
    for (const f of r.files) if (!seen.has(f.uri)) seen.add(f.uri), out.files.push(f);
    for (const f of r.library) if (!seen.has(f.uri)) seen.add(f.uri), out.library.push(f);
  }
  return out;
}
