// Rollback under injected faults: the real CLI applies two blueprints to a sandbox over HTTP while
// the sandbox fails chosen requests. After each run the server's objects are compared with the
// before-image and with what the report says: a user must be able to trust the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { prng } from '../../src/sandbox/faults.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const TOKEN = 'rollback-faults-token-5be1c07a';
const registry = bundledRegistry('2026.5');

const files = {
  'a-independent.yaml': `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: independent}
`,
  'b-service.yaml': `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: b-one}
  - model: authentik_core.group
    identifiers: {name: b-existing}
    attrs: {attributes: {tier: platinum}}
  - model: authentik_core.group
    identifiers: {name: b-two}
  - model: authentik_core.group
    identifiers: {name: b-three}
`,
  'c-later.yaml': `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: c-later}
`,
};

/** Group name → attributes, as the server holds them; a name held twice shows up twice. */
type Groups = Record<string, unknown>;

interface State {
  objects: Record<string, { pk: unknown; adopted: boolean }>;
  pending?: Record<string, unknown>;
}

interface Applied extends CliRun {
  out: string;
  /** Writes the sandbox answered, as `METHOD path status` (0 = connection reset). */
  writes: string[];
}

interface World {
  sb: Sandbox;
  url: string;
  before: Groups;
  apply(extra?: string[]): Promise<Applied>;
  groups(): Groups;
  pk(name: string): string;
  state(): State;
  close(): Promise<void>;
}

function groupsOf(sb: Sandbox): Groups {
  const snap = sb.snapshot() as { records: { model: string; data: { name?: string; attributes?: unknown } }[] };
  const out: Groups = {};
  for (const r of snap.records) {
    if (r.model !== 'authentik_core.group') continue;
    const n = String(r.data.name);
    out[n in out ? `${n} (again)` : n] = r.data.attributes ?? null;
  }
  return out;
}

/** A sandbox over HTTP holding one group the blueprint updates, and the blueprints on disk. */
async function world(faults: Partial<SandboxOptions> = {}): Promise<World> {
  const d = mkdtempSync(join(tmpdir(), 'akbp-faults-'));
  const sb = await createSandbox({ registry, token: TOKEN, ...faults });
  const http = await sb.listen('127.0.0.1', 0);
  const admin = createClient({ baseUrl: http.url, token: TOKEN, registry });
  await admin.create('authentik_core.group', { name: 'b-existing', attributes: { tier: 'gold' } });
  await admin.close();
  mkdirSync(join(d, 'bp'));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(d, 'bp', n), t);
  const env = { PATH: process.env.PATH, HOME: d, CI: 'true' };
  return {
    sb,
    url: http.url,
    before: groupsOf(sb),
    apply: async (extra = []) => {
      sb.clearLog();
      const args = ['apply', '--server', http.url, '--token', TOKEN, '--state', join(d, 'state.json'), '--concurrency', '1', 'bp', '--yes', ...extra];
      const r = await runCli(args, { cwd: d, env });
      const out = r.stdout + r.stderr;
      assert.ok(!out.includes(TOKEN), 'the token never appears in the output');
      return { ...r, out, writes: sb.requestLog.filter((l) => l.method !== 'GET').map((l) => `${l.method} ${l.path} ${l.status}`) };
    },
    groups: () => groupsOf(sb),
    pk: (name) => {
      const snap = sb.snapshot() as { records: { model: string; pk: string; data: { name?: string } }[] };
      const r = snap.records.find((x) => x.model === 'authentik_core.group' && x.data.name === name);
      assert.ok(r, `${name} exists on the server`);
      return r.pk;
    },
    state: () => JSON.parse(readFileSync(join(d, 'state.json'), 'utf8')) as State,
    close: async () => {
      await http.close();
      rmSync(d, { recursive: true, force: true });
    },
  };
}

/**
 * The report and the server agree: a group the server holds differently from the before-image is
 * one the report says stayed (applied, or not undone), and one it says stayed did change. A
 * create whose answer was lost may be either, and the report says so.
 */
