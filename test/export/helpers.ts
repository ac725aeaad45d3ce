// A real-looking authentik for export tests: a sandbox served over HTTP on loopback, authentik's
// own default and system blueprints applied as a fresh install applies them, and an
// administrator's hand-made setup created through the REST API (not through akbp).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import type { Registry } from '../../src/authentik/registry.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { reconcileOnce, type ReconcileDeps } from '../../src/pipeline/index.js';
import { loadBlueprint } from '../../src/load/index.js';
import type { JsonObject, ServerClient, SourceFile } from '../../src/model/index.js';

export const TOKEN = 'akbp-export-test-token-7c1e0b5a';
const blueprints = fileURLToPath(new URL('../../../shared/authentik/blueprints/', import.meta.url));
export const haveBlueprints = existsSync(blueprints);

export interface Server {
  url: string;
  sandbox: Sandbox;
  registry: Registry;
  client: ServerClient;
  close(): Promise<void>;
}

export async function startServer(version: string, opts: { maxPageSize?: number } = {}): Promise<Server> {
  const registry = bundledRegistry(version);
  const sandbox = await createSandbox({ registry, token: TOKEN, seed: 11, ...(opts.maxPageSize ? { maxPageSize: opts.maxPageSize } : {}) });
  const http = await sandbox.listen('127.0.0.1', 0);
  const client = createClient({ baseUrl: http.url, token: TOKEN, registry });
  return {
    url: http.url,
    sandbox,
    registry,
    client,
    close: async () => {
      await client.close();
      await http.close();
    },
  };
}

function file(dir: string, name: string): SourceFile {
  const root = blueprints + dir + '/';
  return { uri: `${dir}/${name}`, path: name, bytes: readFileSync(root + name), origin: { kind: 'file', uri: `${dir}/`, root, local: true } };
}

function deps(s: Server, files: SourceFile[], library: SourceFile[]): ReconcileDeps {
  return {
    readSources: async () => ({ files, library, origins: [files[0]!.origin], diagnostics: [] }),
    registry: s.registry,
    client: s.client,
    env: {},
    now: () => new Date('2026-11-27T12:00:00Z'),
  };
}

async function applyOne(s: Server, f: SourceFile, library: SourceFile[]): Promise<string | undefined> {
  const out = await reconcileOnce({ sources: [f.uri], mode: 'apply' }, deps(s, [f], library));
  if (out.ok) return undefined;
  return [...out.diagnostics, ...(out.apply?.results.flatMap((r) => r.diagnostics) ?? [])].map((d) => d.summary).join('\n');
}

/** What a fresh authentik applies at startup: blueprints/system/ (2026.5 only; 2023.6 predates the folder's contents). */
export async function applySystem(s: Server): Promise<void> {
  if (s.registry.version === '2023.6') return;
  for (const name of readdirSync(blueprints + 'system')
    .filter((n) => n.endsWith('.yaml'))
    .sort()) {
    const why = await applyOne(s, file('system', name), []);
    if (why) throw new Error(`system/${name}: ${why}`);
  }
}

/**
 * The default blueprints this version applies, as test/integration/apply-defaults.test.ts states
 * them: 2026.5 takes the unnumbered files minus those that target another version; 2023.6 takes
 * the numbered files it accepts (the others predate fields 2023.6 requires), never
 * 40-events-default, which would empty the token's own admin group.
 */
const NOT_2026_5 = new Set([
  'default-tenant.yaml',
  'flow-default-authenticator-webauthn-setup.yaml',
  'events-user-security-notifications.yaml',
  'app-authentik-admin.yaml',
  'default-provider-authorization-explicit-consent.yaml',
  'default-authenticator-static-setup.yaml',
  'flow-default-source-enrollment.yaml',
  'app-authentik-user.yaml',
]);
const REJECTED_BY_2023_6 = new Set([
  '0-flow-password-change.yaml',
  '10-flow-default-authentication-flow.yaml',
  '20-flow-default-source-enrollment.yaml',
  '30-flow-default-user-settings-flow.yaml',
  '91-flow-oobe.yaml',
  '40-events-default.yaml',
  // Its brand/tenant !Finds the authentication flow 2023.6 rejected above.
  '90-default-tenant.yaml',
]);

export async function applyDefaults(s: Server): Promise<number> {
  const all = readdirSync(blueprints + 'default')
    .filter((n) => n.endsWith('.yaml'))
    .sort();
  const names =
    s.registry.version === '2023.6'
      ? all.filter((n) => /^\d+-/.test(n) && !REJECTED_BY_2023_6.has(n))
      : all.filter((n) => /^[a-z]/.test(n) && !NOT_2026_5.has(n));
  const files = metaOrder(names.map((n) => file('default', n)));
  // authentik retries a blueprint whose !Find failed at its next discovery run; so do we, in rounds.
  let pending = files;
  for (let round = 0; pending.length > 0; round++) {
    const failed: { f: SourceFile; why: string }[] = [];
    for (const f of pending) {
      const why = await applyOne(
        s,
        f,
        files.filter((x) => x !== f),
      );
      if (why) failed.push({ f, why });
    }
    if (failed.length === pending.length || round > 3) throw new Error(failed.map((x) => `${x.f.uri}: ${x.why}`).join('\n'));
    pending = failed.map((x) => x.f);
  }
  return files.length;
}

