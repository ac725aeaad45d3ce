// What export knows about authentik beyond the registry: which models hold runtime data rather
// than configuration, which objects authentik creates itself, natural keys of models without a
// unique field, and model defaults the OpenAPI documents do not state. Pure tables.
import type { Json } from '../model/index.js';
import type { ModelInfo } from '../authentik/registry.js';

/**
 * Models whose objects are produced by using authentik (events, sessions, devices, issued tokens,
 * source links, consents), not by configuring it. Exported only when `--model` names them.
 */
export function runtimeModel(info: ModelInfo): string | undefined {
  const explicit: { [model: string]: string } = {
    'authentik_core.token': 'tokens are credentials: re-issue them on the new install',
    'authentik_events.event': 'events are an audit log',
    'authentik_events.notification': 'notifications are delivered messages',
    'authentik_enterprise.license': 'licenses are bound to an install',
    'authentik_reports.dataexport': 'data exports are generated files',
    'authentik_tasks_schedules.schedule': 'schedules are created by authentik for its tasks',
    'authentik_endpoints_connectors_agent.enrollmenttoken': 'enrollment tokens are credentials',
    'authentik_policies_reputation.reputation': 'reputation scores are runtime data',
    'authentik_stages_consent.userconsent': 'consents are given by users',
    'authentik_stages_invitation.invitation': 'invitations are single-use links',
    'authentik_providers_oauth2.accesstoken': 'issued OAuth2 tokens are runtime data',
    'authentik_providers_oauth2.refreshtoken': 'issued OAuth2 tokens are runtime data',
    'authentik_providers_oauth2.authorizationcode': 'issued OAuth2 codes are runtime data',
    'authentik_endpoints.deviceuserbinding': 'device bindings are made by enrolling devices',
    'authentik_tenants.domain': 'tenant domains belong to the tenants API, not to one tenant',
  };
  if (explicit[info.model]) return explicit[info.model];
  if (info.modelName.endsWith('device')) return 'authenticator devices are enrolled by users';
  if (info.modelName.endsWith('sourceconnection')) return 'source connections link users to a source when they log in';
  if (info.appLabel === 'authentik_lifecycle') return 'access reviews are runtime data';
  return undefined;
}

/**
 * Objects authentik creates itself without setting `managed`: startup reconcilers and the system
 * blueprints (blueprints/system/). Treated as managed: left out, referenced by `!Find`.
 */
const SELF_CREATED: { [model: string]: { field: string; values: string[] } } = {
  'authentik_crypto.certificatekeypair': { field: 'name', values: ['authentik Self-signed Certificate'] },
  'authentik_rbac.role': { field: 'name', values: ['authentik Agent Apply'] },
  'authentik_core.group': { field: 'name', values: ['authentik Agent Apply'] },
};

export function selfManaged(info: ModelInfo, body: { [k: string]: Json }): boolean {
  if (typeof body.managed === 'string' && body.managed !== '') return true;
  if (info.model === 'authentik_core.user') {
    // Outpost and agent accounts: authentik creates and rotates them.
    if (body.type === 'internal_service_account') return true;
    if (typeof body.path === 'string' && body.path.startsWith('goauthentik.io/')) return true;
  }
  // authentik's discovery creates an instance for every file in its blueprints directory; an
  // instance an administrator adds points at an OCI artifact or carries its content inline.
  if (info.model === 'authentik_blueprints.blueprintinstance') {
    const path = typeof body.path === 'string' ? body.path : '';
    return path !== '' && !path.startsWith('oci://') && !body.content;
  }
  const s = SELF_CREATED[info.model];
  return Boolean(s && s.values.includes(body[s.field] as string));
}

/** Natural keys of models that declare no unique field (authentik's own blueprints use these). */
export const NATURAL_KEYS: { [model: string]: string[] } = {
  'authentik_brands.brand': ['domain'],
  'authentik_tenants.tenant': ['domain'],
  'authentik_rbac.role': ['name'],
  'authentik_rbac.initialpermissions': ['name'],
  'authentik_core.applicationentitlement': ['app', 'name'],
  'authentik_providers_rac.endpoint': ['provider', 'name'],
  'authentik_flows.flowstagebinding': ['target', 'stage', 'order'],
  'authentik_blueprints.blueprintinstance': ['name'],
  'authentik_core.group': ['name'],
};

/** Fields preferred as the natural key, first present unique field wins. */
export const KEY_PREFERENCE = ['slug', 'username', 'identifier', 'name', 'domain'];

/** Fields never exported: they change by themselves (login times) or duplicate the other side of a membership. */
export const SKIP_FIELDS: { [model: string]: string[] } = {
  'authentik_core.user': ['last_login'],
  // group.users mirrors user.groups: the membership is written once, on the users.
  'authentik_core.group': ['users'],
};

/**
 * Model defaults of authentik (its Django model field defaults) that the OpenAPI documents do not
 * state. A field equal to its default is left out unless `--all-fields`; a field whose default is
 * not known here is always written, so a left-out field never changes meaning on another install.
 */
export const MODEL_DEFAULTS: { [model: string]: { [field: string]: Json } } = {
  'authentik_core.user': { is_active: true, path: 'users', attributes: {}, type: 'internal', email: '' },
  'authentik_core.group': { is_superuser: false, attributes: {} },
  'authentik_core.application': { policy_engine_mode: 'any', open_in_new_tab: false, meta_launch_url: '', meta_description: '', meta_publisher: '', group: '' },
  'authentik_flows.flow': {
    policy_engine_mode: 'any',
    compatibility_mode: false,
    denied_action: 'message_continue',
    layout: 'stacked',
    authentication: 'none',
  },
  'authentik_flows.flowstagebinding': { evaluate_on_plan: false, re_evaluate_policies: true, policy_engine_mode: 'any', invalid_response_action: 'retry' },
  'authentik_policies.policybinding': { enabled: true, negate: false, timeout: 30, failure_result: false },
  'authentik_providers_oauth2.oauth2provider': {
    client_type: 'confidential',
    access_code_validity: 'minutes=1',
    access_token_validity: 'minutes=5',
    refresh_token_validity: 'days=30',
    include_claims_in_id_token: true,
    sub_mode: 'hashed_user_id',
    issuer_mode: 'per_provider',
  },
  'authentik_stages_prompt.prompt': { placeholder: '', sub_text: '', placeholder_expression: false, initial_value: '', initial_value_expression: false },
};

/** Families whose members all default `execution_logging` to false (policies). */
export function familyDefaults(info: ModelInfo): { [field: string]: Json } {
  if (info.polymorphicFamily === 'policies') return { execution_logging: false };
  return {};
}
