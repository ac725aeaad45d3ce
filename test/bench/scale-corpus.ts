// Realistic generated blueprints for the scaling benchmark: blocks of 20 entries over flows,
// stages, !KeyOf bindings, policies, groups, users, providers, applications, with !Find, !Format,
// !If and !Context. Ids carry the block number, so blocks can share one file or have one each.
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
];
const POLICIES = ['authentik_policies_dummy.dummypolicy', 'authentik_policies_password.passwordpolicy', 'authentik_policies_reputation.reputationpolicy'];

export const ENTRIES_PER_BLOCK = 20;

/** The entries (YAML list items, indented two spaces) of block i: exactly 20. */
export function scaleBlock(i: number): string {
  const s = (k: number) => STAGES[(i * 3 + k) % STAGES.length]!;
  const p = POLICIES[i % POLICIES.length]!;
  return `  - model: authentik_flows.flow
    id: flow-${i}
    identifiers: {slug: !Format ["%s-${i}-flow", !Context prefix]}
    attrs: {name: "Scale flow ${i}", title: !Format ["Welcome %s", !Context prefix], designation: authentication}
  - {model: ${s(0)}, id: s0-${i}, identifiers: {name: scale-${i}-s0}}
  - {model: ${s(1)}, id: s1-${i}, identifiers: {name: scale-${i}-s1}}
  - {model: ${s(2)}, id: s2-${i}, identifiers: {name: scale-${i}-s2}}
  - {model: authentik_flows.flowstagebinding, id: b0-${i}, identifiers: {target: !KeyOf flow-${i}, stage: !KeyOf s0-${i}, order: 10}}
  - {model: authentik_flows.flowstagebinding, identifiers: {target: !KeyOf flow-${i}, stage: !KeyOf s1-${i}, order: 20}}
  - {model: authentik_flows.flowstagebinding, identifiers: {target: !KeyOf flow-${i}, stage: !KeyOf s2-${i}, order: 30}}
  - model: authentik_core.group
    id: group-${i}
    identifiers: {name: scale-${i}-group}
    attrs: {attributes: {index: ${i}, team: !If [!Context production, "prod", "dev"]}}
  - model: authentik_core.user
    identifiers: {username: scale-${i}-user}
    attrs: {name: "Scale user ${i}", email: "scale${i}@example.com", groups: [!KeyOf group-${i}], path: users/scale}
  - {model: ${p}, id: policy-${i}, identifiers: {name: scale-${i}-policy}}
  - model: authentik_policies_expression.expressionpolicy
    id: expr-${i}
    identifiers: {name: scale-${i}-expr}
    attrs: {expression: "return request.user.username.startswith('scale')"}
  - {model: authentik_policies.policybinding, identifiers: {target: !KeyOf b0-${i}, policy: !KeyOf expr-${i}, order: 0}}
  - {model: authentik_policies.policybinding, identifiers: {target: !KeyOf flow-${i}, group: !Find [authentik_core.group, [name, scale-${i}-group]], order: 5}}
  - model: authentik_flows.flow
    id: logout-${i}
    identifiers: {slug: scale-${i}-logout}
    attrs: {name: "Logged out ${i}", title: "Bye", designation: invalidation}
  - model: authentik_providers_oauth2.oauth2provider
    id: provider-${i}
    identifiers: {name: scale-${i}-provider}
    attrs:
      authorization_flow: !KeyOf flow-${i}
      invalidation_flow: !Find [authentik_flows.flow, [slug, scale-${i}-logout]]
      client_type: confidential
      client_id: scale-${i}
      redirect_uris: [{matching_mode: strict, url: !Format ["https://app-%s.example.com/cb", ${i}]}]
  - model: authentik_core.application
    identifiers: {slug: scale-${i}-app}
    attrs: {name: !Format ["App %s", ${i}], provider: !KeyOf provider-${i}, meta_description: !If [!Context production, "live", "generated"]}
  - model: authentik_events.notificationtransport
    id: transport-${i}
    identifiers: {name: scale-${i}-transport}
    attrs: {mode: local}
  - model: authentik_events.notificationrule
    identifiers: {name: scale-${i}-rule}
    attrs: {transports: [!KeyOf transport-${i}], severity: notice, destination_group: !KeyOf group-${i}}
  - model: authentik_stages_prompt.prompt
    identifiers: {name: scale-${i}-prompt}
    attrs: {field_key: "field_${i}", label: "Field ${i}", type: text}
  - model: authentik_rbac.role
    identifiers: {name: scale-${i}-role}
`;
}

function header(name: string): string {
  return `version: 1\nmetadata:\n  name: ${name}\ncontext:\n  prefix: scale\n  production: false\nentries:\n`;
}

/** One file with `entries` entries (a multiple of 20). */
export function scaleOneFile(entries: number): string {
  const parts = [header('scale one file')];
  for (let i = 0; i < entries / ENTRIES_PER_BLOCK; i++) parts.push(scaleBlock(i));
  return parts.join('');
}

function source(path: string, text: string): SourceFile {
  return {
    uri: `scale/${path}`,
    path,
    bytes: new TextEncoder().encode(text),
    origin: { kind: 'file', uri: 'scale/', root: '/nonexistent/scale', local: true },
  };
}

/** `entries` entries as SourceFiles: one file, or one file per 20-entry block. */
export function scaleCorpus(entries: number, layout: 'one-file' | 'many-files'): SourceFile[] {
  if (layout === 'one-file') return [source('scale.yaml', scaleOneFile(entries))];
  const out: SourceFile[] = [];
  for (let i = 0; i < entries / ENTRIES_PER_BLOCK; i++) out.push(source(`scale-${String(i).padStart(5, '0')}.yaml`, header(`scale ${i}`) + scaleBlock(i)));
  return out;
}
