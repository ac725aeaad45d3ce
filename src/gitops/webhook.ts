// Webhook authentication and push-event parsing for GitHub, GitLab, Gitea and akbp's own generic
// format. Pure functions over (headers, raw body, secret): the daemon does the HTTP.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type Provider = 'github' | 'gitlab' | 'gitea' | 'generic';
export const providers: readonly Provider[] = ['github', 'gitlab', 'gitea', 'generic'];

/** Lower-cased header names, first value only. */
export type Headers = { [name: string]: string | undefined };

export interface PushEvent {
  provider: Provider;
  ref: string;
  after: string;
  /** Every URL the payload gives for the repository (clone, ssh, web). */
  repoUrls: string[];
  defaultBranch?: string;
}

export type ParsedEvent = { kind: 'push'; event: PushEvent } | { kind: 'ignored'; reason: string } | { kind: 'invalid'; reason: string };

function hmacMatches(raw: Buffer, secret: string, hex: string | undefined): boolean {
  if (!hex || !/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/** Comparing digests keeps timingSafeEqual's equal-length requirement from leaking the length. */
function tokenMatches(given: string | undefined, secret: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

export function verifySignature(provider: Provider, headers: Headers, raw: Buffer, secret: string): boolean {
  if (!secret) return false;
  switch (provider) {
    case 'github': {
      const sig = headers['x-hub-signature-256'];
      return sig?.startsWith('sha256=') === true && hmacMatches(raw, secret, sig.slice(7));
    }
    case 'gitea':
      return hmacMatches(raw, secret, headers['x-gitea-signature']);
    case 'gitlab':
      return tokenMatches(headers['x-gitlab-token'], secret);
    case 'generic': {
      const sig = headers['x-akbp-signature'];
      return sig?.startsWith('sha256=') === true && hmacMatches(raw, secret, sig.slice(7));
    }
  }
}

export function deliveryId(provider: Provider, headers: Headers): string | undefined {
  const name = {
    github: 'x-github-delivery',
    gitlab: 'x-gitlab-event-uuid',
    gitea: 'x-gitea-delivery',
    generic: 'x-akbp-delivery',
  }[provider];
  const v = headers[name]?.trim();
  return v ? v : undefined;
}

/** Signs a generic event body the way the daemon checks it (used by the post-receive hook too). */
export function signGeneric(raw: Buffer | string, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(raw).digest('hex');
}

type Obj = { [k: string]: unknown };
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const strs = (...vs: unknown[]): string[] => vs.filter((v): v is string => typeof v === 'string' && v !== '');

const zeroSha = /^0+$/;

export function parseEvent(provider: Provider, headers: Headers, raw: Buffer): ParsedEvent {
  const eventName =
    provider === 'github'
      ? headers['x-github-event']
      : provider === 'gitea'
        ? (headers['x-gitea-event'] ?? headers['x-gogs-event'])
        : provider === 'gitlab'
          ? headers['x-gitlab-event']
          : (headers['x-akbp-event'] ?? 'push');
  const isPush = provider === 'gitlab' ? eventName === 'Push Hook' || eventName === 'Tag Push Hook' : eventName === 'push';
  if (!isPush) return { kind: 'ignored', reason: `event ${JSON.stringify(eventName ?? '')} is not a push` };

  let body: Obj;
  try {
    body = obj(JSON.parse(raw.toString('utf8')));
  } catch {
    return { kind: 'invalid', reason: 'body is not JSON' };
  }
  const ref = body.ref;
  const after = body.after ?? body.checkout_sha;
  if (typeof ref !== 'string' || typeof after !== 'string') return { kind: 'invalid', reason: 'push without ref/after' };
  if (zeroSha.test(after)) return { kind: 'ignored', reason: `${ref} was deleted` };

  let repoUrls: string[];
  let defaultBranch: unknown;
  if (provider === 'gitlab') {
    const p = obj(body.project);
    const r = obj(body.repository);
    repoUrls = strs(p.git_http_url, p.git_ssh_url, p.web_url, r.git_http_url, r.git_ssh_url, r.homepage, r.url);
    defaultBranch = p.default_branch;
  } else {
    const r = obj(body.repository);
    repoUrls = strs(r.url, r.clone_url, r.ssh_url, r.git_url, r.html_url);
    defaultBranch = r.default_branch ?? r.master_branch;
  }
  const event: PushEvent = { provider, ref, after, repoUrls };
  if (typeof defaultBranch === 'string') event.defaultBranch = defaultBranch;
  return { kind: 'push', event };
}

/** Delivery ids seen recently; bounded so a flood of ids cannot grow memory without limit. */
export class DeliveryLog {
  private readonly seen = new Map<string, true>();
  constructor(private readonly capacity = 1000) {}
  /** True the first time an id is seen; false for a replay. */
  record(id: string): boolean {
    if (this.seen.has(id)) {
      this.seen.delete(id);
      this.seen.set(id, true);
      return false;
    }
    this.seen.set(id, true);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }
  get size(): number {
    return this.seen.size;
  }
}
