// Shared by test/{plan,observe,apply}: an in-memory ServerClient with authentik's semantics that
// matter here (pks, PATCH, set_password, DRF trimming), and a small CompiledEntry builder.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { CompiledEntry, DesiredValue, Json, JsonObject, ListQuery, LiveObject, ServerAction, ServerClient } from '../../src/model/index.js';
import { ApiError } from '../../src/model/index.js';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { findModel, type Registry } from '../../src/authentik/registry.js';
import { modelName } from '../helpers/model.js';

export const reg23: Registry = bundledRegistry('2023.6');
export const reg26: Registry = bundledRegistry('2026.5');

let order = 0;
export function entry(p: Omit<Partial<CompiledEntry>, 'model'> & { model: string; identifiers?: { [k: string]: DesiredValue } }): CompiledEntry {
  const uri = p.origin?.uri ?? 'bp.yaml';
  const n = p.order ?? order++;
  const identifiers = p.identifiers ?? {};
  return {
    key: p.key ?? `${uri}#${p.id ?? n}`,
    ...(p.id !== undefined ? { id: p.id } : {}),
    model: modelName(p.model),
    state: p.state ?? 'present',
    identifiers,
    attrs: p.attrs ?? { ...(identifiers as { [k: string]: DesiredValue }) },
    secrets: p.secrets ?? {},
    conditions: p.conditions ?? [],
    dependsOn: p.dependsOn ?? [],
    wave: p.wave ?? 0,
    order: n,
    origin: p.origin ?? { uri, range: { uri, start: n * 10, end: n * 10 + 5 }, fields: {} },
    source: { kind: 'file', uri, local: true },
  };
}

export interface LoggedRequest {
  method: string;
  model: string;
  pk?: string | number;
  action?: string;
}

/** A fake authentik: objects per model, pks as the registry types them. */
export class FakeServer implements ServerClient {
  readonly baseUrl = 'http://fake/api/v3';
  readonly store = new Map<string, LiveObject[]>();
  readonly log: LoggedRequest[] = [];
  readonly passwords = new Map<string, string>();
  private nextInt = 1000;
  /** Make the next write to this model fail with this 400 body. */
  failNext = new Map<string, JsonObject>();

  constructor(readonly reg: Registry) {}

  private info(model: string) {
    const i = findModel(this.reg, model);
    if (!i) throw new Error(`unknown ${model}`);
    return i;
  }

  seed(model: string, body: JsonObject): LiveObject {
    const info = this.info(model);
    const pkField = info.pkField ?? 'pk';
    const pk = (body[pkField] as string | number | undefined) ?? (info.pkType === 'integer' ? this.nextInt++ : randomUUID());
    const full: JsonObject = { ...body, [pkField]: pk };
    if (info.pbmField && full[info.pbmField] === undefined) full[info.pbmField] = randomUUID();
    const o = { model: info.model, pk, body: full };
    this.store.set(info.model, [...(this.store.get(info.model) ?? []), o]);
    return o;
  }

  writes(): LoggedRequest[] {
    return this.log.filter((r) => r.method !== 'GET');
  }

  async version(): Promise<string> {
    return this.reg.authentikVersion;
  }
  requestCount(): number {
    return this.log.length;
  }
  async close(): Promise<void> {}

  async list(model: string, q?: ListQuery): Promise<LiveObject[]> {
    const info = this.info(model);
    this.log.push({ method: 'GET', model: info.model });
    let objs = this.store.get(info.model) ?? [];
    for (const [k, v] of Object.entries(q?.filters ?? {})) objs = objs.filter((o) => String(o.body[k]) === String(v));
    return objs.map((o) => structuredClone(o));
  }

  private find(model: string, pk: string | number): LiveObject | undefined {
    return (this.store.get(this.info(model).model) ?? []).find((o) => String(o.pk) === String(pk));
  }

  async get(model: string, pk: string | number): Promise<LiveObject | null> {
    this.log.push({ method: 'GET', model: this.info(model).model, pk });
    const o = this.find(model, pk);
    return o ? structuredClone(o) : null;
  }

