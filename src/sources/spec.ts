// What a user may name as a source: a path, `git::URL[//SUBDIR][?ref=REF]` (terraform's module
// syntax) or `oci://host[:port]/repository[:tag|@sha256:…]`.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { SourceError } from '../model/errors.js';
import { fail } from './errors.js';
import { parseOciRef, type OciRef } from './oci/ref.js';
import { redactUrl } from './redact.js';

export type SourceSpec =
  | { kind: 'file'; path: string }
  | { kind: 'dir'; path: string }
  | { kind: 'git'; url: string; subdir?: string; ref?: string }
  | { kind: 'oci'; ref: OciRef };

const gitExpected = 'Expected git::URL[//SUBDIR][?ref=REF], e.g. git::https://host/org/repo.git//blueprints?ref=v1 or git::/srv/repo.git.';

/** Splits `URL//SUBDIR` the way terraform's getter does: the `//` after the scheme's `://`. */
function splitSubdir(s: string): [string, string | undefined] {
  const scheme = s.indexOf('://');
  const from = scheme >= 0 ? scheme + 3 : 0;
  const i = s.indexOf('//', from);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 2)];
}

function cleanSubdir(sub: string, shown: string): string | undefined {
  const parts = sub.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) fail('gitSpecInvalid', `${shown}: subdirectory "${sub}" leaves the repository`, gitExpected);
  return parts.length ? parts.join('/') : undefined;
}

export function parseGitSpec(spec: string, cwd: string): SourceSpec & { kind: 'git' } {
  const shown = redactUrl(spec);
  let rest = spec.slice('git::'.length);
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const [rawUrl, rawSub] = splitSubdir(rest);
  if (!rawUrl) fail('gitSpecInvalid', `${shown}: no repository URL`, gitExpected);
  let url = rawUrl;
  // A plain path (`git::./repo`, `git::/srv/repo.git`) is resolved against cwd, not the process's.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^[^/:]+@[^/:]+:/.test(url)) url = resolve(cwd, url);
  const out: SourceSpec & { kind: 'git' } = { kind: 'git', url };
  const sub = rawSub === undefined ? undefined : cleanSubdir(rawSub, shown);
  if (sub) out.subdir = sub;
  for (const [k, v] of new URLSearchParams(query)) {
    if (k === 'ref' && v) out.ref = v;
    else fail('gitSpecInvalid', `${shown}: unknown or empty query parameter "${k}"`, `${gitExpected} Only ?ref= is understood.`);
  }
  if (out.ref && (out.ref.startsWith('-') || /[\s~^:?*[\\]|\.\.|@\{/.test(out.ref))) {
    fail('gitSpecInvalid', `${shown}: "${out.ref}" is not a valid git ref`, 'Expected a branch, tag or commit sha.');
  }
  return out;
}

/** Throws SourceError with the matching AKB7xxx code; parseSourceSpec is the non-throwing form. */
export function parseSpecOrThrow(spec: string, cwd: string): SourceSpec {
  if (spec.trim() === '') fail('specInvalid', 'empty source', 'Expected a path, a git::URL or an oci:// reference.');
  if (spec.startsWith('oci://')) return { kind: 'oci', ref: parseOciRef(spec) };
  if (spec.startsWith('git::')) return parseGitSpec(spec, cwd);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    fail('specInvalid', `${redactUrl(spec)}: unsupported source scheme`, 'Expected a local path, git::URL (terraform module syntax) or oci://host/repository[:tag].');
  }
  const path = isAbsolute(spec) ? spec : resolve(cwd, spec);
  let isDir = /[/\\]$/.test(spec);
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    /* missing: reading reports it with its own code */
  }
  return { kind: isDir ? 'dir' : 'file', path };
}

export function parseSourceSpec(spec: string, cwd: string): SourceSpec | { error: string } {
  try {
    return parseSpecOrThrow(spec, cwd);
  } catch (err) {
    if (err instanceof SourceError) return { error: err.detail ? `${err.message}. ${err.detail}` : err.message };
    throw err;
  }
}

/** `git::URL//SUBDIR?ref=REF` with credentials removed, as shown and stored. */
export function formatGitSpec(s: { url: string; subdir?: string; ref?: string }): string {
  return `git::${redactUrl(s.url)}${s.subdir ? `//${s.subdir}` : ''}${s.ref ? `?ref=${s.ref}` : ''}`;
}