function metaOrder(files: SourceFile[]): SourceFile[] {
  const parsed = files.map((f) => ({ f, bp: loadBlueprint(f).blueprint! }));
  const byName = new Map(parsed.map((p) => [p.bp.name, p]));
  const out: SourceFile[] = [];
  const seen = new Set<SourceFile>();
  const visit = (p: (typeof parsed)[number]) => {
    if (seen.has(p.f)) return;
    seen.add(p.f);
    for (const e of p.bp.entries) {
      if (e.model !== 'authentik_blueprints.metaapplyblueprint') continue;
      const dep = byName.get(((e.attrs.identifiers ?? {}) as { name?: string }).name ?? '');
      if (dep) visit(dep);
    }
    out.push(p.f);
  };
  for (const p of parsed) visit(p);
  return out;
}

/** One REST call as an administrator's script makes it. */
export async function rest(s: Server, method: string, path: string, body?: JsonObject): Promise<JsonObject> {
  const base = s.url.replace(/\/+$/, '').replace(/(\/api\/v3)?$/, '/api/v3');
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as JsonObject) : {};
}

async function all(s: Server, path: string): Promise<JsonObject[]> {
  const r = await rest(s, 'GET', `${path}?page_size=1000`);
  return r.results as JsonObject[];
}

async function findBy(s: Server, path: string, field: string, value: string): Promise<JsonObject> {
  const hit = (await all(s, path)).find((o) => o[field] === value);
  if (!hit) throw new Error(`${path}: no ${field}=${value}`);
  return hit;
}

/**
 * The setup an administrator clicked together: an LDAP source, an OAuth2 and a SAML provider with
 * applications, nested groups, users with attributes, expression policies bound to applications
 * and to a flow, and a customised authentication flow.
 */
