// A registry connection for one repository: scheme choice (TLS unless the host may be plain),
// the auth handshake of the distribution spec (Basic or Bearer token from the challenge),
// redirects, and size-capped bodies. One client serves one pull or push.
import { rootCertificates } from 'node:tls';
import { Agent, request } from 'undici';
import { SourceError } from '../../model/errors.js';
import { fail, text } from '../errors.js';
import { isLoopback } from '../loopback.js';
import { redactText } from '../redact.js';
import { resolveCredentials, type CredentialOptions, type Credentials } from './credentials.js';
import { formatOciRef, type OciRef } from './ref.js';

export interface ClientOptions extends CredentialOptions {
  /** PEM of a CA to trust in addition to the system roots. */
  registryCa?: string;
  /** Hosts (`host` or `host:port`) that may be reached over plain http. */
  insecureRegistries?: string[];
  /** Longest silence (connect, headers, between body chunks); default 30 s. */
  timeoutMs?: number;
  /** Longest one request may take from start to last body byte; default 60 s. */
  requestDeadlineMs?: number;
  /** Longest a whole pull or push may take; default 10 min. */
  deadlineMs?: number;
}

const REQUEST_DEADLINE_DEFAULT_MS = 60_000;
const DEADLINE_DEFAULT_MS = 10 * 60_000;

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  url: string;
}

interface SendInit {
  method: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  maxBytes: number;
}

const CERT_ERRORS = /CERT|UNABLE_TO_VERIFY|SELF_SIGNED|ALTNAME|UNABLE_TO_GET_ISSUER/;

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const c = e?.cause?.code ?? e?.code;
  return typeof c === 'string' ? c : 'unknown';
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or `Basic realm="…"`). */
function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m?.[2] ?? ''); p; p = re.exec(m?.[2] ?? '')) params[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? '';
  return { scheme: (m?.[1] ?? '').toLowerCase(), params };
}

/** Distribution-spec error body `{errors: [{code, message}]}` as one line. */
function registryErrors(body: Buffer): string {
  try {
    const j = JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    if (Array.isArray(j.errors) && j.errors.length) return j.errors.map((e) => `${e.code ?? '?'}: ${e.message ?? ''}`.trim()).join('; ');
  } catch {
    /* not JSON: the status alone says enough */
  }
  return '';
}

export class RegistryClient {
  readonly display: string;
  private readonly agent: Agent;
  private readonly creds: Credentials | undefined;
  private base: string | undefined;
  private auth: string | undefined;
  /** Credentials never appear in messages, even inside a server's echo. */
  private readonly secrets: string[];
  /** Aborts every request once the whole pull or push has run out of time. */
  private readonly overall: AbortSignal;
  private readonly requestDeadlineMs: number;
  private readonly deadlineMs: number;

