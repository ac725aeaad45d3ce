// The `!File` reader: compile confines a path lexically (no I/O); this side resolves what the
// path really names and refuses what a hostile blueprint directory or repository could plant:
// a symbolic link out of the permitted roots (to /proc/self/environ, ~/.ssh, a linked
// directory), a device or FIFO (/dev/zero grows without end, /dev/stdin hangs), or a file too
// large to be a certificate or a template. Messages name paths, never content.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { sep } from 'node:path';

/** Why a path was refused; the same shape compile's `FileRefusal` expects from its reader. */
export interface FileRefusal {
  refused: 'outside' | 'not-regular' | 'too-large';
  reason: string;
}

/** Large enough for any certificate chain or template a blueprint embeds. */
const FILE_TAG_MAX_BYTES = 1024 * 1024;

function realOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

function inside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Reads `abs` when its real path lies inside one of the real `roots` and it is a regular file of
 * at most `maxBytes`. `undefined` means "does not exist" (compile falls back to the default).
 */
export function readConfinedFile(abs: string, roots: readonly string[], maxBytes = FILE_TAG_MAX_BYTES): string | undefined | FileRefusal {
  const real = realOrUndefined(abs);
  if (real === undefined) {
    let link = false;
    try {
      link = lstatSync(abs).isSymbolicLink();
    } catch {
      return undefined;
    }
    // A link that resolves to nothing on disk (/dev/stdin on a pipe, a dangling link) is not a
    // missing file the default may stand in for: someone planted it.
    if (link) return { refused: 'outside', reason: 'is a symbolic link that does not resolve to a file inside the permitted directories' };
    return undefined;
  }
  const realRoots = roots.map(realOrUndefined).filter((r): r is string => r !== undefined);
  if (!realRoots.some((r) => inside(real, r))) {
    return { refused: 'outside', reason: `resolves through a symbolic link to ${real}, outside the permitted directories` };
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the real path has no
    // link left, so one appearing now is a swap under our feet.
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') return { refused: 'outside', reason: 'was replaced by a symbolic link while being read' };
    return { refused: 'not-regular', reason: `cannot be opened (${code ?? 'I/O error'})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { refused: 'not-regular', reason: 'is not a regular file (a device, FIFO, socket or directory)' };
    const named = statSync(real);
    if (named.ino !== st.ino || named.dev !== st.dev) return { refused: 'outside', reason: 'changed while being read' };
    if (st.size > maxBytes) return { refused: 'too-large', reason: `is ${st.size} bytes, more than the limit of ${maxBytes}` };
    // The size can lie (files under /proc say 0) or grow while read: read at most one byte more.
    const buf = Buffer.alloc(Math.min(maxBytes + 1, Math.max(st.size + 1, 64 * 1024)));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) return { refused: 'too-large', reason: `is larger than the limit of ${maxBytes} bytes` };
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
