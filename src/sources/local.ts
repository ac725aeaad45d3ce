// Files and directories on the local disk, discovered as authentik discovers its blueprints
// directory: recursive, any path component starting with '.' skipped, stable order.
import { constants } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SourceError } from '../model/errors.js';
import type { SourceFile, SourceOrigin } from '../model/types.js';
import { sha256, treeDigest } from './digest.js';
import { errnoCode, fail, text } from './errors.js';
import { isLibraryBlueprint, looksLikeBlueprint } from './library.js';

/**
 * authentik itself only discovers `*.yaml`; `*.yml` is accepted too because people name files
 * that way, but a `.yml` file placed in authentik's blueprints directory is never picked up there.
 */
function isBlueprintName(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

const toSlash = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

/** How a local path is shown: relative to cwd when inside it, else absolute. */
function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  if (rel === '') return '.';
  return toSlash(rel.startsWith('..') || isAbsolute(rel) ? abs : rel);
}

/** True when `abs` resolves (through symlinks) to a place inside `confine`. */
export async function insideReal(abs: string, confine: string): Promise<boolean> {
  const [real, top] = await Promise.all([realpath(abs).catch(() => undefined), realpath(confine)]);
  return real !== undefined && (real === top || real.startsWith(top.endsWith(sep) ? top : top + sep));
}

/**
 * Every blueprint file below `root`, as forward-slash paths relative to it, sorted. With
 * `confine`, symlinks that lead outside it are skipped: a fetched repository must not be able
 * to pull arbitrary local files into what gets applied.
 */
export async function walkBlueprints(root: string, confine?: string): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  async function visit(dir: string, prefix: string): Promise<void> {
    const real = await realpath(dir);
    // A symlinked directory pointing back up would otherwise recurse forever.
    if (seen.has(real)) return;
    seen.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const abs = join(dir, e.name);
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        if (confine && !(await insideReal(abs, confine))) continue;
        const st = await stat(abs).catch(() => undefined);
        isDir = st?.isDirectory() ?? false;
        isFile = st?.isFile() ?? false;
      }
      if (isDir) await visit(abs, rel);
      else if (isFile && isBlueprintName(e.name)) out.push(rel);
    }
  }
  await visit(root, '');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface LocalRead {
  files: SourceFile[];
  library: SourceFile[];
  origin: SourceOrigin;
}

/** A blueprint larger than this is refused before it is read (validating 50 MB took 2 GB). */
const MAX_FILE_BYTES_DEFAULT = 4 * 1024 * 1024;

/** `4194304`, `512k`, `4M`, `4MiB` → bytes; undefined when not a positive size. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([kmg]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

async function readBytes(abs: string, shown: string, maxBytes = MAX_FILE_BYTES_DEFAULT): Promise<Uint8Array> {
  let fh;
  try {
    // O_NONBLOCK: a FIFO named as a source must not wait for a writer.
    fh = await open(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') fail('notFound', 'noSuchFile', { shown }, text('notFound', 'noSuchFileDetail', {}));
    fail('readFailed', 'cannotRead', { shown, errno: code ?? 'I/O error' });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) fail('readFailed', 'notRegularFile', { shown }, text('readFailed', 'notRegularFileDetail', {}));
    const tooLarge = (size: string): never => fail('fileTooLarge', 'tooLarge', { shown, size, maxBytes }, text('fileTooLarge', 'tooLargeDetail', { maxBytes }));
    if (st.size > maxBytes) tooLarge(String(st.size));
    // The size may grow while reading: stop one byte past the limit.
    const chunk = Buffer.alloc(Math.min(maxBytes + 1, Math.max(st.size + 1, 64 * 1024)));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) tooLarge(`more than ${maxBytes}`);
      chunks.push(Buffer.from(chunk.subarray(0, bytesRead)));
    }
    return new Uint8Array(Buffer.concat(chunks, total));
  } catch (err) {
    if (err instanceof SourceError) throw err;
    fail('readFailed', 'cannotRead', { shown, errno: errnoCode(err) ?? 'I/O error' });
  } finally {
    await fh.close();
  }
}

/** A single file named explicitly: always applied, whatever its labels. */
export async function readFileSource(
  abs: string,
  cwd: string,
  base: Omit<SourceOrigin, 'digest'> | undefined = undefined,
  maxBytes?: number,
): Promise<LocalRead> {
  const shown = displayPath(abs, cwd);
  const bytes = await readBytes(abs, shown, maxBytes);
  const digest = sha256(bytes);
  const origin: SourceOrigin = base ? { ...base, digest } : { kind: 'file', uri: shown, root: dirname(abs), digest, local: true };
  const file: SourceFile = { uri: shown, path: basename(abs), bytes, origin };
  return { files: [file], library: [], origin };
}

/**
 * Every blueprint below a directory. `base` lets git reuse this walk with its own origin;
 * `uriOf` names each file for diagnostics.
 */
export async function readDirSource(
  root: string,
  base: Omit<SourceOrigin, 'digest'>,
  uriOf: (path: string) => string,
  confine?: string,
  maxBytes?: number,
): Promise<LocalRead> {
  let paths: string[];
  try {
    paths = await walkBlueprints(root, confine);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') fail('notFound', 'noSuchDirectory', { uri: base.uri }, text('notFound', 'noSuchDirectoryDetail', {}));
    fail('readFailed', 'cannotList', { uri: base.uri, errno: code ?? 'I/O error' });
  }
  const files: SourceFile[] = [];
  const library: SourceFile[] = [];
  const digests: { path: string; digest: string }[] = [];
  for (const path of paths) {
    const bytes = await readBytes(join(root, ...path.split('/')), uriOf(path), maxBytes);
    if (!looksLikeBlueprint(bytes)) continue;
    const digest = sha256(bytes);
    digests.push({ path, digest });
    const file: SourceFile = { uri: uriOf(path), path, bytes, origin: { ...base, digest } };
    (isLibraryBlueprint(bytes) ? library : files).push(file);
  }
  return { files, library, origin: { ...base, digest: treeDigest(digests) } };
}

/** A local directory source: origin `file`, root = the directory itself. */
export async function readLocalDir(abs: string, cwd: string, maxBytes?: number): Promise<LocalRead> {
  const shown = displayPath(abs, cwd);
  const uriOf = (p: string): string => (shown === '.' ? p : `${shown.replace(/\/$/, '')}/${p}`);
  // Links out of the directory are skipped, as for git: `loop -> ..` or `-> /usr/share` would
  // otherwise pull in whatever lies there (and take as long as walking it).
  return readDirSource(abs, { kind: 'file', uri: shown.endsWith('/') ? shown : `${shown}/`, root: resolve(abs), local: true }, uriOf, abs, maxBytes);
}
