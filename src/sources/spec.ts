// What a user may name as a source: a path, `git::URL[//SUBDIR][?ref=REF]` (terraform's module
// syntax) or `oci://host[:port]/repository[:tag|@sha256:…]`. The one parser of source strings:
// the adapters read what it returns, and the daemon (gitops) matches, pins and prints with it.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { SourceError } from '../model/errors.js';
import { fail, text } from './errors.js';
import { parseOciRef, type OciRef } from './oci/ref.js';
import { redactUrl } from './redact.js';

export type SourceSpec =
  | { kind: 'file'; path: string }
  | { kind: 'dir'; path: string }
  | { kind: 'git'; url: string; subdir?: string; ref?: string }
  | { kind: 'oci'; ref: OciRef };

const gitExpected = text('gitSpecInvalid', 'expected', {});

/** Splits `URL//SUBDIR` the way terraform's getter does: the `//` after the scheme's `://`. */
function splitSubdir(s: string): [string, string | undefined] {
  const scheme = s.indexOf('://');
  const from = scheme >= 0 ? scheme + 3 : 0;
  const i = s.indexOf('//', from);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 2)];
}

function cleanSubdir(sub: string, shown: string): string | undefined {
  const parts = sub.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) fail('gitSpecInvalid', 'subdirLeaves', { shown, sub }, gitExpected);
  return parts.length ? parts.join('/') : undefined;
}

/** A source string's syntax alone: no file system, no cwd (what the daemon needs to match and pin). */
export type SourceRef = { kind: 'git'; url: string; subdir?: string; ref?: string } | { kind: 'oci'; ref: OciRef } | { kind: 'file'; path: string };

function parseRefOrThrow(spec: string): SourceRef {
  if (spec.trim() === '') fail('specInvalid', 'emptySource', {}, text('specInvalid', 'emptySourceDetail', {}));
  if (spec.startsWith('oci://')) return { kind: 'oci', ref: parseOciRef(spec) };
  if (spec.startsWith('git::')) return parseGitSyntax(spec);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    fail('specInvalid', 'unsupportedScheme', { spec: redactUrl(spec) }, text('specInvalid', 'unsupportedSchemeDetail', {}));
  }
  return { kind: 'file', path: spec };
}

/** The syntax of a source string, or why it has none; never throws, never touches the disk. */
export function parseSourceRef(spec: string): SourceRef | { kind: 'invalid'; error: string } {
  try {
    return parseRefOrThrow(spec);
  } catch (err) {
    if (err instanceof SourceError) return { kind: 'invalid', error: err.detail ? `${err.message}. ${err.detail}` : err.message };
    throw err;
  }
}

/**
 * The same source, read at an exact revision: `?ref=<sha>` for git, `@<digest>` for OCI. The
 * result is read, not shown, so it keeps the credentials of the original.
 */
export function pinRevision(spec: string, revision: string): string {
  const s = parseSourceRef(spec);
  if (s.kind === 'git') return `git::${s.url}${s.subdir ? `//${s.subdir}` : ''}?ref=${revision}`;
  if (s.kind === 'oci' && /^sha256:[a-f0-9]{64}$/.test(revision)) {
    const { username, password } = s.ref;
    const userinfo = username !== undefined ? `${encodeURIComponent(username)}${password ? `:${encodeURIComponent(password)}` : ''}@` : '';
    return `oci://${userinfo}${s.ref.registry}/${s.ref.repository}@${revision}`;
  }
  return spec;
}

/** True for specs whose content can never change: a full git sha or an OCI digest. */
export function isImmutable(spec: string): boolean {
  const s = parseSourceRef(spec);
  if (s.kind === 'git') return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(s.ref ?? '');
  if (s.kind === 'oci') return s.ref.digest !== undefined;
  return false;
}

function parseGitSyntax(spec: string): SourceRef & { kind: 'git' } {
  const shown = redactUrl(spec);
  let rest = spec.slice('git::'.length);
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const [rawUrl, rawSub] = splitSubdir(rest);
  if (!rawUrl) fail('gitSpecInvalid', 'noRepositoryUrl', { shown }, gitExpected);
  const out: SourceRef & { kind: 'git' } = { kind: 'git', url: rawUrl };
  const sub = rawSub === undefined ? undefined : cleanSubdir(rawSub, shown);
  if (sub) out.subdir = sub;
  for (const [k, v] of new URLSearchParams(query)) {
    if (k === 'ref' && v) out.ref = v;
    else fail('gitSpecInvalid', 'unknownParameter', { shown, k }, text('gitSpecInvalid', 'expectedRefOnly', {}));
  }
  if (out.ref && (out.ref.startsWith('-') || /[\s~^:?*[\\]|\.\.|@\{/.test(out.ref))) {
    fail('gitSpecInvalid', 'invalidRef', { shown, ref: out.ref }, text('gitSpecInvalid', 'invalidRefDetail', {}));
  }
  return out;
}

function parseGitSpec(spec: string, cwd: string): SourceSpec & { kind: 'git' } {
  const out = parseGitSyntax(spec);
  // A plain path (`git::./repo`, `git::/srv/repo.git`) is resolved against cwd, not the process's.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(out.url) && !/^[^/:]+@[^/:]+:/.test(out.url)) out.url = resolve(cwd, out.url);
  return out;
}

/** Throws SourceError with the matching AKB7xxx code; parseSourceSpec is the non-throwing form. */
export function parseSpecOrThrow(spec: string, cwd: string): SourceSpec {
  const r = parseRefOrThrow(spec);
  if (r.kind === 'oci') return r;
  if (r.kind === 'git') return parseGitSpec(spec, cwd);
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
