// Converts the research model map (../shared/authentik/model-map-*.json, used only when the
// bundled registries are generated) into RegistryFacts, adding the blueprint-only fields and
// delete behaviour that BLUEPRINT-SEMANTICS.md §8 and API-NOTES.md §6 describe. Pure.
import type { BlueprintOnlyField } from './registry.js';
import type { ModelFacts, RegistryFacts } from './generate.js';

interface MapModel {
  model: string;
  kind: string;
  verboseName?: string;
  apiPath: string | null;
  pkField: string | null;
  lookupField: string | null;
  uniqueFields?: string[];
  uniqueTogether?: string[][];
  defaultOrdering?: string[] | null;
  searchFields?: string[] | null;
  polymorphicFamily?: string | null;
  isPolicyBindingModel?: boolean;
  policyBindingTarget?: { listFilterTargetFrom?: string } | null;
  blueprintOnlyFields?: { [field: string]: string };
  metaAttrs?: { [name: string]: string };
}
interface ModelMap {
  authentikVersion: string;
  polymorphicEndpoints: { [name: string]: { path: string; members: string[] } };
  models: { [model: string]: MapModel };
}

// The base SourceSerializer takes `icon` in blueprint context, so every source type does (LDAP too).
const SOURCE_ICON_MODELS = [
  'authentik_sources_oauth.oauthsource',
  'authentik_sources_saml.samlsource',
  'authentik_sources_plex.plexsource',
  'authentik_sources_ldap.ldapsource',
];

/** Blueprint-only fields per version and how a REST client performs each (BLUEPRINT-SEMANTICS §8). */
function blueprintOnly(model: string, version: string, fieldsInMap: string[]): { [f: string]: BlueprintOnlyField } {
  const newer = version >= '2024';
  const out: { [f: string]: BlueprintOnlyField } = {};
  if (model === 'authentik_core.user') {
    out.password = { via: 'set_password', secret: true, type: 'string' };
    if (newer) {
      out.password_hash = {
        via: 'unsupported',
        secret: true,
        type: 'string',
        note: 'authentik sets a pre-hashed password only through its own importer; the REST API has no equivalent.',
      };
      out.permissions = {
        via: 'rbac',
        secret: false,
        type: 'array',
        note: "global permissions, added (never removed) to the user's managed role through the RBAC assign endpoint.",
      };
    }
  }
  if (model === 'authentik_rbac.role' && newer) {
    out.permissions = {
      via: 'rbac',
      secret: false,
      type: 'array',
      note: 'global permissions, added (never removed) through the RBAC assign endpoint.',
    };
  }
  if (model === 'authentik_core.token') out.key = { via: 'set_key', secret: true, type: 'string' };
  if (model === 'authentik_endpoints_connectors_agent.enrollmenttoken' && newer) out.key = { via: 'unsupported', secret: true, type: 'string' };
  if (!newer) {
    if (model === 'authentik_core.application') out.icon = { via: 'set_icon_url', secret: false, type: 'string' };
    if (SOURCE_ICON_MODELS.includes(model)) out.icon = { via: 'set_icon_url', secret: false, type: 'string' };
    if (model === 'authentik_flows.flow') out.background = { via: 'set_background_url', secret: false, type: 'string' };
  } else if (model === 'authentik_core.application') {
    out.icon = { via: 'body', field: 'meta_icon', secret: false, type: 'string' };
  }
  for (const f of fieldsInMap) if (!out[f]) out[f] = { via: 'unsupported', secret: false, type: 'any' };
  return out;
}

export function factsFromModelMap(map: ModelMap): RegistryFacts {
  const version = map.authentikVersion;
  const models: { [m: string]: ModelFacts } = {};
  for (const m of Object.values(map.models)) {
    const pbmFrom = m.policyBindingTarget?.listFilterTargetFrom;
    models[m.model] = {
      model: m.model,
      kind: m.kind === 'meta' ? 'meta' : 'model',
      verboseName: m.verboseName ?? m.model.split('.')[1] ?? m.model,
      apiPath: m.apiPath,
      pkField: m.pkField,
      lookupField: m.lookupField,
      uniqueFields: [...(m.uniqueFields ?? [])].sort(),
      uniqueTogether: m.uniqueTogether ?? [],
      defaultOrdering: m.defaultOrdering ?? [],
      searchFields: m.searchFields ?? [],
      polymorphicFamily: m.polymorphicFamily ?? null,
      isPolicyBindingModel: Boolean(m.isPolicyBindingModel),
      pbmField: pbmFrom && pbmFrom !== 'pk' ? pbmFrom : null,
      blueprintOnlyFields: blueprintOnly(m.model, version, Object.keys(m.blueprintOnlyFields ?? {})),
      ...(m.metaAttrs ? { metaAttrs: m.metaAttrs } : {}),
    };
  }
  const families: RegistryFacts['families'] = {};
  for (const [name, f] of Object.entries(map.polymorphicEndpoints)) families[name] = { path: f.path, members: f.members };
  return { models, families };
}