export async function handMadeSetup(s: Server): Promise<void> {
  const v2023 = s.registry.version === '2023.6';
  const authz = await findBy(s, '/flows/instances/', 'slug', 'default-provider-authorization-implicit-consent');
  const invalidation = await findBy(s, '/flows/instances/', 'slug', 'default-invalidation-flow');
  const authn = (await all(s, '/flows/instances/')).find((f) => f.slug === 'default-authentication-flow') ?? (await loginFlow(s));

  // Groups: staff > engineering > platform, with attributes.
  const group = async (name: string, parent: JsonObject | undefined, attributes: JsonObject) =>
    rest(s, 'POST', '/core/groups/', { name, attributes, ...(parent ? (v2023 ? { parent: parent.pk! } : { parents: [parent.pk!] }) : {}) });
  const staff = await group('staff', undefined, { department: 'all' });
  const engineering = await group('engineering', staff, { cost_center: '4711', on_call: true });
  const platform = await group('platform', engineering, { slack: '#platform', tiers: ['gold', 'silver'] });
  const contractors = await group('contractors', undefined, {});

  await rest(s, 'POST', '/core/users/', {
    username: 'alice',
    name: 'Alice Example',
    email: 'alice@example.com',
    groups: [platform.pk!],
    attributes: { employee_id: 1001, locale: 'de_DE' },
  });
  await rest(s, 'POST', '/core/users/', {
    username: 'bob',
    name: 'Bob Example',
    email: 'bob@example.com',
    groups: [engineering.pk!, contractors.pk!],
    is_active: false,
    path: 'users/contractors',
  });
  await rest(s, 'POST', '/core/users/', {
    username: 'svc-backup',
    name: 'Backup job',
    type: 'service_account',
    attributes: { 'goauthentik.io/user/token-expires': false },
  });

  // LDAP source with a bind password and the system blueprint's (managed) property mappings.
  const ldapMappings = (await all(s, v2023 ? '/propertymappings/ldap/' : '/propertymappings/source/ldap/'))
    .filter((m) => typeof m.managed === 'string')
    .map((m) => m.pk!);
  await rest(s, 'POST', '/sources/ldap/', {
    name: 'Corporate LDAP',
    slug: 'corp-ldap',
    server_uri: 'ldaps://ldap.example.com',
    base_dn: 'dc=example,dc=com',
    bind_cn: 'cn=authentik,ou=svc,dc=example,dc=com',
    bind_password: 'ldap-bind-secret-1',
    sync_groups: true,
    additional_user_dn: 'ou=people',
    additional_group_dn: 'ou=groups',
    ...(ldapMappings.length > 0 ? (v2023 ? { property_mappings: ldapMappings } : { user_property_mappings: ldapMappings }) : {}),
    sync_parent_group: engineering.pk!,
  });

  // OAuth2 provider + application, a policy bound to the application.
  const scopes = (await all(s, v2023 ? '/propertymappings/scope/' : '/propertymappings/provider/scope/'))
    .filter((m) => typeof m.managed === 'string')
    .map((m) => m.pk!);
  const oauth = await rest(s, 'POST', '/providers/oauth2/', {
    name: 'Grafana',
    authorization_flow: authz.pk!,
    client_type: 'confidential',
    client_id: 'grafana-client',
    client_secret: 'grafana-client-secret-2',
    access_token_validity: 'minutes=10',
    property_mappings: scopes,
    ...(v2023
      ? { redirect_uris: 'https://grafana.example.com/login/generic_oauth' }
      : { invalidation_flow: invalidation.pk!, redirect_uris: [{ matching_mode: 'strict', url: 'https://grafana.example.com/login/generic_oauth' }] }),
  });
  const grafana = await rest(s, 'POST', '/core/applications/', {
    name: 'Grafana',
    slug: 'grafana',
    provider: oauth.pk!,
    meta_launch_url: 'https://grafana.example.com',
    meta_description: 'Dashboards',
  });
  const engineersOnly = await rest(s, 'POST', '/policies/expression/', {
    name: 'engineers-only',
    expression: 'return ak_is_group_member(request.user, name="engineering")\n',
  });
  await rest(s, 'POST', '/policies/bindings/', { target: grafana.pk!, policy: engineersOnly.pk!, order: 0 });
  await rest(s, 'POST', '/policies/bindings/', { target: grafana.pk!, group: contractors.pk!, order: 10, negate: true });
  if (!v2023) await rest(s, 'POST', '/core/application_entitlements/', { app: grafana.pk!, name: 'grafana-editors', attributes: { grafana_role: 'Editor' } });

  // SAML provider + application, bound to a group.
  const saml = await rest(s, 'POST', '/providers/saml/', {
    name: 'Wiki SAML',
    authorization_flow: authz.pk!,
    acs_url: 'https://wiki.example.com/saml/acs',
    issuer: 'https://auth.example.com',
    audience: 'wiki',
    ...(v2023 ? {} : { invalidation_flow: invalidation.pk! }),
  });
  const wiki = await rest(s, 'POST', '/core/applications/', { name: 'Wiki', slug: 'wiki', provider: saml.pk!, open_in_new_tab: true });
  await rest(s, 'POST', '/policies/bindings/', { target: wiki.pk!, group: staff.pk!, order: 0 });

  // The authentication flow, customised: a new title, an office-hours policy on the flow and a
  // stricter password stage bound behind the existing one.
  await rest(s, 'PATCH', `/flows/instances/${String(authn.slug)}/`, { title: 'Welcome to Example Corp' });
  const officeHours = await rest(s, 'POST', '/policies/expression/', {
    name: 'office-network-only',
    expression: 'return ak_client_ip in ip_network("10.0.0.0/8")',
  });
  await rest(s, 'POST', '/policies/bindings/', {
    target: v2023 ? authn.pk! : (authn.policybindingmodel_ptr_id ?? authn.pk)!,
    policy: officeHours.pk!,
    order: 5,
    timeout: 10,
  });
  const mfaPassword = await rest(s, 'POST', '/stages/password/', {
    name: 'second-password',
    backends: ['authentik.core.auth.InbuiltBackend'],
    failed_attempts_before_cancel: 3,
  });
  await rest(s, 'POST', '/flows/bindings/', { target: authn.pk!, stage: mfaPassword.pk!, order: 25, evaluate_on_plan: true });
}

/** 2023.6 rejects the numbered default authentication flow: the administrator built one by hand. */
async function loginFlow(s: Server): Promise<JsonObject> {
  const flow = await rest(s, 'POST', '/flows/instances/', { name: 'Corporate login', slug: 'corp-login', title: 'Sign in', designation: 'authentication' });
  const password = await rest(s, 'POST', '/stages/password/', { name: 'corp-login-password', backends: ['authentik.core.auth.InbuiltBackend'] });
  const ident = await rest(s, 'POST', '/stages/identification/', {
    name: 'corp-login-identification',
    user_fields: ['username', 'email'],
    password_stage: password.pk!,
  });
  const login = await rest(s, 'POST', '/stages/user_login/', { name: 'corp-login-session', session_duration: 'hours=12' });
  for (const [stage, order] of [
    [ident, 10],
    [login, 100],
  ] as const)
    await rest(s, 'POST', '/flows/bindings/', { target: flow.pk!, stage: stage.pk!, order });
  return flow;
}
