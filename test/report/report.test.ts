// Plans as people and tools read them: text, Markdown (the PR comment) and JSON, from one sample
// plan that has every kind of change, a deferred value, a secret and a diagnostic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Plan } from '../../src/model/index.js';
import { renderPlan, renderApply, MARKDOWN_MARKER } from '../../src/report/index.js';
import { assertGolden } from '../helpers/golden.js';
import { modelName } from '../helpers/model.js';

const text = `version: 1
entries:
  - model: authentik_core.user
    identifiers: {username: ci-bot}
    attrs: {password: hunter2-canary}
`;
const texts = (uri: string) => (uri === 'examples/users.yaml' ? text : undefined);

export function samplePlan(): Plan {
  return {
    formatVersion: 2,
    createdAt: '2026-11-27T12:00:00.000Z',
    source: { uris: ['examples/'], revision: 'abc123', digest: 'sha256:0000' },
    server: { url: 'https://auth.example.com/api/v3', version: '2023.6.1' },
    changes: [
      {
        key: 'examples/flows.yaml#flow',
        model: modelName('authentik_flows.flow'),
        action: 'create',
        reason: 'no object matches slug=akbp-login',
        identifiers: { slug: 'akbp-login' },
        patch: [
          { path: '/slug', op: 'add', after: 'akbp-login' },
          { path: '/title', op: 'add', after: 'Welcome | <b>team</b>' },
        ],
        order: 0,
        wave: 0,
        origin: { uri: 'examples/flows.yaml', line: 4 },
        dependsOn: [],
      },
      {
        key: 'examples/flows.yaml#1',
        model: modelName('authentik_flows.flowstagebinding'),
        action: 'create',
        reason: 'new',
        identifiers: { target: { $keyOf: 'flow' }, order: 10 },
        patch: [
          { path: '/target', op: 'add', after: { $keyOf: 'flow' } },
          { path: '/order', op: 'add', after: 10 },
        ],
        order: 1,
        wave: 1,
        origin: { uri: 'examples/flows.yaml', line: 12 },
        dependsOn: ['examples/flows.yaml#flow'],
      },
      {
        key: 'examples/users.yaml#0',
        model: modelName('authentik_core.user'),
        action: 'update',
        reason: 'fields differ',
        pk: 7,
        identifiers: { username: 'ci-bot' },
        patch: [
          { path: '/name', op: 'replace', before: 'CI', after: 'CI automation' },
          { path: '/attributes/old', op: 'remove', before: true },
          { path: '/password', op: 'replace', sensitive: true },
        ],
        order: 2,
        wave: 0,
        origin: { uri: 'examples/users.yaml', line: 3 },
        dependsOn: [],
      },
      {
        key: 'examples/old.yaml#0',
        model: modelName('authentik_core.group'),
        action: 'delete',
        reason: 'state: absent',
        pk: 'b6f1c1e2-0000-4000-8000-000000000000',
        identifiers: { name: 'legacy' },
        patch: [],
        order: 3,
        wave: 0,
        origin: { uri: 'examples/old.yaml', line: 9 },
        dependsOn: [],
      },
      {
        key: 'examples/flows.yaml#2',
        model: modelName('authentik_stages_dummy.dummystage'),
        action: 'noop',
        reason: '',
        identifiers: { name: 'unchanged' },
        patch: [],
        order: 4,
        wave: 0,
        dependsOn: [],
      },
    ],
    diagnostics: [
      {
        code: 'AKB2099',
        severity: 'warning',
        summary: 'attr "pasword" is not a field of authentik_core.user',
        detail: 'did you mean "password"?',
        subject: { uri: 'examples/users.yaml', start: text.indexOf('password'), end: text.indexOf('password') + 8 },
      },
    ],
    applyable: true,
    summary: { create: 2, update: 1, delete: 1, noop: 1, conflict: 0 },
  };
}