  private clean(model: string, body: JsonObject): JsonObject {
    const info = this.info(model);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(body)) {
      if (!info.fields[k] || info.readOnlyFields.includes(k)) continue;
      out[k] = typeof v === 'string' && info.fields[k]!.type === 'string' ? v.trim() : v;
    }
    return out;
  }

  private maybeFail(method: string, model: string): void {
    const f = this.failNext.get(model);
    if (f) {
      this.failNext.delete(model);
      throw new ApiError(400, method, this.info(model).apiPath!, f);
    }
  }

  async create(model: string, body: JsonObject): Promise<LiveObject> {
    const info = this.info(model);
    this.log.push({ method: 'POST', model: info.model });
    this.maybeFail('POST', info.model);
    const uniq = info.uniqueFields.find((f) => body[f] !== undefined && (this.store.get(info.model) ?? []).some((o) => o.body[f] === body[f]));
    if (uniq) throw new ApiError(400, 'POST', info.apiPath!, { [uniq]: [`${info.verboseName} with this ${uniq} already exists.`] });
    return structuredClone(this.seed(info.model, this.clean(model, body)));
  }

  async patch(model: string, pk: string | number, body: JsonObject): Promise<LiveObject> {
    const info = this.info(model);
    this.log.push({ method: 'PATCH', model: info.model, pk });
    this.maybeFail('PATCH', info.model);
    const o = this.find(model, pk);
    if (!o) throw new ApiError(404, 'PATCH', info.detailPath!, { detail: 'Not found.' });
    Object.assign(o.body, this.clean(model, body));
    return structuredClone(o);
  }

  async delete(model: string, pk: string | number): Promise<void> {
    const info = this.info(model);
    this.log.push({ method: 'DELETE', model: info.model, pk });
    this.store.set(
      info.model,
      (this.store.get(info.model) ?? []).filter((o) => String(o.pk) !== String(pk)),
    );
  }

  async action(model: string, pk: string | number, action: ServerAction, body?: JsonObject): Promise<Json> {
    const info = this.info(model);
    this.log.push({ method: action === 'view_key' ? 'GET' : 'POST', model: info.model, pk, action });
    const o = this.find(model, pk);
    if (!o) throw new ApiError(404, 'POST', info.detailPath!, { detail: 'Not found.' });
    if (action === 'set_password') {
      this.passwords.set(String(pk), String(body?.password));
      if (info.fields.password_change_date) o.body.password_change_date = new Date(Date.now() + this.log.length).toISOString();
    } else if (action === 'set_key') this.passwords.set(`key:${pk}`, String(body?.key));
    else if (action === 'set_icon_url') o.body.meta_icon = body?.url ?? null;
    else if (action === 'set_background_url') o.body.background = body?.url ?? null;
    return null;
  }
}

export const digest = (k: string, f: string, v: string): string => `d(${k}|${f}|${v.length}|${[...v].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7)})`;

import { observe } from '../../src/observe/index.js';
import { plan, type PlanInput } from '../../src/plan/index.js';
import { apply } from '../../src/apply/index.js';
import { emptyState, type OwnershipState } from '../../src/state/index.js';
import type { Plan } from '../../src/model/index.js';

export const NOW = new Date('2026-11-27T12:00:00Z');

const ajv = new Ajv.default({ allErrors: true, strict: false });
addFormats.default(ajv);
/** Every plan a test makes must match the published schema. */
export const validatePlan = ajv.compile(JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8')) as object);

export async function planAgainst(
  entries: CompiledEntry[],
  server: ServerClient,
  reg: Registry,
  opts: { state?: OwnershipState; options?: Partial<PlanInput['options']>; dropped?: PlanInput['dropped'] } = {},
): Promise<Plan> {
  const state = opts.state ?? emptyState();
  const { snapshot } = await observe(entries, server, reg, { state });
  const p = plan({
    entries,
    dropped: opts.dropped ?? [],
    snapshot,
    registry: reg,
    state,
    now: NOW,
    source: { uris: ['bp.yaml'], digest: 'sha256:0' },
    server: { url: server.baseUrl, version: reg.authentikVersion },
    options: { secretDigest: digest, ...(opts.options ?? {}) },
  });
  if (!validatePlan(JSON.parse(JSON.stringify(p)))) throw new Error(`plan does not match schemas/plan.schema.json: ${JSON.stringify(validatePlan.errors)}`);
  return p;
}

/** observe → plan → apply, returning everything a test may assert on. */
export async function reconcile(
  entries: CompiledEntry[],
  server: ServerClient,
  reg: Registry,
  opts: { state?: OwnershipState; options?: Partial<PlanInput['options']>; rollback?: boolean } = {},
) {
  const state = opts.state ?? emptyState();
  const p = await planAgainst(entries, server, reg, { state, ...(opts.options ? { options: opts.options } : {}) });
  const { result, state: next } = await apply(p, server, {
    registry: reg,
    entries,
    state,
    secretDigest: digest,
    now: () => NOW,
    ...(opts.rollback ? { rollbackOnFailure: true } : {}),
  });
  return { plan: p, result, state: next };
}
