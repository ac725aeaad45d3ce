// Blueprint values, model names and file names reach terminals and PR comments. A blueprint must
// not be able to clear the screen and print a fake "No changes", nor put links, images or HTML
// into the Markdown summary of a pull request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic, Plan } from '../../src/model/index.js';
import { renderPlan, renderApply, renderDiagnosticsText } from '../../src/report/index.js';
import { codeFrame, renderDiagnostic } from '../../src/diag/index.js';
import { modelName } from '../helpers/model.js';

const ESC = '\x1b';
const hostile = `${ESC}[2J${ESC}[H\x07No changes.\x9b31m\u202e`;

function hostilePlan(): Plan {
  return {
    formatVersion: 2,
    createdAt: '2026-11-27T12:00:00.000Z',
    source: { uris: [`bp${ESC}]0;title\x07.yaml`], revision: `r${ESC}[1m`, digest: 'sha256:0' },
    server: { url: 'https://auth.example.com/api/v3', version: '2026.5' },
    changes: [
      {
        key: 'a.yaml#0',
        model: modelName(`authentik_core.group${ESC}[8m`),
        action: 'create',
        reason: `why${ESC}[2J`,
        identifiers: { name: hostile },
        patch: [
          { path: `/attributes/k${ESC}[2J`, op: 'add', after: hostile },
          {
            path: '/name',
            op: 'add',
            after: `[click](https://evil.example) ![img](https://evil.example/x.png) <img src=x onerror=alert(1)> | \`code\` @admin`,
          },
        ],
        order: 0,
        wave: 0,
        origin: { uri: `a${ESC}[2J.yaml`, line: 3 },
        dependsOn: [],
      },
      {
        key: 'a.yaml#1',
        model: modelName('authentik_core.group'),
        action: 'delete',
        reason: `gone ${hostile}`,
        identifiers: { name: `[x](https://evil.example)` },
        patch: [],
        order: 1,
        wave: 0,
        origin: { uri: 'a.yaml', line: 9 },
        dependsOn: [],
      },
    ],
    diagnostics: [{ code: 'AKB3004', severity: 'error', summary: `!Format: ${hostile}`, detail: `detail ${hostile}` }],
    applyable: false,
    summary: { create: 1, update: 0, delete: 1, noop: 0, conflict: 0 },
  };
}

/** Control characters other than newline, and the bidi overrides, in what a terminal receives. */
function rawControls(s: string, keepSgr: boolean): string[] {
  const cleaned = keepSgr ? s.replace(/\x1b\[(?:0|1|2|31|32|33|36)m/g, '') : s;
  return [...cleaned.matchAll(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g)].map((m) => JSON.stringify(m[0]));
}

test('the text plan shows control characters from blueprints visibly, keeping its own colours', () => {
  for (const color of [false, true]) {
    const out = renderPlan(hostilePlan(), { format: 'text', color, texts: () => undefined });
    assert.deepEqual(rawControls(out, color), [], out);
    assert.match(out, /\\x1b\[2J/);
    if (color) assert.match(out, /\x1b\[32m\+\x1b\[0m/);
  }
});

test('apply output escapes control characters from model names and keys', () => {
  const plan = hostilePlan();
  const out = renderApply(
    {
      phase: 'failed',
      writes: 1,
      diagnostics: [],
      results: [
        { key: `k${ESC}[2J`, model: `m${ESC}[2J`, action: 'create', status: 'failed', diagnostics: [{ code: 'AKB5001', severity: 'error', summary: hostile }] },
      ],
    } as unknown as Parameters<typeof renderApply>[0],
    plan,
    { format: 'text', color: true, texts: () => undefined },
  );
  assert.deepEqual(rawControls(out, true), [], out);
});

test('diagnostics and code frames escape control characters in summaries and source lines', () => {
  const text = `version: 1\nentries:\n  - model: ${ESC}[2J${ESC}[Hauthentik_core.group\n`;
  const start = text.indexOf('authentik_core');
  const d: Diagnostic = { code: 'AKB3001', severity: 'error', summary: `unknown model ${ESC}[2Jx`, subject: { uri: 'a.yaml', start, end: start + 5 } };
  const texts = (u: string) => (u === 'a.yaml' ? text : undefined);
  const out = renderDiagnosticsText([d], texts, true);
  assert.deepEqual(rawControls(out, true), [], out);
  // The caret still sits under the first character of the range, after the escaped prefix.
  const frame = codeFrame(d.subject!, texts).split('\n');
  const src = frame[1]!;
  const caret = frame[2]!;
  assert.equal(src[caret.indexOf('^')], 'a');
  assert.deepEqual(rawControls(renderDiagnostic(d, texts), false), []);
});

test('the Markdown summary renders no links, images, HTML or mentions from blueprint values', () => {
  const md = renderPlan(hostilePlan(), { format: 'markdown', color: false, texts: () => undefined });
  const lines = md.split('\n');
  const cells = (row: string) => row.split(/(?<!\\)\|/).length - 2;
  const tableRows = lines.filter((l) => l.startsWith('| '));
  assert.ok(tableRows.length >= 3);
  for (const [i, row] of lines.entries()) {
    if (!row.startsWith('| ')) continue;
    assert.doesNotMatch(row, /(?<!\\)\[[^\]]*(?<!\\)\]\(/, `a link survived: ${row}`);
    assert.doesNotMatch(row, /<img|<b>|<script/i, row);
    // Each row has as many cells as the header of its table (the first row of the block).
    let head = i;
    while (head > 0 && lines[head - 1]!.startsWith('|')) head--;
    assert.equal(cells(row), cells(lines[head]!), `a pipe split the cells: ${row}`);
  }
  const outsideFences = md.replace(/```diff[\s\S]*?```/g, '');
  assert.doesNotMatch(outsideFences, /(?<!\\)!\[img\]/);
  assert.doesNotMatch(outsideFences, /<img /);
  assert.doesNotMatch(outsideFences, /(?<![\w&#])@admin/);
  assert.deepEqual(rawControls(md, false), []);
  // The source named in backticks cannot break out of its code span.
  const p = hostilePlan();
  p.source.uris = ['x` [a](https://evil.example) `y'];
  const md2 = renderPlan(p, { format: 'markdown', color: false, texts: () => undefined });
  const sourceLine = md2.split('\n').find((l) => l.startsWith('Source '))!;
  assert.doesNotMatch(sourceLine.replace(/<code>.*?<\/code>/g, ''), /\[a\]\(/);
});

test('CLI errors about a source show its control characters visibly', async () => {
  const { runCli } = await import('../helpers/cli.js');
  const r = await runCli(['validate', `missing${ESC}[2J${ESC}[H.yaml`], { cwd: '/nonexistent-akbp-dir' });
  assert.notEqual(r.code, 0);
  assert.deepEqual(rawControls(r.stdout + r.stderr, false), [], r.stderr);
  assert.match(r.stdout + r.stderr, /missing\\x1b\[2J/);
});

test('CLI usage errors echo the offending argument with its control characters visible', async () => {
  const { runCli } = await import('../helpers/cli.js');
  const r = await runCli(['validate', 'x.yaml', '--authentik-version', `9${ESC}[2J${ESC}[H`]);
  assert.equal(r.code, 2, 'a usage error exits 2');
  assert.deepEqual(rawControls(r.stdout + r.stderr, false), [], r.stderr);
  assert.match(r.stderr, /9\\x1b\[2J/);
});
