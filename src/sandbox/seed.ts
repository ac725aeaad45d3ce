// A fresh state: what authentik's migrations and startup reconcilers leave behind before any
// blueprint runs — the superuser `akadmin` (pk 1) in the superuser group `authentik Admins`, the
// hidden anonymous user, an API token for akadmin whose key is the sandbox token, the self-signed
// and internal JWT certificates, and the embedded outpost. No flows, stages, tenants/brands.
import type { JsonObject } from '../model/types.js';
import type { World } from './render.js';
import { buildRecord, syncMirrors } from './records.js';

export const SEED_TOKEN_IDENTIFIER = 'akbp-sandbox-token';

export function seed(w: World, token: string): void {
  const users = w.schema.model('authentik_core.user');
  const groups = w.schema.model('authentik_core.group');
  const tokens = w.schema.model('authentik_core.token');
  if (!users || !groups || !tokens) throw new Error('registry lacks authentik_core user/group/token');

  const admin = buildRecord(w, users, { username: 'akadmin', name: 'authentik Default Admin', email: 'root@localhost' }, undefined);
  w.store.insert(admin);
  // guardian's AnonymousUser: created by a post-migrate hook after akadmin; no endpoint lists it.
  const anon = buildRecord(w, users, { username: 'AnonymousUser', name: '' }, undefined);
  anon.hidden = true;
  w.store.insert(anon);

  const groupValues: JsonObject = { name: 'authentik Admins', is_superuser: true };
  if (groups.info.fields.users) groupValues.users = [admin.pk];
  const admins = buildRecord(w, groups, groupValues, undefined);
  w.store.insert(admins);
  syncMirrors(w, groups, admins, Object.keys(groups.mirror));
  if (!groups.mirror.users) admin.data.groups = [admins.pk];

  const tok = buildRecord(
    w,
    tokens,
    { identifier: SEED_TOKEN_IDENTIFIER, intent: 'api', expiring: false, expires: null, description: 'API token of the akbp sandbox', user: admin.pk },
    admin.pk,
  );
  if (tokens.info.fields.expires && !tokens.info.fields.expires.nullable) tok.data.expires = '9999-12-31T23:59:59Z';
  tok.secret.key = token;
  w.store.insert(tok);

  // Created by authentik's app reconcilers at startup, not by blueprints (default blueprints !Find them).
  const certs = w.schema.model('authentik_crypto.certificatekeypair');
  if (certs) {
    for (const [name, managed] of [
      ['authentik Self-signed Certificate', null],
      ['authentik Internal JWT Certificate', 'goauthentik.io/crypto/jwt-managed'],
    ] as const) {
      const c = buildRecord(w, certs, { name }, undefined);
      if (certs.info.fields.managed) c.data.managed = managed;
      c.data.private_key_available = true;
      w.store.insert(c);
    }
  }
  const outposts = w.schema.model('authentik_outposts.outpost');
  if (outposts) {
    const o = buildRecord(w, outposts, { name: 'authentik Embedded Outpost', type: 'proxy', providers: [], config: EMBEDDED_OUTPOST_CONFIG }, undefined);
    o.data.managed = 'goauthentik.io/outposts/embedded';
    w.store.insert(o);
  }
}

const EMBEDDED_OUTPOST_CONFIG: JsonObject = {
  log_level: 'info',
  authentik_host: '',
  authentik_host_insecure: false,
  authentik_host_browser: '',
  object_naming_template: 'ak-outpost-%(name)s',
  docker_network: null,
  docker_map_ports: true,
  docker_labels: null,
  container_image: null,
  kubernetes_replicas: 1,
  kubernetes_namespace: 'default',
  kubernetes_ingress_annotations: {},
  kubernetes_ingress_secret_name: 'authentik-outpost-tls',
  kubernetes_service_type: 'ClusterIP',
  kubernetes_disabled_components: [],
  kubernetes_image_pull_secrets: [],
};