function assertReportNamesServer(w: World, out: string): void {
  const after = w.groups();
  for (const n of new Set([...Object.keys(w.before), ...Object.keys(after)])) {
    assert.ok(!n.endsWith('(again)'), `${n}: nothing is created twice\n${out}`);
    if (out.includes(`name=${n} may have been created`)) continue;
    const changed = JSON.stringify(w.before[n]) !== JSON.stringify(after[n]);
    const stays = new RegExp(`^\\s+(applied|rollback-failed)\\s+\\w+\\s+group name=${n}( |$)`, 'm').test(out);
    assert.equal(stays, changed, `${n}: the server ${changed ? 'changed' : 'did not change'} but the report says it ${stays ? 'stayed' : 'did not'}\n${out}`);
  }
}

const key = (file: string, name: string) => `${file}#authentik_core.group[name=${name}]`;
/** The result line of one object in the apply report. */
const line = (status: string, action: string, name: string) => new RegExp(`${status}\\s+${action}\\s+group name=${name}\\b`);

test('a write that keeps failing with 500 rolls its blueprint back to the before-image; later blueprints are not attempted', async () => {
  const w = await world();
  try {
    // The 4th write is b-two's create; the client looks after a 500 and sends it once more.
    w.sb.injectFault({ nth: 4, times: 2, kind: '500' });
    const r = await w.apply();
    assertReportNamesServer(w, r.out);
    assert.equal(r.code, 1, r.out);
    assert.deepEqual(w.groups(), { ...w.before, independent: {} }, 'b-service.yaml left nothing behind, a-independent.yaml stays');
    assert.match(r.out, line('applied', 'create', 'independent'));
    assert.match(r.out, line('rolled-back', 'create', 'b-one'));
    assert.match(r.out, line('rolled-back', 'update', 'b-existing'));
    assert.match(r.out, line('failed', 'create', 'b-two'));
    assert.match(r.out, line('not-attempted', 'create', 'b-three'));
    assert.match(r.out, line('not-attempted', 'create', 'c-later'));
    assert.match(r.out, /b-service\.yaml:8:\d+: error AKB5009: .*POST \/core\/groups\/ → 500/);
    assert.match(r.out, /AKB5014: rolled back 2 applied change\(s\) of bp\/b-service\.yaml/);
    // 4 writes, then the rollback's 2 (the client's resend of a POST is one write).
    assert.match(r.out, /; 6 write request\(s\)/, 'the count includes the rollback’s writes');
  } finally {
    await w.close();
  }
});

test('a rolled-back update does not leave its object recorded as adopted', async () => {
  const w = await world();
  try {
    w.sb.injectFault({ nth: 4, times: 2, kind: '500' });
    const r = await w.apply();
    assertReportNamesServer(w, r.out);
    assert.match(r.out, line('rolled-back', 'update', 'b-existing'));
    // Recorded as adopted, `--prune-adopted` would later delete an object akbp never owned.
    assert.deepEqual(Object.keys(w.state().objects).sort(), [key('a-independent.yaml', 'independent')], 'only what stays is recorded');
  } finally {
    await w.close();
  }
});

test('a 500 on a write is not reported as a lost connection', async () => {
  const w = await world();
  try {
    w.sb.injectFault({ nth: 4, times: 2, kind: '500' });
    const r = await w.apply();
    assertReportNamesServer(w, r.out);
    assert.doesNotMatch(r.out, /connection failed/i, r.out);
    assert.match(r.out, /answered 500/);
    // The error names the object as the plan does, not by its internal entry key.
    assert.match(r.out, /error AKB5009: group name=b-two: POST \/core\/groups\/ → 500/);
    assert.doesNotMatch(r.out, /AKB5009: \S+\.yaml#/);
  } finally {
    await w.close();
  }
});

test('a create whose answer is lost after it landed is named as possibly on the server, and the next apply takes it as akbp’s', async () => {
  const w = await world();
  try {
    // The POST lands, its answer is lost, and every look for it fails too (the observe list was the 1st GET).
    w.sb.injectFault({ method: 'POST', body: /"b-two"/, kind: 'reset', phase: 'after' });
    w.sb.injectFault({ method: 'GET', path: /^\/core\/groups\/\?/, nth: 2, times: 99, kind: 'reset' });
    const r = await w.apply();
    assertReportNamesServer(w, r.out);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, line('failed', 'create', 'b-two'));
    assert.match(r.out, /AKB5009: .*POST \/core\/groups\/ → 0/);
    assert.deepEqual(w.groups(), { ...w.before, independent: {}, 'b-two': {} }, 'the server holds what landed, nothing else of b-service.yaml');
    // The report must say so: the rollback cannot claim the server is back to before.
    assert.match(r.out, /error AKB5007: group name=b-two may have been created .*not undone/);
    assert.match(r.out, /Apply partial/);
    assert.ok(w.state().pending?.[key('b-service.yaml', 'b-two')], 'the create stays announced for the next run');

    w.sb.clearFaults();
    const again = await w.apply();
    assert.equal(again.code, 0, again.out);
    assert.deepEqual(w.groups(), { ...w.before, independent: {}, 'b-one': {}, 'b-existing': { tier: 'platinum' }, 'b-two': {}, 'b-three': {}, 'c-later': {} });
    assert.equal(w.state().objects[key('b-service.yaml', 'b-two')]?.adopted, false, 'the object the lost create made is akbp’s, not adopted');
    assert.equal(w.state().pending, undefined);
  } finally {
    await w.close();
  }
});

