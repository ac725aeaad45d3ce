// Renderers: Plan | ApplyResult | Diagnostic[] → string. Plain functions, no I/O.
import type { ApplyResult, Plan } from '../model/types.js';
import type { TextLookup } from '../diag/index.js';
import { renderApplyText, renderPlanText } from './text.js';
import { renderPlanMarkdown } from './markdown.js';
import { applyToJson, planToJson } from './json.js';

export type PlanFormat = 'text' | 'json' | 'markdown';

export interface RenderOptions {
  format: PlanFormat;
  color: boolean;
  texts: TextLookup;
  mermaid?: string;
  showNoop?: boolean;
}

export function renderPlan(plan: Plan, opts: RenderOptions): string {
  if (opts.format === 'json') return planToJson(plan, opts.texts);
  if (opts.format === 'markdown') return renderPlanMarkdown(plan, { texts: opts.texts, ...(opts.mermaid ? { mermaid: opts.mermaid } : {}) });
  return renderPlanText(plan, { color: opts.color, texts: opts.texts, showNoop: opts.showNoop ?? false });
}

export function renderApply(result: ApplyResult, plan: Plan, opts: RenderOptions): string {
  if (opts.format === 'json') return applyToJson(result, opts.texts);
  return renderApplyText(result, plan, { color: opts.color, texts: opts.texts });
}

export { renderDiagnosticsText } from './text.js';
export { diagnosticsToJson, planToJson } from './json.js';
export { MARKDOWN_MARKER } from './markdown.js';
export { formatIdentity, objectLabel, SENSITIVE } from './values.js';
