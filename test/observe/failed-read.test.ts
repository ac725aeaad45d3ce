// A model the server cannot list (HTTP 500 on its list endpoint, through a real HTTP proxy in
// front of the sandbox) is one error naming the model and the status. The entries that need it
// — its own, a `!Find` on it, a `!KeyOf` to one of them — are listed in that error as blocked,
// not reported again as "not observed", "!KeyOf has no object" or "!Find cannot be answered";
// the rest is still planned, and nothing is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startServer, TOKEN } from '../export/helpers.js';

const BLUEPRINT = `version: 1
entries:
  - model: authentik_core.group
    id: admins
    identifiers: {name: admins}
  - model: authentik_core.user
    identifiers: {username: alice}
    attrs: {name: Alice, groups: [!KeyOf admins]}
  - model: authentik_core.user
    identifiers: {username: bob}
    attrs: {name: Bob, groups: [!Find [authentik_core.group, [name, staff]]]}
  - model: authentik_flows.flow
    identifiers: {slug: independent}
    attrs: {name: F, title: F, designation: authentication}
`;

interface JsonPlan {
  applyable: boolean;
  changes: { action: string; identity: string }[];
  diagnostics: { code: string; severity: string; summary: string; detail?: string }[];
}

test('a 500 while listing one model is one error that lists the entries it blocks, with no follow-on errors', async () => {
  const s = await startServer('2026.5');
  const upstream = new URL(s.url);
  const failing = '/api/v3/core/groups/';
  const proxy = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith(failing)) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"detail": "database is unavailable"}');
      return;
    }
    const fwd = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(fwd);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api/v3`;
  const dir = mkdtempSync(join(tmpdir(), 'akbp-failed-read-'));
  try {
    mkdirSync(join(dir, 'bp'));
    writeFileSync(join(dir, 'bp', 'a.yaml'), BLUEPRINT);
    const common = ['--server', url, '--token', TOKEN, '--state', join(dir, 'state.json')];

    const planned = await runCli(['plan', 'bp', ...common, '--format', 'json'], { cwd: dir });
    assert.equal(planned.code, 1, planned.stderr);
    const plan = JSON.parse(planned.stdout) as JsonPlan;
    const problems = plan.diagnostics.filter((d) => d.severity !== 'info');
    assert.equal(problems.length, 1, JSON.stringify(problems, null, 2));
    const only = problems[0]!;
    assert.equal(only.code, 'AKB4101');
    assert.match(only.summary, /authentik_core\.group/);
    assert.match(only.summary, /\b500\b/);
    assert.match(only.detail ?? '', /3 entries cannot be planned/);
    for (const blocked of ['group name=admins', 'user username=alice', 'user username=bob'])
      assert.match(only.detail ?? '', new RegExp(`^${blocked} \\(bp/a\\.yaml\\)$`, 'm'));
    assert.deepEqual(
      plan.changes.map((c) => `${c.action} ${c.identity}`),
      ['create flow slug=independent'],
      'what does not need the failed model is still planned',
    );
    assert.equal(plan.applyable, false);

    const text = await runCli(['plan', 'bp', ...common], { cwd: dir });
    assert.equal(text.stdout.match(/\berror AKB/g)?.length, 1, text.stdout);
    assert.doesNotMatch(text.stdout, /re-run observe|!Find|!KeyOf|AKB4102/);

    const writesBefore = s.sandbox.requestLog.filter((r) => r.method !== 'GET').length;
    const applied = await runCli(['apply', 'bp', ...common, '--yes'], { cwd: dir });
    assert.notEqual(applied.code, 0, applied.stdout);
    assert.equal(s.sandbox.requestLog.filter((r) => r.method !== 'GET').length, writesBefore, 'nothing is written');
  } finally {
    proxy.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