test('a create that landed although its answer was lost is found and undone by rollback', async () => {
  const w = await world();
  try {
    // The client's own looks after the lost POST fail (1 try + 4 retries); the rollback looks once more.
    w.sb.injectFault({ method: 'POST', body: /"b-two"/, kind: 'reset', phase: 'after' });
    w.sb.injectFault({ method: 'GET', path: /^\/core\/groups\/\?/, nth: 2, times: 5, kind: 'reset' });
    const r = await w.apply();
    assertReportNamesServer(w, r.out);
    assert.equal(r.code, 1, r.out);
    assert.deepEqual(w.groups(), { ...w.before, independent: {} }, 'b-service.yaml left nothing behind');
    assert.match(r.out, /AKB5014: group name=b-two: the failed create had landed after all \(pk [^)]+\); deleted/);
    assert.match(r.out, /AKB5014: rolled back 2 applied change\(s\) of bp\/b-service\.yaml/);
    assert.doesNotMatch(r.out, /AKB5007/);
    assert.equal(w.state().pending, undefined, 'nothing left announced');
    assert.deepEqual(Object.keys(w.state().objects), [key('a-independent.yaml', 'independent')]);
  } finally {
    await w.close();
  }
});

test('a lost create that was its blueprint’s first write is looked for and undone too', async () => {
  const w = await world();
  try {
    w.sb.injectFault({ method: 'POST', body: /"b-one"/, kind: 'reset', phase: 'after' });
    w.sb.injectFault({ method: 'GET', path: /^\/core\/groups\/\?/, nth: 2, times: 5, kind: 'reset' });
    const r = await w.apply();
    assertReportNamesServer(w, r.out);
    assert.equal(r.code, 1, r.out);
    assert.deepEqual(w.groups(), { ...w.before, independent: {} }, 'b-service.yaml left nothing behind');
    assert.match(r.out, /AKB5014: group name=b-one: the failed create had landed after all \(pk [^)]+\); deleted/);
    assert.equal(w.state().pending, undefined, 'nothing left announced');
  } finally {
    await w.close();
  }
});

test('an update answered 500 after it landed is reported as uncertain and set back by rollback', async () => {
  const w = await world();
  try {
    w.sb.injectFault({ method: 'PATCH', kind: '500', phase: 'after' });
    const r = await w.apply();
    assertReportNamesServer(w, r.out);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, line('failed', 'update', 'b-existing'));
    assert.match(r.out, /b-service\.yaml:5:\d+: error AKB5009: .*PATCH \/core\/groups\/[^ ]+ → 500/);
    assert.deepEqual(w.groups(), { ...w.before, independent: {} }, 'the write that landed is undone with the rest of b-service.yaml');
  } finally {
    await w.close();
  }
});

test('a connection reset on an update is retried: applied once, nothing rolled back', async () => {
  const w = await world();
  try {
    w.sb.injectFault({ method: 'PATCH', kind: 'reset', phase: 'after' });
    const r = await w.apply();
    assertReportNamesServer(w, r.out);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(
      r.writes.filter((x) => x.startsWith('PATCH')).map((x) => x.split(' ')[2]),
      ['0', '200'],
    );
    assert.deepEqual(w.groups(), { ...w.before, independent: {}, 'b-one': {}, 'b-existing': { tier: 'platinum' }, 'b-two': {}, 'b-three': {}, 'c-later': {} });
    assert.doesNotMatch(r.out, /AKB5014|AKB5007/);
  } finally {
    await w.close();
  }
});

