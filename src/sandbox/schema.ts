// What the sandbox derives once from a registry: per-model views (writable fields, references with
// resolved targets, the other side of two-sided memberships), the polymorphic families with their
// base fields, and who references whom (for filters, cascades and used_by).
import type { FamilyInfo, FieldInfo, ModelInfo, ReferenceInfo, Registry } from '../authentik/registry.js';

export interface RefView extends ReferenceInfo {
  /** Models whose pks the field accepts (policy-binding targets resolved to every PBM model). */
  targetModels: string[];
}

export interface ModelView {
  name: string;
  info: ModelInfo;
  /** Request fields in registry order (not read-only, not nested read serializers). */
  writable: string[];
  /** Response fields in registry order (not write-only). */
  readable: string[];
  refs: { [field: string]: RefView };
  /** M2M fields whose membership is also written from the other side (user.groups ↔ group.users). */
  mirror: { [field: string]: { model: string; field: string } };
  family: FamilyView | null;
  /** Integer pks are shared by a family's members (one base table in authentik). */
  counterKey: string;
  /** pbm uuid separate from pk (flows, flow-stage bindings). */
  separatePbm: boolean;
  component: string;
  verbosePlural: string;
  /** PolicyBinding-like: exactly one of policy / group / user. */
  bindingSubjects: boolean;
}

export interface FamilyView {
  name: string;
  info: FamilyInfo;
  members: string[];
  /** Fields of the base serializer the `/all/` endpoint uses. */
  baseFields: string[];
  baseProps: { [name: string]: FieldInfo };
  /** Response field whose value is the detail lookup (`pk`, or `slug` for sources). */
  lookupField: string;
  /** Verbose name of the base model, for uniqueness messages on base-table fields. */
  baseVerbose: string;
}

export interface Referrer {
  model: string;
  field: string;
  ref: RefView;
}

const FAMILY_COMPONENT_PREFIX: { [family: string]: string } = {
  policies: 'ak-policy-',
  stages: 'ak-stage-',
  providers: 'ak-provider-',
  sources: 'ak-source-',
  propertymappings: 'ak-property-mapping-',
  outpost_service_connections: 'ak-service-connection-',
  user_source_connections: 'ak-user-source-connection-',
  group_source_connections: 'ak-group-source-connection-',
  endpoint_connectors: 'ak-endpoints-connector-',
};

const FAMILY_BASE_VERBOSE: { [family: string]: string } = {
  policies: 'Policy',
  stages: 'Stage',
  providers: 'Provider',
  sources: 'Source',
  propertymappings: 'Property Mapping',
  outpost_service_connections: 'Outpost Service-Connection',
  user_source_connections: 'User-source connection',
  group_source_connections: 'Group-source connection',
  endpoint_connectors: 'Connector',
};

