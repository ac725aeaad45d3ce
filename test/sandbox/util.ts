// Test support: a sandbox listening on 127.0.0.1 (port 0) and a tiny JSON client over real HTTP.
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export const TOKEN = 'test-token';

export interface Served {
  sb: Sandbox;
  url: string;
  close(): Promise<void>;
  /** JSON request below /api/v3 with the sandbox token unless headers say otherwise. */
  req(method: string, path: string, body?: unknown, headers?: { [k: string]: string }): Promise<{ status: number; json: any; text: string; headers: Headers }>;
}

export async function serve(version: '2023.6' | '2026.5', opts: Partial<SandboxOptions> = {}): Promise<Served> {
  const sb = await createSandbox({ registry: bundledRegistry(version), token: TOKEN, ...opts });
  const server = await sb.listen('127.0.0.1', 0);
  return {
    sb,
    url: server.url,
    close: server.close,
    async req(method, path, body, headers) {
      const h: { [k: string]: string } = headers ?? { authorization: `Bearer ${TOKEN}` };
      if (body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
      const res = await fetch(`${server.url}/api/v3${path}`, {
        method,
        headers: h,
        redirect: 'manual',
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text, headers: res.headers };
    },
  };
}

/** A flow payload that 2023.6 and 2026.5 both accept. */
export function flowBody(slug: string, extra: object = {}): object {
  return { name: `Flow ${slug}`, slug, title: slug, designation: 'authentication', ...extra };
}

/** An OAuth2 provider payload valid in the given version. */
export function oauth2Body(version: string, name: string, flowPk: string, extra: object = {}): object {
  const base: { [k: string]: unknown } = { name, authorization_flow: flowPk };
  if (version === '2026.5') {
    base.invalidation_flow = flowPk;
    base.redirect_uris = [{ matching_mode: 'strict', url: 'https://app.example.com/cb' }];
  }
  return { ...base, ...extra };
}
