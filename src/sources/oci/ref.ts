// `oci://[user:password@]host[:port]/repository/path[:tag|@sha256:hex]`, as authentik writes
// instance paths, plus digest pinning (which authentik itself cannot parse).
import { fail, text } from '../errors.js';

export interface OciRef {
  /** `host` or `host:port`, as registries key credentials (`auths` in the Docker config). */
  registry: string;
  hostname: string;
  port?: number;
  repository: string;
  /** Tag asked for; `latest` when neither tag nor digest was given. */
  tag?: string;
  digest?: string;
  /** Userinfo from the reference itself (authentik's only credential source). Never printed. */
  username?: string;
  password?: string;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)$/;

const expected = text('ociRefInvalid', 'expected', {});

export function parseOciRef(input: string): OciRef {
  if (!input.startsWith('oci://')) fail('ociRefInvalid', 'notOciReference', { ref: redactRef(input) }, expected);
  let rest = input.slice('oci://'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) fail('ociRefInvalid', 'noRepository', { ref: redactRef(input) }, expected);
  let authority = rest.slice(0, slash);
  rest = rest.slice(slash + 1);
  const ref: Partial<OciRef> = {};
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = userinfo.indexOf(':');
    ref.username = decodeURIComponent(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
    ref.password = decodeURIComponent(colon >= 0 ? userinfo.slice(colon + 1) : '');
  }
  const portMatch = /^(.*?)(?::(\d{1,5}))?$/.exec(authority)!;
  const hostname = portMatch[1]!;
  if (!HOST.test(hostname)) fail('ociRefInvalid', 'invalidHost', { ref: redactRef(input) }, expected);
  if (portMatch[2] !== undefined) {
    const port = Number(portMatch[2]);
    if (port < 1 || port > 65535) fail('ociRefInvalid', 'invalidPort', { ref: redactRef(input) }, expected);
    ref.port = port;
  }
  ref.hostname = hostname;
  ref.registry = authority;
  const atDigest = rest.indexOf('@');
  if (atDigest >= 0) {
    const digest = rest.slice(atDigest + 1);
    if (!DIGEST.test(digest)) fail('ociRefInvalid', 'invalidDigest', { ref: redactRef(input) }, expected);
    ref.digest = digest;
    rest = rest.slice(0, atDigest);
  }
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    const tag = rest.slice(colon + 1);
    if (!TAG.test(tag)) fail('ociRefInvalid', 'invalidTag', { ref: redactRef(input) }, expected);
    ref.tag = tag;
    rest = rest.slice(0, colon);
  }
  if (!REPOSITORY.test(rest)) {
    fail('ociRefInvalid', 'invalidRepository', { rest, ref: redactRef(input) }, text('ociRefInvalid', 'expectedLowerCase', {}));
  }
  ref.repository = rest;
  if (ref.tag === undefined && ref.digest === undefined) ref.tag = 'latest';
  return ref as OciRef;
}

/** The reference without credentials, as shown and stored. */
export function formatOciRef(ref: OciRef): string {
  let s = `oci://${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** What to ask the registry for: the digest when pinned, else the tag. */
export function manifestReference(ref: OciRef): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

function redactRef(input: string): string {
  return input.replace(/^(oci:\/\/)[^/]*@/, '$1');
}
