// Turning what a user typed (flag or environment) into a base URL and credentials the client uses.
// The token is only ever read here and carried in a field; nothing here prints it.

/**
 * `https://host[:port][/prefix]/api/v3`, no trailing slash, no credentials, query or fragment.
 * Accepts a bare host, a URL with or without `/api/v3`, or one pasted with a deeper API path.
 */
export function normaliseBaseUrl(url: string): string {
  const raw = url.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    // Never echo the input: it may carry credentials.
    throw new Error('invalid authentik URL (expected e.g. https://authentik.example.com)');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new Error(`invalid authentik URL: scheme ${u.protocol} is not http or https`);
  }
  let path = u.pathname.replace(/\/+$/, '');
  const at = path.indexOf('/api/v3');
  if (at >= 0 && (path.length === at + 7 || path[at + 7] === '/')) path = path.slice(0, at);
  return `${u.protocol}//${u.host}${path}/api/v3`;
}

export interface Connection {
  baseUrl: string;
  token: string;
  insecure: boolean;
  ca?: string;
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);

/**
 * Flags win over the environment (AUTHENTIK_URL, AUTHENTIK_TOKEN, AUTHENTIK_INSECURE=true).
 * Errors are messages for people; they name the flag or variable, never a value.
 */
export function resolveConnection(
  opts: { server?: string; token?: string; insecure?: boolean; ca?: string },
  env: NodeJS.ProcessEnv,
): Connection | { error: string } {
  const server = nonEmpty(opts.server) ?? nonEmpty(env.AUTHENTIK_URL);
  if (!server) return { error: 'no authentik server given: pass --server URL or set AUTHENTIK_URL' };
  let baseUrl: string;
  let urlPassword: string | undefined;
  try {
    baseUrl = normaliseBaseUrl(server);
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(server.trim()) ? server.trim() : `https://${server.trim()}`);
    urlPassword = u.password ? decodeURIComponent(u.password) : undefined;
  } catch (e) {
    return { error: (e as Error).message };
  }
  // A token pasted as the password part of the URL (https://:TOKEN@host) is accepted as a last resort.
  const token = (nonEmpty(opts.token) ?? nonEmpty(env.AUTHENTIK_TOKEN) ?? nonEmpty(urlPassword))?.trim();
  if (!token) return { error: 'no authentik API token given: pass --token or set AUTHENTIK_TOKEN' };
  if (/[\r\n]/.test(token)) return { error: 'the authentik API token contains a line break; check AUTHENTIK_TOKEN / --token' };
  const insecure =
    opts.insecure ??
    TRUE_WORDS.has(
      String(env.AUTHENTIK_INSECURE ?? '')
        .trim()
        .toLowerCase(),
    );
  const out: Connection = { baseUrl, token, insecure };
  if (opts.ca !== undefined) {
    if (!/-----BEGIN CERTIFICATE-----/.test(opts.ca)) return { error: '--ca: the file holds no PEM certificate (-----BEGIN CERTIFICATE-----)' };
    out.ca = opts.ca;
  }
  return out;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s !== undefined && s.trim() !== '' ? s : undefined;
}
