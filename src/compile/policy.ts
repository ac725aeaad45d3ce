// What a blueprint may read from the machine akbp runs on. authentik's `!Env`/`!File` read the
// server's environment and disk; akbp evaluates them on the operator's machine, where the
// environment holds akbp's own token and the disk holds unrelated secrets, so both are fenced.
import { isAbsolute, resolve, sep } from 'node:path';
import { globMatch } from '../values/index.js';

/** Environment variables no blueprint may read: akbp's own settings and authentik credentials. */
export function isCredentialVar(name: string): boolean {
  if (name.startsWith('AKBP_') && !name.startsWith('AKBP_EXPORT_')) return true; // AKBP_EXPORT_*: secrets `akbp export` hands back
  if (name === 'AUTHENTIK_TOKEN') return true;
  return name.startsWith('AUTHENTIK_') && /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL/.test(name);
}

/** `--env-allow` patterns: whole variable name, case-sensitive. */
function matchesPattern(name: string, pattern: string): boolean {
  return globMatch(pattern, name);
}

export function envAllowed(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => matchesPattern(name, p));
}

export type FilePlacement = { ok: true; abs: string; roots: string[] } | { ok: false; abs?: string; roots: string[] };

/**
 * Why the reader refused a path that is lexically inside a root: it resolves (through a symbolic
 * link) outside every root, it is no regular file (device, FIFO), or it exceeds the size cap.
 */
interface FileRefusal {
  refused: 'outside' | 'not-regular' | 'too-large';
  /** Completes "!File PATH …"; names paths and sizes, never content. */
  reason: string;
}

/**
 * Reads a `!File` target: text, `undefined` when there is no such file (the default applies), or a
 * refusal. It gets the permitted roots so it can compare real paths, which needs I/O compile has not.
 */
export type FileReader = (absPath: string, roots: readonly string[]) => string | undefined | FileRefusal;

/**
 * Resolves a `!File` path (relative paths against the blueprint's source root, else the first
 * --file-root) and checks that the result lies inside one of the permitted roots. Symlinks are
 * not followed here (no I/O); the injected reader (a FileReader) refuses links that escape.
 */
export function placeFile(path: string, root: string | undefined, fileRoots: readonly string[]): FilePlacement {
  const roots = [...(root !== undefined ? [root] : []), ...fileRoots].map((r) => resolve(r));
  let abs: string;
  if (isAbsolute(path)) abs = resolve(path);
  else if (roots.length > 0) abs = resolve(roots[0]!, path);
  else return { ok: false, roots };
  const inside = roots.some((r) => abs === r || abs.startsWith(r.endsWith(sep) ? r : r + sep));
  return inside ? { ok: true, abs, roots } : { ok: false, abs, roots };
}
