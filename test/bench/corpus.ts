// A generated blueprint corpus for benchmarks: `files` files of `perFile` entries over 24+
// models of authentik 2026.5, with the tags real blueprints use (!KeyOf, !Format, !Context, !Find).
import type { SourceFile } from '../../src/model/index.js';

const STAGES = [
  'authentik_stages_dummy.dummystage',
  'authentik_stages_deny.denystage',
  'authentik_stages_user_login.userloginstage',
  'authentik_stages_user_logout.userlogoutstage',
  'authentik_stages_user_write.userwritestage',
  'authentik_stages_consent.consentstage',
  'authentik_stages_identification.identificationstage',
  'authentik_stages_authenticator_static.authenticatorstaticstage',
  'authentik_stages_authenticator_validate.authenticatorvalidatestage',
  'authentik_stages_email.emailstage',
];
const POLICIES = [
  'authentik_policies_dummy.dummypolicy',
  'authentik_policies_password.passwordpolicy',
  'authentik_policies_reputation.reputationpolicy',
  'authentik_policies_event_matcher.eventmatcherpolicy',
];

/** One file: a flow with three stage bindings, a group, a user, policies, mappings, an app. 20 entries. */
export function corpusFile(i: number): string {
  const s = (k: number) => STAGES[(i * 3 + k) % STAGES.length]!;
  const p = POLICIES[i % POLICIES.length]!;
  return `version: 1
metadata:
  name: bench ${i}
context:
  prefix: bench-${i}
entries:
  - model: authentik_flows.flow
    id: flow
    identifiers: {slug: !Format ["%s-flow", !Context prefix]}
    attrs: {name: "Bench flow ${i}", title: "Bench ${i}", designation: authentication}
  - {model: ${s(0)}, id: s0, identifiers: {name: bench-${i}-s0}}
  - {model: ${s(1)}, id: s1, identifiers: {name: bench-${i}-s1}}
  - {model: ${s(2)}, id: s2, identifiers: {name: bench-${i}-s2}}
  - {model: authentik_flows.flowstagebinding, id: b0, identifiers: {target: !KeyOf flow, stage: !KeyOf s0, order: 10}}
  - {model: authentik_flows.flowstagebinding, identifiers: {target: !KeyOf flow, stage: !KeyOf s1, order: 20}}
  - {model: authentik_flows.flowstagebinding, identifiers: {target: !KeyOf flow, stage: !KeyOf s2, order: 30}}
  - model: authentik_core.group
    id: group
    identifiers: {name: bench-${i}-group}
    attrs: {attributes: {index: ${i}, team: "bench"}}
  - model: authentik_core.user
    identifiers: {username: bench-${i}-user}
    attrs: {name: "Bench user ${i}", email: "bench${i}@example.com", groups: [!KeyOf group], path: users/bench}
  - {model: ${p}, id: policy, identifiers: {name: bench-${i}-policy}}
  - model: authentik_policies_expression.expressionpolicy
    id: expr
    identifiers: {name: bench-${i}-expr}
    attrs: {expression: "return request.user.username.startswith('bench')"}
  - {model: authentik_policies.policybinding, identifiers: {target: !KeyOf b0, policy: !KeyOf expr, order: 0}}
  - {model: authentik_policies.policybinding, identifiers: {target: !KeyOf flow, group: !KeyOf group, order: 5}}
  - model: authentik_providers_oauth2.scopemapping
    identifiers: {name: bench-${i}-scope}
    attrs: {scope_name: "bench${i}", expression: "return {}"}
  - model: authentik_providers_saml.samlpropertymapping
    identifiers: {name: bench-${i}-saml}
    attrs: {saml_name: "urn:bench:${i}", expression: "return 1"}
  - model: authentik_events.notificationtransport
    id: transport
    identifiers: {name: bench-${i}-transport}
    attrs: {mode: local}
  - model: authentik_events.notificationrule
    identifiers: {name: bench-${i}-rule}
    attrs: {transports: [!KeyOf transport], severity: notice}
  - model: authentik_stages_prompt.prompt
    identifiers: {name: bench-${i}-prompt}
    attrs: {field_key: "field_${i}", label: "Field ${i}", type: text}
  - model: authentik_rbac.role
    identifiers: {name: bench-${i}-role}
  - model: authentik_core.application
    identifiers: {slug: bench-${i}-app}
    attrs: {name: "Bench app ${i}", meta_description: "generated"}
`;
}

export function corpus(files = 50): SourceFile[] {
  const out: SourceFile[] = [];
  for (let i = 0; i < files; i++) {
    const path = `bench-${String(i).padStart(3, '0')}.yaml`;
    out.push({
      uri: `bench/${path}`,
      path,
      bytes: new TextEncoder().encode(corpusFile(i)),
      origin: { kind: 'file', uri: 'bench/', root: '/nonexistent/bench', local: true },
    });
  }
  return out;
}