  constructor(
    readonly ref: OciRef,
    private readonly opts: ClientOptions,
    private readonly actions: 'pull' | 'pull,push',
  ) {
    this.display = formatOciRef(ref);
    this.creds = resolveCredentials(ref, opts);
    this.secrets = [];
    if (this.creds) {
      const { username, password } = this.creds;
      const pair = `${username}:${password}`;
      // Every form a server could echo: the pair, the password, their base64 and URL encodings.
      this.secrets.push(pair, Buffer.from(pair).toString('base64'), password, encodeURIComponent(password), Buffer.from(password).toString('base64'));
    }
    this.deadlineMs = opts.deadlineMs ?? DEADLINE_DEFAULT_MS;
    this.requestDeadlineMs = Math.min(opts.requestDeadlineMs ?? REQUEST_DEADLINE_DEFAULT_MS, this.deadlineMs);
    this.overall = AbortSignal.timeout(this.deadlineMs);
    const timeout = opts.timeoutMs ?? 30_000;
    this.agent = new Agent({
      connect: { timeout, ...(opts.registryCa ? { ca: [...rootCertificates, opts.registryCa] } : {}) },
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
  }

  /** `abort` drops requests still running (after a failure) instead of waiting for them. */
  async close(abort = false): Promise<void> {
    if (abort) await this.agent.destroy().catch(() => undefined);
    else await this.agent.close();
  }

  /** The error with every credential this client holds removed from its texts. */
  redact(err: unknown): unknown {
    if (!(err instanceof SourceError)) return err;
    const message = redactText(err.message, this.secrets);
    const detail = err.detail === undefined ? undefined : redactText(err.detail, this.secrets);
    if (message === err.message && detail === err.detail) return err;
    return new SourceError(err.code, message, detail);
  }

  private mayUseHttp(): boolean {
    const list = this.opts.insecureRegistries ?? [];
    return isLoopback(this.ref.hostname) || list.includes(this.ref.registry) || list.includes(this.ref.hostname);
  }

  private async rawSend(url: string, init: SendInit): Promise<HttpResult> {
    const own = AbortSignal.timeout(this.requestDeadlineMs);
    const signal = AbortSignal.any([own, this.overall]);
    try {
      return await this.exchange(url, init, signal);
    } catch (err) {
      if (!signal.aborted || err instanceof SourceError) throw err;
      const path = new URL(url).pathname;
      if (this.overall.aborted) {
        fail(
          'ociTimeout',
          'totalTimeout',
          { display: this.display, seconds: this.deadlineMs / 1000, method: init.method, path },
          text('ociTimeout', 'totalTimeoutDetail', {}),
        );
      }
      fail(
        'ociTimeout',
        'requestTimeout',
        { display: this.display, method: init.method, path, seconds: this.requestDeadlineMs / 1000 },
        text('ociTimeout', 'requestTimeoutDetail', {}),
      );
    }
  }

  private async exchange(url: string, init: SendInit, signal: AbortSignal): Promise<HttpResult> {
    const res = await request(url, {
      method: init.method as 'GET',
      headers: init.headers ?? {},
      body: init.body ?? null,
      dispatcher: this.agent,
      signal,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      const s = firstHeader(v);
      if (s !== undefined) headers[k.toLowerCase()] = s;
    }
    const declared = Number(headers['content-length'] ?? 'NaN');
    // A HEAD answer declares the size of the body it does not send.
    if (init.method !== 'HEAD' && declared > init.maxBytes) {
      res.body.destroy();
      this.tooLarge(url, declared, init.maxBytes);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body) {
      total += (chunk as Buffer).length;
      if (total > init.maxBytes) {
        res.body.destroy();
        this.tooLarge(url, total, init.maxBytes);
      }
      chunks.push(chunk as Buffer);
    }
    return { status: res.statusCode, headers, body: Buffer.concat(chunks), url };
  }

  private tooLarge(url: string, size: number, max: number): never {
    const path = new URL(url).pathname;
    fail('ociTooLarge', 'responseTooLarge', { display: this.display, path, max, size }, text('ociTooLarge', 'responseTooLargeDetail', {}));
  }

  private transportError(url: string, err: unknown): never {
    if (err instanceof SourceError) throw err;
    const code = errorCode(err);
    const host = new URL(url).host;
    const msg = redactText(err instanceof Error ? err.message : String(err), this.secrets);
    if (CERT_ERRORS.test(code)) {
      fail('ociTransport', 'untrustedCertificate', { display: this.display, host, code }, text('ociTransport', 'untrustedCertificateDetail', {}));
    }
    fail('ociTransport', 'cannotReach', { display: this.display, host, code, msg }, text('ociTransport', 'cannotReachDetail', {}));
  }

  private async send(url: string, init: SendInit): Promise<HttpResult> {
    try {
      return await this.rawSend(url, init);
    } catch (err) {
      this.transportError(url, err);
    }
  }

  /** `GET /v2/`: picks https or (loopback / --insecure-registry only) http, and authenticates. */
  private async ready(): Promise<string> {
    if (this.base) return this.base;
    const ping = { method: 'GET', maxBytes: 64 * 1024 };
    let base = `https://${this.ref.registry}`;
    let res: HttpResult;
    try {
      res = await this.rawSend(`${base}/v2/`, ping);
    } catch (err) {
      const code = errorCode(err);
      // Only a server that does not speak TLS at all is retried in plain http; an untrusted
      // certificate or a closed port is reported as is.
      if (!this.mayUseHttp() || CERT_ERRORS.test(code) || ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'].includes(code)) {
        this.transportError(`${base}/v2/`, err);
      }
      base = `http://${this.ref.registry}`;
      res = await this.send(`${base}/v2/`, ping);
    }
    this.base = base;
    if (res.status === 401) await this.authenticate(res);
    else if (res.status !== 200) {
      fail(
        'ociProtocol',
        'notRegistry',
        { display: this.display, registry: this.ref.registry, status: res.status },
        text('ociProtocol', 'notRegistryDetail', {}),
      );
    }
    return base;
  }

  private async authenticate(res: HttpResult): Promise<void> {
    const header = res.headers['www-authenticate'] ?? '';
    const { scheme, params } = parseChallenge(header);
    const basic = this.creds ? `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64')}` : undefined;
    if (scheme === 'basic') {
      if (!basic) this.missingCredentials();
      this.auth = basic;
      return;
    }
    if (scheme !== 'bearer' || !params.realm) {
      fail('ociAuth', 'unsupportedScheme', { display: this.display, scheme: scheme || 'none' }, text('ociAuth', 'unsupportedSchemeDetail', {}));
    }
    const realm = new URL(params.realm);
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && (isLoopback(realm.hostname) || this.mayUseHttp()))) {
      fail('ociAuth', 'tokenNotHttps', { display: this.display, host: realm.host }, text('ociAuth', 'tokenNotHttpsDetail', {}));
    }
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', `repository:${this.ref.repository}:${this.actions}`);
    const tokenRes = await this.send(realm.href, { method: 'GET', headers: basic ? { authorization: basic } : {}, maxBytes: 1024 * 1024 });
    if (tokenRes.status === 401 || tokenRes.status === 403) {
      fail(
        'ociAuth',
        'tokenRefused',
        { display: this.display, host: realm.host, who: this.creds ? `the credentials from ${this.creds.from}` : 'anonymous access', status: tokenRes.status },
        this.credentialHint(),
      );
    }
    let token: unknown;
    try {
      const j = JSON.parse(tokenRes.body.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = j.token ?? j.access_token;
    } catch {
      token = undefined;
    }
    if (tokenRes.status !== 200 || typeof token !== 'string' || !token) {
      fail('ociAuth', 'noToken', { display: this.display, host: realm.host, status: tokenRes.status }, text('ociAuth', 'noTokenDetail', {}));
    }
    this.secrets.push(token);
    this.auth = `Bearer ${token}`;
  }

  private credentialHint(): string {
    return text('ociAuth', 'credentialHint', {});
  }

  private missingCredentials(): never {
    fail('ociAuth', 'credentialsMissing', { display: this.display, registry: this.ref.registry }, this.credentialHint());
  }

  /** A request below the registry's /v2/; follows redirects (blob storage) without leaking auth. */
  async call(method: string, pathOrUrl: string, init: Omit<SendInit, 'method'>): Promise<HttpResult> {
    const base = await this.ready();
    let url = new URL(pathOrUrl, base).href;
    let retried = false;
    for (let hop = 0; hop < 6; hop++) {
      const sameOrigin = new URL(url).origin === new URL(base).origin;
      const headers = { ...init.headers };
      if (this.auth && sameOrigin) headers.authorization = this.auth;
      const res = await this.send(url, { ...init, method, headers });
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(res.status) && location) {
        url = new URL(location, url).href;
        if (res.status === 303) method = 'GET';
        continue;
      }
      if (res.status === 401 && sameOrigin && !retried) {
        retried = true;
        await this.authenticate(res);
        continue;
      }
      return res;
    }
    fail(
      'ociProtocol',
      'tooManyRedirects',
      { display: this.display, path: new URL(pathOrUrl, base).pathname },
      text('ociProtocol', 'tooManyRedirectsDetail', {}),
    );
  }

  /** Turns a non-success answer into the matching SourceError. */
  failFor(res: HttpResult, what: string): never {
    const details = registryErrors(res.body);
    const suffix = details ? ` (${res.status} ${details})` : ` (${res.status})`;
    if (res.status === 401 || res.status === 403) {
      const who = this.creds ? `the credentials from ${this.creds.from}` : 'anonymous access';
      fail(
        'ociAuth',
        'refused',
        { display: this.display, what, who, suffix },
        this.creds ? this.credentialHint() : text('ociAuth', 'credentialsNeeded', { hint: this.credentialHint() }),
      );
    }
    if (res.status === 404) fail('ociNotFound', 'notFound', { display: this.display, what, suffix }, text('ociNotFound', 'notFoundDetail', {}));
    fail('ociProtocol', 'failed', { display: this.display, what, suffix }, text('ociProtocol', 'failedDetail', {}));
  }

  get repoPath(): string {
    return `/v2/${this.ref.repository}`;
  }
}
