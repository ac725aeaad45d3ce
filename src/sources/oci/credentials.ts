// Where registry credentials come from, first match wins: the reference's own userinfo (what
// authentik uses), --registry-auth, AKBP_REGISTRY_AUTH, then the Docker config file's `auths`.
// Values only ever go into Authorization headers.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fail, text } from '../errors.js';
import type { OciRef } from './ref.js';

export interface Credentials {
  username: string;
  password: string;
  /** Where they came from, for error messages (never the values). */
  from: string;
}

export interface CredentialOptions {
  env?: NodeJS.ProcessEnv;
  registryAuth?: string;
  dockerConfigPath?: string;
}

function splitUserPass(value: string, from: string): Credentials {
  const colon = value.indexOf(':');
  if (colon <= 0) fail('ociCredentials', 'notUserPassword', { from }, text('ociCredentials', 'notUserPasswordDetail', {}));
  return { username: value.slice(0, colon), password: value.slice(colon + 1), from };
}

function dockerConfigFile(opts: CredentialOptions): string {
  if (opts.dockerConfigPath) return opts.dockerConfigPath;
  const env = opts.env ?? {};
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(env.HOME || homedir(), '.docker', 'config.json');
}

/** Keys in `auths` may be `host:port`, `https://host:port` or `https://host:port/v1/`. */
function authsKeyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

function fromDockerConfig(registry: string, path: string): Credentials | undefined {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(raw);
  } catch {
    fail('ociCredentials', 'dockerConfigInvalid', { path }, text('ociCredentials', 'dockerConfigInvalidDetail', {}));
  }
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (authsKeyHost(key) !== registry || !entry) continue;
    if (entry.auth) return splitUserPass(Buffer.from(entry.auth, 'base64').toString('utf8'), `the auth entry for ${registry} in ${path}`);
    if (entry.username && entry.password) return { username: entry.username, password: entry.password, from: path };
  }
  return undefined;
}

export function resolveCredentials(ref: OciRef, opts: CredentialOptions): Credentials | undefined {
  if (ref.username) return { username: ref.username, password: ref.password ?? '', from: 'the reference' };
  if (opts.registryAuth) return splitUserPass(opts.registryAuth, '--registry-auth');
  const env = opts.env?.AKBP_REGISTRY_AUTH;
  if (env) return splitUserPass(env, 'AKBP_REGISTRY_AUTH');
  return fromDockerConfig(ref.registry, dockerConfigFile(opts));
}
