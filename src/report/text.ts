// Terraform-like text for plans and apply results: +, ~, -, field-level before → after and a
// summary line. Colour only when asked (the CLI decides from TTY and NO_COLOR). Pure.
import type { ApplyResult, Change, Diagnostic, FieldChange, Plan } from '../model/types.js';
import { escapeControls, locate, renderDiagnostic, sortDiagnostics, type TextLookup } from '../diag/index.js';
import { formatIdentity, formatValue } from './values.js';

export interface TextOptions {
  color: boolean;
  texts: TextLookup;
  /** Also list changes with nothing to do. */
  showNoop?: boolean;
}

const SGR = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', cyan: '\x1b[36m' };
type Paint = (style: keyof typeof SGR, s: string) => string;
const painter =
  (color: boolean): Paint =>
  (style, s) =>
    color ? `${SGR[style]}${s}${SGR.reset}` : s;

/** Everything printed that came from blueprints, servers or sources goes through here. */
const safe = (s: string): string => escapeControls(s, true);

const SYMBOL: Record<Change['action'], string> = { create: '+', update: '~', delete: '-', noop: ' ', conflict: '!' };
const STYLE: Record<Change['action'], keyof typeof SGR> = { create: 'green', update: 'yellow', delete: 'red', noop: 'dim', conflict: 'red' };

function fieldLine(f: FieldChange, paint: Paint): string {
  const name = safe(f.path.replace(/^\//, '').replace(/\//g, '.'));
  const before = safe(formatValue(f.before ?? null, { sensitive: f.sensitive ?? false }));
  const after = safe(formatValue(f.after ?? null, { sensitive: f.sensitive ?? false }));
  if (f.op === 'add') return `      ${paint('green', '+')} ${name}: ${after}`;
  if (f.op === 'remove') return `      ${paint('red', '-')} ${name}: ${before}`;
  return `      ${paint('yellow', '~')} ${name}: ${before} → ${after}`;
}

function changeBlock(c: Change, paint: Paint, texts: TextLookup): string[] {
  const where = c.origin ? paint('dim', `  (${safe(originOf(c, texts))})`) : '';
  const identity = safe(formatIdentity(c.model, c.identifiers, c.pk));
  const kindEnd = identity.indexOf(' ');
  const head = `  ${paint(STYLE[c.action], SYMBOL[c.action])} ${paint('bold', identity.slice(0, kindEnd))}${identity.slice(kindEnd)}${where}`;
  const lines = [head];
  if (c.action === 'conflict' || c.action === 'delete' || (c.action === 'noop' && c.reason)) lines.push(`      ${paint('dim', safe(c.reason))}`);
  for (const f of c.patch) lines.push(fieldLine(f, paint));
  return lines;
}

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const extra = s.conflict ? `, ${s.conflict} in conflict` : '';
  const adopt = plan.adoptions ? `, ${plan.adoptions.length} to adopt` : '';
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete${adopt}${extra}.`;
}

export function renderDiagnosticsText(ds: readonly Diagnostic[], texts: TextLookup, color: boolean): string {
  const paint = painter(color);
  return sortDiagnostics(ds)
    .map((d) => {
      const r = renderDiagnostic(d, texts);
      const sev = d.severity === 'error' ? paint('red', 'error') : d.severity === 'warning' ? paint('yellow', 'warning') : 'info';
      return r.replace(new RegExp(`\\b${d.severity} ${d.code}:`), `${sev} ${d.code}:`);
    })
    .join('\n');
}

export function renderPlanText(plan: Plan, opts: TextOptions): string {
  const paint = painter(opts.color);
  const out: string[] = [];
  const rev = plan.source.revision ? ` @ ${plan.source.revision}` : '';
  out.push(safe(`akbp plan for ${plan.source.uris.join(', ')}${rev} against ${plan.server.url} (authentik ${plan.server.version})`));
  if (plan.diagnostics.length > 0) {
    out.push('');
    out.push(renderDiagnosticsText(plan.diagnostics, opts.texts, opts.color));
  }
  const visible = plan.changes.filter((c) => c.action !== 'noop' || opts.showNoop);
  if (visible.length > 0) {
    out.push('');
    for (const c of visible) out.push(...changeBlock(c, paint, opts.texts));
  } else if (plan.changes.length > 0 || plan.diagnostics.length === 0) {
    out.push('', 'No changes. The server matches the blueprints.');
  }
  if (plan.adoptions) out.push(...adoptionLines(plan, paint));
  out.push('', paint('bold', summaryLine(plan)));
  if (!plan.applyable) out.push(paint('red', 'This plan cannot be applied: fix the errors above.'));
  return `${out.join('\n')}\n`;
}

/** `--adopt`: what apply --adopt records; nothing on the server changes for these. */
function adoptionLines(plan: Plan, paint: Paint): string[] {
  const list = plan.adoptions ?? [];
  if (list.length === 0) return ['', 'Nothing to adopt: the state records every object the entries match.'];
  return [
    '',
    paint(
      'bold',
      `Adopt (${list.length}): objects the entries match that the state does not own; apply --adopt records them (never pruned unless --prune-adopted)`,
    ),
    ...list.map((a) => `  ${paint('cyan', '&')} ${safe(a.identity)}  ${paint('dim', safe(`(${a.key}, pk ${String(a.pk)})`))}`),
  ];
}

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

/** `file:line` of a change: the plan may carry the line, else it is computed from the range. */
export function originOf(c: Change, texts: TextLookup): string {
  if (!c.origin) return '';
  if (c.origin.range) {
    const loc = locate(c.origin.range, texts);
    if (loc) return `${loc.uri}:${loc.line}`;
  }
  return c.origin.line > 0 ? `${c.origin.uri}:${c.origin.line}` : c.origin.uri;
}

export function renderApplyText(result: ApplyResult, plan: Plan, opts: TextOptions): string {
  const paint = painter(opts.color);
  const byKey = new Map(plan.changes.map((c) => [c.key, c]));
  const out: string[] = [];
  const counts: Record<string, number> = {};
  for (const r of result.results) {
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    if (r.status === 'unchanged' || (r.action === 'noop' && r.status === 'applied')) continue;
    const c = byKey.get(r.key);
    const label = safe(c ? formatIdentity(c.model, c.identifiers, c.pk) : `${r.model} ${r.key}`);
    const style: keyof typeof SGR = r.status === 'applied' || r.status === 'rolled-back' ? 'green' : r.status === 'not-attempted' ? 'dim' : 'red';
    out.push(`  ${paint(style, r.status.padEnd(14))} ${r.action.padEnd(7)} ${label}${r.pk !== undefined ? paint('dim', ` (pk ${safe(String(r.pk))})`) : ''}`);
    if (r.diagnostics.length > 0) out.push(indent(renderDiagnosticsText(r.diagnostics, opts.texts, opts.color), '      '));
  }
  if (result.diagnostics.length > 0) out.push('', renderDiagnosticsText(result.diagnostics, opts.texts, opts.color));
  const parts = Object.entries(counts)
    .sort()
    .map(([k, n]) => `${n} ${k}`);
  out.push('', paint('bold', `Apply ${result.phase}: ${parts.join(', ') || 'nothing to do'}; ${result.writes} write request(s).`));
  if (result.adopted !== undefined) out.push(`Adopted ${result.adopted} object(s) into the ownership state.`);
  return `${out.join('\n')}\n`;
}