function pluralize(s: string): string {
  if (/[^aeiou]y$/i.test(s)) return `${s.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/i.test(s)) return `${s}es`;
  return `${s}s`;
}

export class Schema {
  readonly models = new Map<string, ModelView>();
  readonly families = new Map<string, FamilyView>();
  readonly pbmModels: string[] = [];
  private readonly referrers = new Map<string, Referrer[]>();
  /** authentik before 2024: the 2023.6 quirks (auth scheme error, set_password without body, 404 text). */
  readonly legacy: boolean;

  constructor(readonly registry: Registry) {
    this.legacy = Number.parseInt(registry.authentikVersion.split('.')[0] ?? '0', 10) < 2024;
    const served = Object.values(registry.models).filter((m) => m.kind === 'model' && m.apiPath && m.detailPath);
    for (const m of served) if (m.isPolicyBindingModel) this.pbmModels.push(m.model);

    const memberOf = new Map<string, string>();
    for (const f of Object.values(registry.families)) for (const mem of f.members) memberOf.set(mem, f.name);

    for (const f of Object.values(registry.families)) {
      const members = f.members.filter((m) => registry.models[m]?.apiPath);
      const baseProps = baseSerializerFields(registry, f, members);
      const base = Object.keys(baseProps);
      const lookupField = base.includes(f.lookupParam) ? f.lookupParam : 'pk';
      this.families.set(f.name, {
        name: f.name,
        info: f,
        members,
        baseFields: base,
        baseProps,
        lookupField,
        baseVerbose: FAMILY_BASE_VERBOSE[f.name] ?? f.name,
      });
    }

    for (const m of served) {
      const writable = Object.keys(m.fields).filter((k) => !m.fields[k]!.readOnly && !m.neverSend.includes(k));
      const readable = Object.keys(m.fields).filter((k) => !m.fields[k]!.writeOnly);
      const refs: { [f: string]: RefView } = {};
      for (const [field, ref] of Object.entries(m.references ?? {})) {
        const targetModels = ref.policyBindingTarget ? this.pbmModels : ref.targets.filter((t) => registry.models[t]?.apiPath);
        refs[field] = { ...ref, targetModels };
      }
      const familyName = m.polymorphicFamily ?? memberOf.get(m.model) ?? null;
      const family = familyName ? (this.families.get(familyName) ?? null) : null;
      this.models.set(m.model, {
        name: m.model,
        info: m,
        writable,
        readable,
        refs,
        mirror: {},
        family,
        counterKey: family ? `family:${family.name}` : m.model,
        separatePbm: Boolean(m.isPolicyBindingModel && m.pbmField && m.pbmField !== m.pkField),
        component: componentFor(m, family),
        verbosePlural: pluralize(m.verboseName),
        bindingSubjects: ['policy', 'group', 'user'].every((k) => refs[k] && m.fields[k]?.nullable) && Boolean(refs.target?.policyBindingTarget),
      });
    }

    for (const mv of this.models.values()) {
      for (const [field, ref] of Object.entries(mv.refs)) {
        const r: Referrer = { model: mv.name, field, ref };
        for (const t of ref.targetModels) {
          let list = this.referrers.get(t);
          if (!list) this.referrers.set(t, (list = []));
          list.push(r);
        }
      }
    }

    // Two writable M2M fields pointing at each other's model are one relation seen from both ends.
    for (const mv of this.models.values()) {
      for (const [field, ref] of Object.entries(mv.refs)) {
        if (!ref.many || !mv.writable.includes(field) || ref.targetModels.length !== 1) continue;
        const other = this.models.get(ref.targetModels[0]!);
        if (!other || other.name === mv.name) continue;
        const back = Object.entries(other.refs).filter(
          ([f, r]) => r.many && other.writable.includes(f) && r.targetModels.length === 1 && r.targetModels[0] === mv.name,
        );
        if (back.length === 1) mv.mirror[field] = { model: other.name, field: back[0]![0] };
      }
    }
  }

  model(name: string): ModelView | undefined {
    return this.models.get(name);
  }

  /** Fields elsewhere that point at records of `model` (policy-binding targets included for PBMs). */
  referrersOf(model: string): Referrer[] {
    return this.referrers.get(model) ?? [];
  }
}

function componentFor(m: ModelInfo, family: FamilyView | null): string {
  if (family && m.apiPath) {
    const prefix = family.info.path.replace(/all\/$/, '');
    let rest = m.apiPath.startsWith(prefix) ? m.apiPath.slice(prefix.length) : m.apiPath;
    rest = rest.replace(/\/$/, '').replace(/\/stages$/, '');
    const slug = rest.split('/').filter(Boolean).join('-').replace(/_/g, '-');
    return `${FAMILY_COMPONENT_PREFIX[family.name] ?? `ak-${family.name}-`}${slug}-form`;
  }
  return `ak-${m.modelName}-form`;
}

/** Base-serializer fields no member schema lists (the registry has no family schemas). */
const FAMILY_EXTRA_BASE: { [family: string]: { [name: string]: FieldInfo } } = {
  user_source_connections: { created: { type: 'string', format: 'date-time', readOnly: true } },
};

/**
 * The base serializer of a family: the nested schema of some `<fk>_obj` field pointing at the
 * family when the registry has one (e.g. `provider_obj` → Provider), else the response fields
 * most members share (members may drop a base field, the base serializer still shows it).
 */
function baseSerializerFields(registry: Registry, f: FamilyInfo, members: string[]): { [name: string]: FieldInfo } {
  for (const m of Object.values(registry.models)) {
    for (const [field, ref] of Object.entries(m.references ?? {})) {
      if (ref.family !== f.name || ref.many) continue;
      const nested = m.fields[`${field}_obj`];
      if (nested?.properties && Object.keys(nested.properties).length) return nested.properties;
    }
  }
  const counts = new Map<string, { n: number; fi: FieldInfo }>();
  for (const mem of members) {
    for (const [k, fi] of Object.entries(registry.models[mem]!.fields)) {
      if (fi.writeOnly) continue;
      const c = counts.get(k);
      if (c) c.n++;
      else counts.set(k, { n: 1, fi });
    }
  }
  const out: { [name: string]: FieldInfo } = {};
  for (const [k, c] of counts) if (c.n * 2 > members.length) out[k] = c.fi;
  for (const [k, fi] of Object.entries(FAMILY_EXTRA_BASE[f.name] ?? {})) out[k] ??= fi;
  return out;
}
