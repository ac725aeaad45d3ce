// Blueprint model name → REST paths, from the registry of the server's version.
import { findModel, type ModelInfo, type Registry } from '../authentik/registry.js';
import type { ServerAction } from '../model/ports.js';

export interface RestModel {
  info: ModelInfo;
  apiPath: string;
  detailPath: string;
  /** Response field that fills the detail path. */
  lookupField: string;
  /** Response field holding the primary key. */
  pkField: string;
}

/** Throws a plain Error: asking for a model the registry lacks is a caller bug, not an HTTP failure. */
export function restModel(reg: Registry, model: string): RestModel {
  const info = findModel(reg, model);
  if (!info) throw new Error(`model ${model} is not known to authentik ${reg.version}`);
  if (!info.apiPath || !info.detailPath) throw new Error(`model ${model} has no REST resource in authentik ${reg.version}`);
  const pkField = info.pkField ?? 'pk';
  return { info, apiPath: info.apiPath, detailPath: info.detailPath, lookupField: info.lookupField ?? pkField, pkField };
}

export function detailPath(m: RestModel, lookup: string | number): string {
  return fillPath(m.detailPath, m.info.lookupParam, lookup);
}

function fillPath(template: string, param: string | null, value: string | number): string {
  const v = encodeURIComponent(String(value));
  if (param && template.includes(`{${param}}`)) return template.replace(`{${param}}`, v);
  return template.replace(/\{[^}]+\}/, v);
}

export interface ActionCall {
  method: 'GET' | 'POST';
  path: string;
  /** Setting the same value twice leaves the same state, so a lost answer may be retried. */
  idempotent: boolean;
}

/**
 * The detail action for a blueprint-only field. Source icons live on the family endpoint
 * (`/sources/all/{slug}/set_icon_url/`), not on each source type's own path.
 */
export function actionCall(reg: Registry, m: RestModel, action: ServerAction, lookup: string | number): ActionCall {
  let base = detailPath(m, lookup);
  if (action === 'set_icon_url' && m.info.polymorphicFamily) {
    const fam = reg.families[m.info.polymorphicFamily];
    if (fam && fam.path.startsWith('/sources/')) base = fillPath(fam.detailPath, fam.lookupParam, lookup);
  }
  const path = `${base}${action}/`;
  return { method: action === 'view_key' ? 'GET' : 'POST', path, idempotent: true };
}

/** Query string with repeated parameters for arrays; keys sorted so equal queries read alike in logs. */
export type QueryValue = string | number | boolean | (string | number)[];

export function queryString(params: { [k: string]: QueryValue | undefined }): string {
  const parts: string[] = [];
  for (const k of Object.keys(params).sort()) {
    const v = params[k];
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
