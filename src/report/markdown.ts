// Markdown for a pull-request comment: a hidden marker (so CI can update one sticky comment),
// a summary table, then one folded section per object with its field changes. Pure.
import type { Change, Plan } from '../model/types.js';
import { escapeControls, formatLocation, sortDiagnostics, type TextLookup } from '../diag/index.js';
import { formatIdentity, formatValue } from './values.js';
import { originOf, summaryLine } from './text.js';

export const MARKDOWN_MARKER = '<!-- akbp-plan -->';

export interface MarkdownOptions {
  texts: TextLookup;
  /** A Mermaid dependency graph to embed (from `akbp graph`). */
  mermaid?: string;
}

const ICON: Record<Change['action'], string> = { create: '➕ create', update: '✏️ update', delete: '🗑️ delete', noop: 'no change', conflict: '⚠️ conflict' };

/**
 * Text from blueprints in a table cell or paragraph: rendered as the literal text, never as a
 * link, image, HTML, code span or @-mention (a blueprint value must not ping people or
 * show pictures in a pull request), on one line so it cannot end the table row.
 */
function cell(s: string): string {
  return escapeControls(s, true)
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;')
    .replace(/[|`[\]]/g, (c) => `\\${c}`)
    .replace(/\n/g, ' ');
}

function code(s: string): string {
  return `<code>${escapeControls(s, true).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/@/g, '&#64;')}</code>`;
}

/** A code span for our own headings: backticks when the text has none, else the HTML form. */
function span(s: string): string {
  return /^[^`<&@\n]*$/.test(s) && !/[\x00-\x1f\x7f-\x9f]/.test(s) ? `\`${s}\`` : code(s);
}

function diffLines(c: Change): string[] {
  const lines: string[] = [];
  for (const f of c.patch) {
    const name = f.path.replace(/^\//, '').replace(/\//g, '.');
    const sens = { sensitive: f.sensitive ?? false };
    if (f.op === 'add') lines.push(`+ ${name}: ${formatValue(f.after ?? null, sens)}`);
    else if (f.op === 'remove') lines.push(`- ${name}: ${formatValue(f.before ?? null, sens)}`);
    else lines.push(`- ${name}: ${formatValue(f.before ?? null, sens)}`, `+ ${name}: ${formatValue(f.after ?? null, sens)}`);
  }
  return lines;
}

export function renderPlanMarkdown(plan: Plan, opts: MarkdownOptions): string {
  const out: string[] = [MARKDOWN_MARKER];
  // Files blocked by their errors leave the plan applyable for the others, but the run failed.
  const errors = plan.diagnostics.filter((d) => d.severity === 'error').length;
  const status = plan.applyable && errors === 0 ? (plan.summary.create + plan.summary.update + plan.summary.delete === 0 ? '✅' : '📋') : '❌';
  const failed = errors > 0 ? ` failed (${errors} error${errors === 1 ? '' : 's'})` : '';
  out.push(`### ${status} akbp plan${failed}: ${summaryLine(plan).replace(/^Plan: /, '')}`);
  const rev = plan.source.revision ? ` at ${span(plan.source.revision)}` : '';
  out.push('', `Source ${plan.source.uris.map((u) => span(u)).join(', ')}${rev} · server ${span(plan.server.url)} (authentik ${cell(plan.server.version)})`);

  const diags = sortDiagnostics(plan.diagnostics);
  if (diags.length > 0) {
    out.push('', '| severity | code | where | problem |', '|---|---|---|---|');
    for (const d of diags) {
      const where = d.subject ? formatLocation(d.subject, opts.texts) : '';
      const related = (d.related ?? []).map((r) => ` — ${cell(formatLocation(r.range, opts.texts))}: ${cell(r.message)}`).join('');
      out.push(`| ${d.severity} | ${d.code} | ${cell(where)} | ${cell(d.summary)}${d.detail ? ` — ${cell(d.detail)}` : ''}${related} |`);
    }
  }

  const changes = plan.changes.filter((c) => c.action !== 'noop');
  if (changes.length === 0) {
    out.push('', 'No changes. The server matches the blueprints.');
  } else {
    out.push('', '| action | object | origin |', '|---|---|---|');
    for (const c of changes) {
      const origin = originOf(c, opts.texts);
      out.push(`| ${ICON[c.action]} | ${cell(formatIdentity(c.model, c.identifiers, c.pk))} | ${cell(origin)} |`);
    }
    out.push('');
    for (const c of changes) {
      out.push(`<details><summary>${ICON[c.action]} ${code(formatIdentity(c.model, c.identifiers, c.pk))}</summary>`, '');
      if (c.reason) out.push(cell(c.reason), '');
      const lines = diffLines(c);
      if (lines.length > 0) out.push('```diff', ...lines.map((l) => escapeControls(l, true).replace(/```/g, '`\u200b``')), '```', '');
      out.push('</details>');
    }
  }
  if (plan.adoptions?.length) {
    out.push(
      '',
      `**Adopt (${plan.adoptions.length})**: objects the entries match that the state does not own; \`apply --adopt\` records them.`,
      '',
      '| entry | object | pk |',
      '|---|---|---|',
    );
    for (const a of plan.adoptions) out.push(`| ${cell(a.key)} | ${cell(a.identity)} | ${cell(String(a.pk))} |`);
  }
  if (opts.mermaid) out.push('', '<details><summary>Dependency graph</summary>', '', '```mermaid', opts.mermaid.trimEnd(), '```', '', '</details>');
  return `${out.join('\n')}\n`;
}