test('a delete that fails during rollback is named by identity and pk, with the commands to finish', async () => {
  const w = await world();
  try {
    w.sb.injectFault({ method: 'POST', body: /"b-three"/, times: 2, kind: '500' });
    // Rollback runs in reverse: its first delete is b-two's.
    w.sb.injectFault({ method: 'DELETE', kind: '500' });
    const r = await w.apply();
    assertReportNamesServer(w, r.out);
    assert.equal(r.code, 1, r.out);
    const pk = w.pk('b-two');
    assert.deepEqual(w.groups(), { ...w.before, independent: {}, 'b-two': {} }, 'everything else of b-service.yaml was undone');
    assert.match(r.out, line('rollback-failed', 'create', 'b-two'));
    assert.match(r.out, line('rolled-back', 'create', 'b-one'));
    assert.match(r.out, line('rolled-back', 'update', 'b-existing'));
    assert.match(r.out, new RegExp(`error AKB5007: group name=b-two \\(pk ${pk}\\) was not deleted: DELETE /core/groups/${pk}/ → 500`));
    assert.ok(r.out.includes(`DELETE ${w.url}/api/v3/core/groups/${pk}/`), 'says how to delete it by hand');
    assert.match(r.out, /re-run `akbp apply`/);
    assert.match(r.out, /tried to roll back 3 applied change\(s\)/);
    assert.match(r.out, /Apply partial/);
    // Still recorded as akbp's: a re-run finishes the blueprint with it, a prune can remove it.
    assert.equal(w.state().objects[key('b-service.yaml', 'b-two')]?.adopted, false);
    assert.equal(w.state().objects[key('b-service.yaml', 'b-one')], undefined);

    w.sb.clearFaults();
    const again = await w.apply();
    assert.equal(again.code, 0, again.out);
    assert.deepEqual(w.groups(), { ...w.before, independent: {}, 'b-one': {}, 'b-existing': { tier: 'platinum' }, 'b-two': {}, 'b-three': {}, 'c-later': {} });
  } finally {
    await w.close();
  }
});

test('an update that cannot be set back during rollback names the fields it left, never their values', async () => {
  const w = await world();
  try {
    w.sb.injectFault({ method: 'POST', body: /"b-three"/, times: 2, kind: '500' });
    // The 2nd PATCH is the rollback's patch-back of b-existing.
    w.sb.injectFault({ method: 'PATCH', nth: 2, kind: '500' });
    const r = await w.apply();
    assertReportNamesServer(w, r.out);
    assert.equal(r.code, 1, r.out);
    const pk = w.pk('b-existing');
    assert.deepEqual(w.groups(), { ...w.before, independent: {}, 'b-existing': { tier: 'platinum' } });
    assert.match(r.out, line('rollback-failed', 'update', 'b-existing'));
    assert.match(r.out, new RegExp(`error AKB5007: group name=b-existing \\(pk ${pk}\\): attributes not set back: PATCH /core/groups/${pk}/ → 500`));
    assert.ok(r.out.includes(`PATCH ${w.url}/api/v3/core/groups/${pk}/`), 'says where to set it back by hand');
    assert.doesNotMatch(r.out.slice(r.out.indexOf('AKB5007')), /gold/, 'the before-image value is not printed');
  } finally {
    await w.close();
  }
});

test('a connection reset during rollback is retried and the rollback completes', async () => {
  const w = await world();
  try {
    w.sb.injectFault({ method: 'POST', body: /"b-three"/, times: 2, kind: '500' });
    w.sb.injectFault({ method: 'DELETE', kind: 'reset', phase: 'after' });
    const r = await w.apply();
    assertReportNamesServer(w, r.out);
    assert.equal(r.code, 1, r.out);
    assert.deepEqual(w.groups(), { ...w.before, independent: {} });
    assert.match(r.out, line('rolled-back', 'create', 'b-two'));
    assert.match(r.out, /Apply rolled-back|AKB5014: rolled back 3/);
    assert.doesNotMatch(r.out, /AKB5007/);
  } finally {
    await w.close();
  }
});

