// Credentials travel beside URLs, never inside what we print or store: every URL that leaves
// this stage goes through here first.

const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/\s?#]*@/gi;
// Query parameters that carry a credential in the URLs of git forges and registries.
const SECRET_QUERY = /([?&](?:access_token|private_token|token|password|passwd|secret|sshkey)=)[^&#\s]*/gi;

/**
 * The URL with any `user:password@` part (up to the last `@` before the host) and token-like
 * query values removed: the one redactor for sources, shared by the CLI and the daemon.
 */
export function redactUrl(url: string): string {
  return url.replace(USERINFO, '$1').replace(SECRET_QUERY, '$1***');
}

/** Removes credentials from every URL inside a free text (git's stderr, error messages). */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = redactUrl(text);
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}
