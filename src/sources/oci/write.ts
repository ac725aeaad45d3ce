// `oci pull --out DIR`: the files of a pulled artifact written below DIR and nowhere else. Titles
// were checked by pull (relative *.yaml, no dot components); here the disk is: no directory on
// the way may be a symbolic link, an existing file is never overwritten without `force`, and a
// symbolic link at the destination is replaced, never written through (temp file + rename).
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SourceError } from '../../model/errors.js';
import type { SourceFile } from '../../model/types.js';
import { errnoCode, fail, text } from '../errors.js';
import { titleProblem } from './title.js';

async function kindOf(p: string): Promise<'missing' | 'dir' | 'link' | 'file' | 'other'> {
  try {
    const st = await lstat(p);
    return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'missing';
    throw err;
  }
}

/** Checks every destination before the first byte is written: one refusal, nothing written. */
async function preflight(outDir: string, files: readonly SourceFile[], force: boolean): Promise<void> {
  for (const f of files) {
    const problem = titleProblem(f.path);
    if (problem !== undefined) fail('ociUnsafeName', 'unsafePath', { path: JSON.stringify(f.path), problem }, text('ociUnsafeName', 'unsafePathDetail', {}));
    const parts = f.path.split('/');
    let dir = outDir;
    for (const part of parts.slice(0, -1)) {
      dir = join(dir, part);
      const k = await kindOf(dir);
      if (k === 'missing') break;
      if (k !== 'dir') {
        fail(
          'ociUnsafeName',
          'writtenThrough',
          { dir, kind: k === 'link' ? 'a symbolic link' : 'not a directory', path: f.path },
          text('ociUnsafeName', 'writtenThroughDetail', {}),
        );
      }
    }
    const target = join(outDir, ...parts);
    const k = await kindOf(target);
    if (k === 'dir' || k === 'other') fail('ociExists', 'notAFile', { target }, text('ociExists', 'notAFileDetail', {}));
    if ((k === 'file' || k === 'link') && !force) {
      fail('ociExists', 'alreadyExistsLink', { target, linkNote: k === 'link' ? ' (a symbolic link)' : '' }, text('ociExists', 'alreadyExistsLinkDetail', {}));
    }
  }
}

async function mkdirNoLinks(outDir: string, rel: string[]): Promise<string> {
  let dir = outDir;
  for (const part of rel) {
    dir = join(dir, part);
    try {
      await mkdir(dir);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    // A link planted between preflight and now is refused all the same.
    if ((await kindOf(dir)) !== 'dir') fail('ociUnsafeName', 'notPlainDirectory', { dir }, text('ociUnsafeName', 'notPlainDirectoryDetail', {}));
  }
  return dir;
}

/** Writes the files below `outDir`; returns their absolute paths. */
export async function writePulledFiles(outDir: string, files: readonly SourceFile[], opts: { force?: boolean } = {}): Promise<string[]> {
  try {
    return await writeAll(outDir, files, opts.force ?? false);
  } catch (err) {
    const code = errnoCode(err);
    if (err instanceof SourceError || code === undefined) throw err;
    fail('ociWrite', 'cannotWrite', { outDir, code }, text('ociWrite', 'cannotWriteDetail', {}));
  }
}

async function writeAll(outDir: string, files: readonly SourceFile[], force: boolean): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  await preflight(outDir, files, force);
  const written: string[] = [];
  for (const f of files) {
    const parts = f.path.split('/');
    const dir = await mkdirNoLinks(outDir, parts.slice(0, -1));
    const target = join(dir, parts.at(-1)!);
    const tmp = join(dirname(target), `.akbp-pull-${randomBytes(6).toString('hex')}.tmp`);
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      await fh.writeFile(f.bytes);
    } finally {
      await fh.close();
    }
    try {
      if (force) await rename(tmp, target);
      else {
        // link() fails if the name appeared since preflight; rename() would silently replace it.
        await link(tmp, target);
        await rm(tmp, { force: true });
      }
    } catch (err) {
      await rm(tmp, { force: true });
      if (errnoCode(err) === 'EEXIST') fail('ociExists', 'alreadyExists', { target }, text('ociExists', 'alreadyExistsDetail', {}));
      throw err;
    }
    written.push(target);
  }
  return written;
}
