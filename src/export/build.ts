// Live objects → portable blueprint entries grouped into files. Pure and deterministic: the same
// objects give the same files whatever their pks, list order or the server they came from.
//   1. every object gets a natural key (slug, name, unique-together fields, binding target+order);
//   2. objects authentik manages itself and runtime data are set aside (referenced, not declared);
//   3. each declared object is placed in exactly one file (flow, application, groups-and-users,
//      or its app label), so no two files ever declare the same object;
//   4. references become `!KeyOf` inside one file and `!Find` on the natural key across files;
//   5. secrets become `!Env`, fields equal to a known default are dropped.
import type { Diagnostic, Json, LiveObject, ModelName } from '../model/index.js';
import type { ModelInfo, ReferenceInfo, Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { diagnose, msg } from '../diag/index.js';
import { EXPORT_CODES } from './codes.js';
import { familyDefaults, KEY_PREFERENCE, MODEL_DEFAULTS, NATURAL_KEYS, runtimeModel, selfManaged, SKIP_FIELDS } from './rules.js';
import { globMatch as globAny } from '../values/index.js';

export class KeyOfRef {
  constructor(readonly id: string) {}
}
export class FindRef {
  constructor(
    readonly model: string,
    readonly query: [string, OutValue][],
  ) {}
}
export class EnvRef {
  constructor(readonly name: string) {}
}
export type OutValue = null | boolean | number | string | KeyOfRef | FindRef | EnvRef | OutValue[] | { [k: string]: OutValue };

export interface ExportEntry {
  model: string;
  id: string;
  identifiers: { [k: string]: OutValue };
  attrs: { [k: string]: OutValue };
  /** Printed above the entry (what was left out and why). */
  comment?: string;
}

export interface ExportFile {
  /** File name without extension, e.g. `flow-default-authentication-flow`. */
  name: string;
  /** Blueprint metadata name. */
  title: string;
  entries: ExportEntry[];
}

export interface BuildOptions {
  /** Also declare objects authentik manages itself (identified by `managed`). */
  includeManaged?: boolean;
  /** Write every readable field, defaults included. */
  allFields?: boolean;
  /** Model name globs (`authentik_flows.*`, `authentik_core.user`); naming a runtime model exports it. */
  models?: string[];
  /** Globs over natural keys; an object matches itself or through the flow/application owning its file. */
  match?: string[];
  singleFile?: boolean;
}

export interface BuildResult {
  files: ExportFile[];
  /** `!Env` variable names written, sorted. */
  env: string[];
  diagnostics: Diagnostic[];
  counts: { exported: number; managed: number; runtime: number; filtered: number };
}

type Status = 'export' | 'managed' | 'runtime' | 'filtered' | 'duplicate';

interface Node {
  info: ModelInfo;
  obj: LiveObject;
  key: string[];
  status: Status;
  file?: string;
  /** The flow or application whose file this is, for --match. */
  owner?: Node;
  id?: string;
}

export function buildExport(objects: ReadonlyMap<string, readonly LiveObject[]>, reg: Registry, opts: BuildOptions = {}): BuildResult {
  return new Builder(objects, reg, opts).run();
}

class Builder {
  private readonly nodes: Node[] = [];
  private readonly byPk = new Map<string, Map<string, Node>>();
  private readonly byPbm = new Map<string, Node>();
  private readonly byUuid = new Map<string, Node>();
  private readonly diagnostics: Diagnostic[] = [];
  private readonly texts = new Map<Node, string>();
  private readonly envNames = new Map<string, string>();

  constructor(
    objects: ReadonlyMap<string, readonly LiveObject[]>,
    private readonly reg: Registry,
    private readonly opts: BuildOptions,
  ) {
    for (const model of [...objects.keys()].sort()) {
      const info = findModel(reg, model);
      if (!info) continue;
      const named = (opts.models ?? []).some((p) => globMatch(p, info.model));
      const index = new Map<string, Node>();
      for (const obj of objects.get(model)!) {
        let status: Status = 'export';
        if (runtimeModel(info) && !named) status = 'runtime';
        else if (!opts.includeManaged && selfManaged(info, obj.body)) status = 'managed';
        const node: Node = { info, obj, key: [], status };
        this.nodes.push(node);
        index.set(String(obj.pk), node);
        if (info.pkType === 'uuid') this.byUuid.set(String(obj.pk), node);
        if (info.isPolicyBindingModel) {
          this.byPbm.set(String(obj.pk), node);
          const pbm = info.pbmField ? obj.body[info.pbmField] : undefined;
          if (typeof pbm === 'string' || typeof pbm === 'number') this.byPbm.set(String(pbm), node);
        }
      }
      this.byPk.set(info.model, index);
    }
    for (const n of this.nodes) n.key = this.naturalKey(n);
  }

  run(): BuildResult {
    this.dropDuplicates();
    this.assignFiles();
    this.applyFilters();
    const files = this.render();
    const count = (s: Status) => this.nodes.filter((n) => n.status === s).length;
    return {
      files,
      env: [...this.envNames.values()].sort(),
      diagnostics: this.diagnostics,
      counts: { exported: count('export'), managed: count('managed'), runtime: count('runtime'), filtered: count('filtered') },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Natural keys

  private naturalKey(n: Node): string[] {
    const { info, obj } = n;
    const has = (f: string) => info.fields[f] !== undefined;
    if (typeof obj.body.managed === 'string' && obj.body.managed !== '') return ['managed'];
    if (info.model === 'authentik_policies.policybinding') {
      const subject = ['policy', 'group', 'user'].find((f) => obj.body[f] !== null && obj.body[f] !== undefined);
      return ['target', 'order', ...(subject ? [subject] : [])];
    }
    const fixed = NATURAL_KEYS[info.model];
    if (fixed && fixed.every(has)) return fixed;
    const unique = info.uniqueFields.filter((f) => has(f) && !['managed', 'uuid', 'pk', 'provider'].includes(f));
    for (const f of KEY_PREFERENCE) if (unique.includes(f)) return [f];
    if (unique.length > 0) return [unique.sort()[0]!];
    if (has('name')) return ['name'];
    const together = info.uniqueTogether.find((set) => set.every(has));
    if (together) return [...together];
    this.diagnostics.push(
      diagnose(EXPORT_CODES.noNaturalKey, 'noKey', { model: info.model, pk: obj.pk }, { detail: msg(EXPORT_CODES.noNaturalKey, 'noKeyDetail', {}) }),
    );
    return ['pk'];
  }

  /** Human-readable natural key, used for ids, env names, ordering and --match. */
  private keyText(n: Node, depth = 0): string {
    const cached = this.texts.get(n);
    if (cached !== undefined) return cached;
    const parts = n.key.map((f) => {
      const v = f === 'pk' ? n.obj.pk : n.obj.body[f];
      const ref = v === undefined ? undefined : this.refOf(n.info, f, v);
      if (ref && v !== null && v !== undefined && !Array.isArray(v) && depth < 4) {
        const t = this.target(ref, v);
        if (t) return this.keyText(t, depth + 1);
      }
      return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
    const text = parts.filter((p) => p !== '').join(' ');
    this.texts.set(n, text);
    return text;
  }

  private target(ref: ReferenceInfo, v: Json): Node | undefined {
    const k = String(v);
    if (ref.policyBindingTarget) return this.byPbm.get(k);
    for (const m of ref.targets) {
      const hit = this.byPk.get(m)?.get(k);
      if (hit) return hit;
    }
    return undefined;
  }

  private dropDuplicates(): void {
    const seen = new Map<string, Node>();
    const sorted = this.nodes.filter((n) => n.status === 'export').sort((a, b) => cmp(a.info.model, b.info.model) || cmp(String(a.obj.pk), String(b.obj.pk)));
    for (const n of sorted) {
      const k = `${n.info.model}\u0000${JSON.stringify(n.key.map((f) => n.obj.body[f] ?? null))}`;
      const first = seen.get(k);
      if (!first) {
        seen.set(k, n);
        continue;
      }
      n.status = 'duplicate';
      this.diagnostics.push(
        diagnose(
          EXPORT_CODES.duplicateKey,
          'twice',
          { model: n.info.model, key: this.keyText(n) },
          { detail: msg(EXPORT_CODES.duplicateKey, 'twiceDetail', { fields: n.key.join(', '), pk: String(n.obj.pk) }) },
        ),
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Files

  private assignFiles(): void {
    const live = this.nodes.filter((n) => n.status === 'export');
    if (this.opts.singleFile) {
      for (const n of live) n.file = 'authentik-export';
      return;
    }
    const of = (model: string) => live.filter((n) => n.info.model === model);
    const family = (name: string) => live.filter((n) => n.info.polymorphicFamily === name);
    /** The flow or application a file is named after. */
    const owners = new Map<string, Node>();
    const place = (n: Node, file: string, owner: Node | undefined = owners.get(file)) => {
      if (n.file) return;
      n.file = file;
      if (owner) n.owner = owner;
      if (owner === n) owners.set(file, n);
    };
    const targetOf = (ref: ReferenceInfo | undefined, v: Json | undefined): Node | undefined =>
      ref && v !== null && v !== undefined ? this.target(ref, v) : undefined;

    for (const f of of('authentik_flows.flow')) place(f, `flow-${slug(String(f.obj.body.slug))}`, f);
    for (const a of of('authentik_core.application')) place(a, `application-${slug(String(a.obj.body.slug))}`, a);
    for (const m of ['authentik_core.group', 'authentik_core.user', 'authentik_rbac.role']) for (const n of of(m)) place(n, 'groups-and-users');

    const fsbInfo = findModel(this.reg, 'authentik_flows.flowstagebinding');
    const stageFiles = new Map<Node, Set<string>>();
    for (const b of of('authentik_flows.flowstagebinding')) {
      const flow = targetOf(fsbInfo?.references.target, b.obj.body.target);
      if (flow?.file) place(b, flow.file);
      const stage = targetOf(fsbInfo?.references.stage, b.obj.body.stage);
      if (stage && b.file) stageFiles.set(stage, new Set([...(stageFiles.get(stage) ?? []), b.file]));
    }
    // A stage bound in one flow lives with that flow; one shared by several flows is shared configuration.
    for (const [stage, files] of stageFiles) if (files.size === 1) place(stage, [...files][0]!);

    // Stages only reachable through a bound stage (an identification stage's password_stage)
    // belong to that stage's flow as well.
    const reached = new Map<Node, Set<string>>();
    for (const st of family('stages')) {
      if (!st.file) continue;
      for (const [field, ref] of Object.entries(st.info.references)) {
        if (ref.family !== 'stages') continue;
        const v = st.obj.body[field];
        for (const x of Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]) {
          const t = targetOf(ref, x);
          if (t && !t.file) reached.set(t, new Set([...(reached.get(t) ?? []), st.file]));
        }
      }
    }
    for (const [stage, files] of reached) if (files.size === 1 && !stageFiles.has(stage)) place(stage, [...files][0]!);

    const appInfo = findModel(this.reg, 'authentik_core.application');
    const providerApps = new Map<Node, Set<Node>>();
    for (const a of of('authentik_core.application')) {
      const refs = appInfo?.references ?? {};
      const ps = [
        targetOf(refs.provider, a.obj.body.provider),
        ...asArray(a.obj.body.backchannel_providers).map((v) => targetOf(refs.backchannel_providers, v)),
      ];
      for (const p of ps) if (p) providerApps.set(p, new Set([...(providerApps.get(p) ?? []), a]));
    }
    for (const [p, apps] of providerApps) if (apps.size === 1) place(p, [...apps][0]!.file!);

    // An application's entitlements are part of it.
    for (const e of of('authentik_core.applicationentitlement')) {
      const app = e.obj.body.app === undefined ? undefined : targetOf(this.refOf(e.info, 'app', e.obj.body.app), e.obj.body.app);
      if (app?.file) place(e, app.file);
    }

    // Prompts go with the prompt stage using them when only one file does.
    const promptFiles = new Map<Node, Set<Node>>();
    for (const s of of('authentik_stages_prompt.promptstage')) {
      if (!s.file) continue;
      for (const v of asArray(s.obj.body.fields)) {
        const p = targetOf(s.info.references.fields, v);
        if (p) promptFiles.set(p, new Set([...(promptFiles.get(p) ?? []), s]));
      }
    }
    const rest = (n: Node) => n.info.appLabel.replace(/^authentik_/, '');
    const bindings = of('authentik_policies.policybinding');
    const policies = family('policies');
    const later = new Set([...bindings, ...policies, ...promptFiles.keys()]);
    for (const n of live) {
      if (n.file || later.has(n)) continue;
      place(n, rest(n));
    }
    for (const [p, stages] of promptFiles) {
      const files = new Set([...stages].map((s) => s.file));
      place(p, files.size === 1 ? [...stages][0]!.file! : rest(p));
    }
    const bindingInfo = findModel(this.reg, 'authentik_policies.policybinding');
    const policyFiles = new Map<Node, Set<Node>>();
    for (const b of bindings) {
      const t = targetOf(bindingInfo?.references.target, b.obj.body.target);
      place(b, t?.file ?? rest(b));
      const p = targetOf(bindingInfo?.references.policy, b.obj.body.policy);
      if (p) policyFiles.set(p, new Set([...(policyFiles.get(p) ?? []), b]));
    }
    for (const p of policies) {
      const bs = [...(policyFiles.get(p) ?? [])];
      const files = new Set(bs.map((b) => b.file));
      place(p, bs.length > 0 && files.size === 1 ? bs[0]!.file! : rest(p));
    }
  }

  private applyFilters(): void {
    const models = this.opts.models ?? [];
    const match = this.opts.match ?? [];
    if (models.length === 0 && match.length === 0) return;
    const matches = (n: Node) => {
      const values = [this.keyText(n), ...n.key.map((f) => String(n.obj.body[f] ?? ''))];
      return match.some((p) => values.some((v) => globMatch(p, v)));
    };
    for (const n of this.nodes) {
      if (n.status !== 'export') continue;
      const modelOk = models.length === 0 || models.some((p) => globMatch(p, n.info.model));
      const matchOk = match.length === 0 || matches(n) || (n.owner !== undefined && n.owner !== n && matches(n.owner));
      if (!modelOk || !matchOk) n.status = 'filtered';
    }
  }

  // -------------------------------------------------------------------------------------------
  // Entries

  private render(): ExportFile[] {
    const byFile = new Map<string, Node[]>();
    for (const n of this.nodes) if (n.status === 'export') byFile.set(n.file!, [...(byFile.get(n.file!) ?? []), n]);
    for (const nodes of byFile.values()) {
      nodes.sort((a, b) => cmp(a.info.model, b.info.model) || cmp(this.keyText(a), this.keyText(b)));
      const used = new Set<string>();
      for (const n of nodes) {
        const base = shorten(slug(`${n.info.modelName} ${this.keyText(n)}`), 100) || n.info.modelName;
        let id = base;
        for (let i = 2; used.has(id); i++) id = `${base}-${i}`;
        used.add(id);
        n.id = id;
      }
    }
    const files: ExportFile[] = [];
    for (const name of [...byFile.keys()].sort()) {
      const nodes = byFile.get(name)!;
      const entries = new Map<Node, ExportEntry>();
      for (const n of nodes) entries.set(n, this.entry(n, name));
      files.push({ name, title: `akbp export: ${name}`, entries: this.order(nodes, entries, name) });
    }
    return files;
  }

  private entry(n: Node, file: string): ExportEntry {
    const { info, obj } = n;
    const identifiers: { [k: string]: OutValue } = {};
    for (const f of n.key) identifiers[f] = f === 'pk' ? obj.pk : this.value(info, f, obj.body[f] ?? null, file);
    const attrs: { [k: string]: OutValue } = {};
    const skip = new Set([...(SKIP_FIELDS[info.model] ?? []), ...info.neverSend, ...n.key]);
    for (const field of Object.keys(info.fields).sort()) {
      const fi = info.fields[field]!;
      if (skip.has(field) || fi.readOnly || field === info.pkField || field === info.pbmField) continue;
      if (info.secretFields.includes(field)) {
        const v = obj.body[field];
        if (fi.writeOnly || (typeof v === 'string' && v !== '')) attrs[field] = new EnvRef(this.envName(n, field));
        continue;
      }
      if (fi.writeOnly || !(field in obj.body)) continue;
      const v = obj.body[field]!;
      if (field === 'managed' && (v === null || v === '')) continue;
      if (!this.opts.allFields && !info.requiredOnCreate.includes(field) && this.isDefault(info, field, v)) continue;
      attrs[field] = this.value(info, field, v, file);
    }
    // Secrets only a detail action sets (a token's key): never readable, so always from the environment.
    for (const [field, bo] of Object.entries(info.blueprintOnlyFields)) {
      if (bo.secret && bo.via !== 'unsupported' && bo.via !== 'set_password' && !(field in attrs)) attrs[field] = new EnvRef(this.envName(n, field));
    }
    const e: ExportEntry = { model: info.model, id: n.id!, identifiers, attrs: sortKeys(attrs) };
    if (info.model === 'authentik_core.user') {
      e.comment = 'password: not exported (authentik never returns it). Add `password: !Env NAME` to set one, or let the user reset it.';
    }
    if (info.blueprintOnlyFields.permissions && info.model !== 'authentik_core.user') {
      e.comment = 'permissions: not exported (the role list does not carry them). Add `permissions: [app.codename, …]` to manage them here.';
    }
    return e;
  }

  private isDefault(info: ModelInfo, field: string, v: Json): boolean {
    const ref = info.references[field];
    if (ref && !ref.many && v === null) return true;
    // Django's own defaults: a nullable field without a default is None, a many-to-many starts
    // empty, and authentik's `attributes` JSON fields are `default=dict` on every model.
    if (v === null && info.fields[field]?.nullable) return true;
    if (info.manyToManyFields.includes(field) && Array.isArray(v) && v.length === 0) return true;
    if (field === 'attributes' && v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return true;
    if (ref && ref.many && Array.isArray(v) && v.length === 0) return true;
    const known = { ...familyDefaults(info), ...(MODEL_DEFAULTS[info.model] ?? {}) };
    if (field in known) return jsonEqual(known[field]!, v);
    const d = info.fields[field]?.default;
    return d !== undefined && jsonEqual(d as Json, v);
  }

  private value(info: ModelInfo, field: string, v: Json, file: string): OutValue {
    const ref = this.refOf(info, field, v);
    if (!ref || v === null) return v;
    if (Array.isArray(v)) {
      const items = v.map((x) => this.reference(info, field, ref, x, file));
      return items
        .map((x) => [sortText(x), x] as const)
        .sort((a, b) => cmp(a[0], b[0]))
        .map(([, x]) => x);
    }
    return this.reference(info, field, ref, v, file);
  }

  private refOf(info: ModelInfo, field: string, v: Json): ReferenceInfo | undefined {
    return info.references[field] ?? this.inferredRef(info, field, v);
  }

  /**
   * A uuid field the registry does not list as a reference (2026.5's `user_property_mappings`,
   * `sync_parent_group`) is one when its values are pks of objects read: uuids are unique across
   * every table, so a hit cannot be a coincidence. Left raw, it would only mean something here.
   */
  private inferredRef(info: ModelInfo, field: string, v: Json): ReferenceInfo | undefined {
    const fi = info.fields[field];
    const uuid = fi?.format === 'uuid' || fi?.items?.format === 'uuid';
    const values = Array.isArray(v) ? v : [v];
    if (!uuid || values.length === 0) return undefined;
    const models = new Set<ModelName>();
    for (const x of values) {
      const hit = typeof x === 'string' ? this.byUuid.get(x) : undefined;
      if (!hit) return undefined;
      models.add(hit.info.model);
    }
    return { targets: [...models].sort(), many: Array.isArray(v), onDelete: 'SET_NULL' };
  }

  private reference(info: ModelInfo, field: string, ref: ReferenceInfo, v: Json, file: string, depth = 0): OutValue {
    const t = this.target(ref, v);
    if (!t) {
      this.diagnostics.push(
        diagnose(
          EXPORT_CODES.danglingReference,
          'notRead',
          { model: info.model, field, value: String(v) },
          { detail: msg(EXPORT_CODES.danglingReference, 'notReadDetail', { targets: ref.targets.join(', ') || 'a policy-binding model' }) },
        ),
      );
      return v;
    }
    if (t.status === 'export' && t.file === file && t.id) return new KeyOfRef(t.id);
    return this.find(t, file, depth);
  }

  private find(t: Node, file: string, depth: number): FindRef {
    const query: [string, OutValue][] = t.key.map((f) => {
      const v = f === 'pk' ? t.obj.pk : (t.obj.body[f] ?? null);
      const ref = this.refOf(t.info, f, v);
      if (ref && v !== null && !Array.isArray(v) && depth < 4) return [f, this.reference(t.info, f, ref, v, file, depth + 1)];
      return [f, v];
    });
    return new FindRef(t.info.model, query);
  }

  private envName(n: Node, field: string): string {
    const key = `${n.info.model}\u0000${this.keyText(n)}\u0000${field}`;
    const known = this.envNames.get(key);
    if (known) return known;
    const base = `AKBP_EXPORT_${slug(`${n.info.modelName} ${this.keyText(n)} ${field}`)
      .replace(/-/g, '_')
      .toUpperCase()}`;
    const taken = new Set(this.envNames.values());
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
    this.envNames.set(key, name);
    return name;
  }

  /** Entries of one file, each after the entries its `!KeyOf`s name (authentik applies a file in order). */
  private order(nodes: Node[], entries: Map<Node, ExportEntry>, file: string): ExportEntry[] {
    const byId = new Map(nodes.map((n) => [n.id!, n]));
    const deps = new Map<Node, Set<Node>>();
    for (const n of nodes) {
      const e = entries.get(n)!;
      const ids = new Set<string>();
      collectKeyOfs(e.identifiers, ids);
      collectKeyOfs(e.attrs, ids);
      deps.set(n, new Set([...ids].map((i) => byId.get(i)!).filter((d) => d && d !== n)));
    }
    const rank = (n: Node) => categoryRank(n.info);
    const key = (n: Node) => `${String(rank(n)).padStart(2, '0')} ${n.info.model} ${this.keyText(n)}`;
    const pending = [...nodes].sort((a, b) => cmp(key(a), key(b)));
    const out: ExportEntry[] = [];
    const done = new Set<Node>();
    while (pending.length > 0) {
      let i = pending.findIndex((n) => [...deps.get(n)!].every((d) => done.has(d)));
      if (i < 0) {
        i = 0;
        this.diagnostics.push(
          diagnose(
            EXPORT_CODES.keyOfCycle,
            'cycle',
            { file, ids: pending.map((n) => n.id).join(', ') },
            { detail: msg(EXPORT_CODES.keyOfCycle, 'cycleDetail', {}) },
          ),
        );
      }
      const [n] = pending.splice(i, 1);
      done.add(n!);
      out.push(entries.get(n!)!);
    }
    return out;
  }
}

function asArray(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

function sortKeys<T>(o: { [k: string]: T }): { [k: string]: T } {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]!]),
  );
}

function categoryRank(info: ModelInfo): number {
  if (info.model === 'authentik_flows.flow') return 0;
  if (info.model === 'authentik_rbac.role') return 1;
  if (info.model === 'authentik_core.group') return 2;
  if (info.model === 'authentik_core.user') return 3;
  if (info.polymorphicFamily === 'propertymappings') return 4;
  if (info.model === 'authentik_stages_prompt.prompt') return 5;
  if (info.polymorphicFamily === 'stages') return 6;
  if (info.model === 'authentik_flows.flowstagebinding') return 7;
  if (info.polymorphicFamily === 'providers') return 8;
  if (info.model === 'authentik_core.application') return 9;
  if (info.polymorphicFamily === 'policies') return 10;
  if (info.model === 'authentik_policies.policybinding') return 11;
  return 12;
}

function collectKeyOfs(v: OutValue, into: Set<string>): void {
  if (v instanceof KeyOfRef) into.add(v.id);
  else if (v instanceof FindRef) for (const [, x] of v.query) collectKeyOfs(x, into);
  else if (Array.isArray(v)) for (const x of v) collectKeyOfs(x, into);
  else if (v !== null && typeof v === 'object' && !(v instanceof EnvRef)) for (const x of Object.values(v)) collectKeyOfs(x, into);
}

function sortText(v: OutValue): string {
  if (v instanceof KeyOfRef) return `keyof ${v.id}`;
  if (v instanceof EnvRef) return `env ${v.name}`;
  if (v instanceof FindRef) return `find ${v.model} ${v.query.map(([k, x]) => `${k}=${sortText(x)}`).join(' ')}`;
  if (Array.isArray(v)) return `[${v.map(sortText).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return JSON.stringify(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortText(v[k]!)]),
    );
  return JSON.stringify(v);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** At most `max` characters, cut at a word boundary. */
function shorten(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max + 1).lastIndexOf('-');
  return s.slice(0, cut > max / 2 ? cut : max);
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `--model`/`--match` patterns: whole string, case-insensitive (names are typed by hand). */
function globMatch(pattern: string, s: string): boolean {
  return globAny(pattern, s, { ignoreCase: true });
}

function jsonEqual(a: Json, b: Json): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k]!)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}