test('text plan: symbols, before → after, known after apply, sensitive, summary line', () => {
  const out = renderPlan(samplePlan(), { format: 'text', color: false, texts });
  assert.match(out, /\+ flow slug=akbp-login {2}\(examples\/flows\.yaml:4\)/);
  assert.match(out, /- group name=legacy /, 'a deletion names the object as plan headers do');
  assert.match(out, /~ name: "CI" → "CI automation"/);
  assert.match(out, /- attributes\.old: true/);
  assert.match(out, /target: \(known after apply\) ← !KeyOf flow/);
  assert.match(out, /password: \(sensitive\) → \(sensitive\)/);
  assert.match(out, /examples\/users\.yaml:5:13: warning AKB2099/);
  assert.match(out, /Plan: 2 to create, 1 to update, 1 to delete\./);
  assert.doesNotMatch(out, /unchanged/, 'no-op changes are not listed');
  assert.doesNotMatch(out, /\x1b\[/, 'no colour codes when colour is off');
  assertGolden(out, new URL('golden/plan.txt', import.meta.url));
});

test('colour only when asked', () => {
  assert.match(renderPlan(samplePlan(), { format: 'text', color: true, texts }), /\x1b\[32m\+/);
});

test('Markdown plan: sticky marker, summary table, folded details, escaped cells', () => {
  const out = renderPlan(samplePlan(), { format: 'markdown', color: false, texts, mermaid: 'graph TD\n  a --> b\n' });
  assert.ok(out.startsWith(MARKDOWN_MARKER));
  assert.match(out, /\| ➕ create \| flow slug=akbp-login \| examples\/flows\.yaml:4 \|/);
  assert.match(out, /<details><summary>✏️ update <code>user username=ci-bot<\/code>/);
  assert.match(out, /```diff\n- name: "CI"\n\+ name: "CI automation"/);
  assert.match(out, /```mermaid\ngraph TD/);
  const outsideFences = out.split(/```[a-z]*\n[\s\S]*?```/).join('');
  assert.doesNotMatch(outsideFences, /<b>/, 'HTML in values is only shown inside code blocks, where it is not rendered');
  assert.match(out, /\+ title: "Welcome \| <b>team<\/b>"/);
  assertGolden(out, new URL('golden/plan.md', import.meta.url));
});

test('JSON plan round-trips and carries diagnostics with line:col', () => {
  const out = renderPlan(samplePlan(), { format: 'json', color: false, texts });
  const back = JSON.parse(out) as Plan & { diagnostics: { location: { line: number; column: number } }[] };
  assert.equal(back.formatVersion, 2);
  assert.equal(back.changes.length, 5);
  assert.deepEqual(
    (back.changes as unknown as { identity: string }[]).map((c) => c.identity),
    ['flow slug=akbp-login', 'flowstagebinding target=!KeyOf flow order=10', 'user username=ci-bot', 'group name=legacy', 'dummystage name=unchanged'],
  );
  assert.deepEqual(back.changes[1]!.identifiers.target, { $keyOf: 'flow' });
  assert.equal(back.diagnostics[0]!.location.line, 5);
  assertGolden(out, new URL('golden/plan.json', import.meta.url));
});

test('no secret value reaches any rendering', () => {
  const plan = samplePlan();
  for (const format of ['text', 'json', 'markdown'] as const) {
    assert.doesNotMatch(renderPlan(plan, { format, color: false, texts }), /hunter2-canary/);
  }
});

test('apply result lists each change with its status and the write count', () => {
  const plan = samplePlan();
  const out = renderApply(
    {
      phase: 'partial',
      writes: 2,
      diagnostics: [],
      results: [
        { key: plan.changes[0]!.key, model: 'authentik_flows.flow', action: 'create', status: 'applied', pk: 'f1', diagnostics: [] },
        { key: plan.changes[1]!.key, model: 'authentik_flows.flowstagebinding', action: 'create', status: 'failed', diagnostics: [] },
        { key: plan.changes[2]!.key, model: 'authentik_core.user', action: 'update', status: 'not-attempted', diagnostics: [] },
      ],
    },
    plan,
    { format: 'text', color: false, texts },
  );
  assert.match(out, /applied\s+create\s+flow slug=akbp-login \(pk f1\)/);
  assert.match(out, /failed\s+create\s+flowstagebinding target=!KeyOf flow order=10/);
  assert.match(out, /not-attempted\s+update/);
  assert.match(out, /Apply partial: 1 applied, 1 failed, 1 not-attempted; 2 write request\(s\)\./);
});

test('a diagnostic names its related locations with their own file:line:col in text, JSON and Markdown, never as "line N" in the summary', () => {
  const plan = samplePlan();
  const at = (s: string) => ({ uri: 'examples/users.yaml', start: text.indexOf(s), end: text.indexOf(s) + s.length });
  plan.diagnostics = [
    {
      code: 'AKB2006',
      severity: 'error',
      summary: 'Duplicate entry id `ci-bot`',
      subject: at('password'),
      related: [{ range: at('username'), message: '`ci-bot` is first defined here' }],
    },
  ];
  const shown = renderPlan(plan, { format: 'text', color: false, texts });
  assert.match(shown, /examples\/users\.yaml:5:13: error AKB2006: Duplicate entry id `ci-bot`/);
  assert.match(shown, /\n {2}examples\/users\.yaml:4:19: `ci-bot` is first defined here\n(.*\n)?.*> 4 \|.*identifiers: \{username: ci-bot\}/);
  const json = JSON.parse(renderPlan(plan, { format: 'json', color: false, texts })) as {
    diagnostics: { related: { message: string; range: object; location: { line: number; column: number } }[] }[];
  };
  assert.deepEqual(json.diagnostics[0]!.related, [
    {
      range: at('username'),
      message: '`ci-bot` is first defined here',
      location: { file: 'examples/users.yaml', line: 4, column: 19, start: at('username').start, end: at('username').end },
    },
  ]);
  const md = renderPlan(plan, { format: 'markdown', color: false, texts });
  // Cells escape backticks (a blueprint value must not open a code span), so the summary's own ones show escaped.
  assert.match(md, /\| Duplicate entry id \\`ci-bot\\` — examples\/users\.yaml:4:19: \\`ci-bot\\` is first defined here \|/);
  assert.doesNotMatch(shown + md, /hunter2-canary/, 'the code frame of a related location masks secrets too');
});