test('429 and 503 on writes are retried until they succeed: nothing rolled back, nothing twice', async () => {
  const w = await world();
  try {
    w.sb.injectFault({ nth: 3, kind: '429' });
    w.sb.injectFault({ nth: 4, kind: '503' });
    const r = await w.apply();
    assertReportNamesServer(w, r.out);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(
      r.writes.map((x) => x.split(' ')[2]),
      ['201', '201', '429', '503', '200', '201', '201', '201'],
    );
    assert.deepEqual(w.groups(), { ...w.before, independent: {}, 'b-one': {}, 'b-existing': { tier: 'platinum' }, 'b-two': {}, 'b-three': {}, 'c-later': {} });
    assert.match(r.out, /Apply succeeded/);
    assert.doesNotMatch(r.out, /AKB5014|AKB500\d/);
  } finally {
    await w.close();
  }
});

test('under seeded random faults on every request the report names exactly what changed on the server', async () => {
  const outcomes: string[] = [];
  for (const seed of [3, 11, 19, 27, 35, 43]) {
    const w = await world();
    try {
      // Faults start after the fixture: any request of the apply may fail, reads included.
      const rand = prng(seed);
      for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
        for (let nth = 1; nth <= 30; nth++) {
          if (rand() >= 0.3) continue;
          const kind = (['500', '503', '429', 'reset'] as const)[Math.floor(rand() * 4)]!;
          // authentik throttles before the view runs: a 429 never follows a write.
          const phase = kind === '429' || rand() < 0.5 ? 'before' : 'after';
          w.sb.injectFault({ method, nth, times: 1 + Math.floor(rand() * 3), kind, phase });
        }
      }
      const r = await w.apply();
      outcomes.push(`${seed}: ${r.out.split('\n').find((l) => l.startsWith('Apply')) ?? r.stderr.trim().split('\n')[0]}`);
      assertReportNamesServer(w, r.out);
    } finally {
      await w.close();
    }
  }
  // The seeds cover a clean run, a rollback and a run stopped before writing.
  assert.ok(
    outcomes.some((o) => /Apply succeeded/.test(o)),
    outcomes.join('\n'),
  );
  assert.ok(
    outcomes.some((o) => /Apply partial/.test(o)),
    outcomes.join('\n'),
  );
  assert.ok(
    outcomes.some((o) => /Apply failed|akbp: /.test(o)),
    outcomes.join('\n'),
  );
});

// ── Permission grants: the assign endpoint only adds, so rollback takes back what it added ──
const GRANTS = `version: 1
entries:
  - model: authentik_rbac.role
    id: auditors
    identifiers: {name: auditors}
    attrs:
      permissions: [authentik_flows.view_flow, authentik_core.view_application]
  - model: authentik_core.group
    id: watched
    identifiers: {name: watched}
    permissions:
      - {permission: view_group, role: !KeyOf auditors}
      - {permission: change_group, role: !KeyOf auditors}
  - model: authentik_core.group
    identifiers: {name: fails-here}
    attrs: {parents: [!KeyOf watched]}
`;

interface RoleWorld {
  sb: Sandbox;
  url: string;
  role: string;
  watched: string;
  apply(): Promise<Applied>;
  /** The role's permissions as the RBAC endpoints list them: global, and on the group `watched`. */
  held(): Promise<{ global: string[]; onWatched: string[] }>;
  close(): Promise<void>;
}

/** A role already holding one of the global and one of the object permissions the blueprint grants. */
async function roleWorld(): Promise<RoleWorld> {
  const d = mkdtempSync(join(tmpdir(), 'akbp-faults-rbac-'));
  const sb = await createSandbox({ registry, token: TOKEN });
  const http = await sb.listen('127.0.0.1', 0);
  const admin = createClient({ baseUrl: http.url, token: TOKEN, registry });
  const role = String((await admin.create('authentik_rbac.role', { name: 'auditors' })).pk);
  const watched = String((await admin.create('authentik_core.group', { name: 'watched' })).pk);
  const rbac = admin.rbac;
  assert.ok(rbac, 'the client reaches the RBAC endpoints');
  await rbac.assign(role, { permissions: ['authentik_flows.view_flow'] });
  await rbac.assign(role, { permissions: ['authentik_core.view_group'], model: 'authentik_core.group', object_pk: watched });
  const held = async () => ({
    global: (await rbac.globalPermissions(role)).sort(),
    onWatched: (await rbac.objectPermissions(role))
      .filter((p) => p.model === 'authentik_core.group' && p.objectPk === watched)
      .map((p) => p.permission)
      .sort(),
  });
  mkdirSync(join(d, 'bp'));
  writeFileSync(join(d, 'bp', 'grants.yaml'), GRANTS);
  const env = { PATH: process.env.PATH, HOME: d, CI: 'true' };
  return {
    sb,
    url: http.url,
    role,
    watched,
    held,
    apply: async () => {
      sb.clearLog();
      const r = await runCli(['apply', '--server', http.url, '--token', TOKEN, '--state', join(d, 'state.json'), '--concurrency', '1', 'bp', '--yes'], {
        cwd: d,
        env,
      });
      const out = r.stdout + r.stderr;
      assert.ok(!out.includes(TOKEN), 'the token never appears in the output');
      return { ...r, out, writes: sb.requestLog.filter((l) => l.method !== 'GET').map((l) => `${l.method} ${l.path} ${l.status}`) };
    },
    close: async () => {
      await admin.close();
      await http.close();
      rmSync(d, { recursive: true, force: true });
    },
  };
}

test('a failure after permission grants takes back exactly what they added: the role holds what it held before', async () => {
  const w = await roleWorld();
  try {
    const before = await w.held();
    assert.deepEqual(before, { global: ['authentik_flows.view_flow'], onWatched: ['authentik_core.view_group'] });
    w.sb.injectFault({ method: 'POST', path: /^\/core\/groups\/$/, times: 2, kind: '500' });
    const r = await w.apply();
    assert.equal(r.code, 1, r.out);
    assert.deepEqual(await w.held(), before, `the role's permissions are as before\n${r.out}`);
    const unassign = `/rbac/permissions/assigned_by_roles/${w.role}/unassign/`;
    assert.deepEqual(
      r.writes.filter((x) => x.includes('/assigned_by_roles/')),
      [
        `POST /rbac/permissions/assigned_by_roles/${w.role}/assign/ 200`,
        `POST /rbac/permissions/assigned_by_roles/${w.role}/assign/ 200`,
        `PATCH ${unassign} 204`,
        `PATCH ${unassign} 204`,
      ],
      'two grants, each taken back once',
    );
    assert.match(r.out, /rolled-back\s+update\s+role name=auditors\b/);
    assert.match(r.out, /rolled-back\s+update\s+group name=watched\b/);
    assert.match(r.out, /AKB5014: rolled back 2 applied change\(s\) of bp\/grants\.yaml/);

    w.sb.clearFaults();
    const again = await w.apply();
    assert.equal(again.code, 0, again.out);
    assert.deepEqual(await w.held(), {
      global: ['authentik_core.view_application', 'authentik_flows.view_flow'],
      onWatched: ['authentik_core.change_group', 'authentik_core.view_group'],
    });
  } finally {
    await w.close();
  }
});

test('an unassign that fails during rollback is AKB5007 naming the object and the REST call to finish', async () => {
  const w = await roleWorld();
  try {
    w.sb.injectFault({ method: 'POST', path: /^\/core\/groups\/$/, times: 2, kind: '500' });
    // Rollback runs in reverse: the first unassign takes back the grant on `watched`.
    w.sb.injectFault({ method: 'PATCH', path: /\/unassign\/$/, kind: '500' });
    const r = await w.apply();
    assert.equal(r.code, 1, r.out);
    assert.deepEqual(await w.held(), { global: ['authentik_flows.view_flow'], onWatched: ['authentik_core.change_group', 'authentik_core.view_group'] });
    const call = `PATCH ${w.url}/api/v3/rbac/permissions/assigned_by_roles/${w.role}/unassign/`;
    assert.match(
      r.out,
      new RegExp(
        `error AKB5007: group name=watched \\(pk ${w.watched}\\): permissions granted to role ${w.role} were not taken back: PATCH /rbac/permissions/assigned_by_roles/${w.role}/unassign/ → 500`,
      ),
    );
    assert.ok(r.out.includes(call), `says which call finishes it by hand\n${r.out}`);
    assert.match(r.out, /rollback-failed\s+update\s+group name=watched\b/);
    assert.match(r.out, /rolled-back\s+update\s+role name=auditors\b/);
  } finally {
    await w.close();
  }
});
