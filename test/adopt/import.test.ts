// `akbp import` as an administrator uses it: an object clicked together on the server (created
// here through the REST API, not through akbp) is taken over by one blueprint entry, and every
// wrong pk is refused with a message that says what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { rest, startServer, TOKEN, type Server } from '../export/helpers.js';

interface StateFile {
  objects: Record<string, { model: string; pk: string | number; adopted: boolean }>;
}

async function setup(): Promise<{ dir: string; s: Server; common: string[]; state: () => StateFile; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-import-'));
  const s = await startServer('2026.5');
  mkdirSync(join(dir, 'bp'));
  writeFileSync(
    join(dir, 'bp', 'groups.yaml'),
    'version: 1\nentries:\n  - model: authentik_core.group\n    id: ops\n    identifiers: {name: ops}\n    attrs: {is_superuser: false}\n',
  );
  return {
    dir,
    s,
    common: ['--server', s.url, '--token', TOKEN, '--state', join(dir, 'state.json')],
    state: () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateFile,
    close: async () => {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('import records an object made by hand as adopted by the entry (by key suffix), in text and JSON', async () => {
  const x = await setup();
  try {
    const ops = await rest(x.s, 'POST', '/core/groups/', { name: 'ops' });
    const r = await runCli(['import', 'bp', 'groups.yaml#ops', String(ops.pk), ...x.common], { cwd: x.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`Imported .*name="ops".* \\(pk ${String(ops.pk)}\\) as groups.yaml#ops: recorded as adopted`));
    assert.deepEqual(x.state().objects['groups.yaml#ops'], { model: 'authentik_core.group', pk: ops.pk, identifiers: { name: 'ops' }, adopted: true });

    const again = await runCli(['import', 'bp', 'groups.yaml#ops', String(ops.pk), ...x.common, '--format', 'json'], { cwd: x.dir });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const json = JSON.parse(again.stdout) as { ok: boolean; imported: { key: string; pk: string; unchanged?: boolean } };
    assert.equal(json.ok, true);
    assert.equal(json.imported.key, 'groups.yaml#ops');
    assert.equal(json.imported.unchanged, true, 'importing the same object twice changes nothing');
  } finally {
    await x.close();
  }
});

test('import refuses a pk the server does not have, and writes no state', async () => {
  const x = await setup();
  try {
    const r = await runCli(['import', 'bp', 'groups.yaml#ops', '6f1f0c1e-0000-4000-8000-000000000001', ...x.common], { cwd: x.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /AKB9221: the server has no authentik_core\.group with pk 6f1f0c1e-0000-4000-8000-000000000001/);
    assert.throws(() => x.state(), /ENOENT/, 'nothing was recorded');
  } finally {
    await x.close();
  }
});

test('import refuses the pk of an object of another model and names that model', async () => {
  const x = await setup();
  try {
    const flow = await rest(x.s, 'POST', '/flows/instances/', { slug: 'kiosk', name: 'Kiosk', title: 'Kiosk', designation: 'authentication' });
    const r = await runCli(['import', 'bp', 'groups.yaml#ops', String(flow.pk), ...x.common, '--format', 'json'], { cwd: x.dir });
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } };
    assert.equal(out.error.code, 'AKB9222');
    assert.match(out.error.message, /is a authentik_flows\.flow on the server, but groups\.yaml#ops declares a authentik_core\.group/);
  } finally {
    await x.close();
  }
});

test('import refuses an object whose identifiers differ from the entry and says which one', async () => {
  const x = await setup();
  try {
    const other = await rest(x.s, 'POST', '/core/groups/', { name: 'ops-old' });
    const r = await runCli(['import', 'bp', 'groups.yaml#ops', String(other.pk), ...x.common], { cwd: x.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /AKB9223: .*identifier `name` is "ops-old" on the server, the entry expects "ops"/);
  } finally {
    await x.close();
  }
});

test('import refuses an entry key already recorded for another pk unless --force; an unknown key names similar ones', async () => {
  const x = await setup();
  try {
    const ops = await rest(x.s, 'POST', '/core/groups/', { name: 'ops' });
    assert.equal((await runCli(['import', 'bp', 'groups.yaml#ops', String(ops.pk), ...x.common], { cwd: x.dir })).code, 0);
    // The object was recreated by hand: the record points at the old one.
    await rest(x.s, 'DELETE', `/core/groups/${String(ops.pk)}/`);
    const fresh = await rest(x.s, 'POST', '/core/groups/', { name: 'ops' });
    const refused = await runCli(['import', 'bp', 'groups.yaml#ops', String(fresh.pk), ...x.common], { cwd: x.dir });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      new RegExp(`AKB9224: groups\\.yaml#ops is already recorded for authentik_core\\.group ${String(ops.pk)} \\(adopted\\); --force`),
    );
    assert.equal(x.state().objects['groups.yaml#ops']?.pk, ops.pk, 'the record is untouched');

    const forced = await runCli(['import', 'bp', 'groups.yaml#ops', String(fresh.pk), ...x.common, '--force'], { cwd: x.dir });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /replacing pk/);
    assert.equal(x.state().objects['groups.yaml#ops']?.pk, fresh.pk);

    const unknown = await runCli(['import', 'bp', 'groups.yaml#nope', String(fresh.pk), ...x.common], { cwd: x.dir });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /AKB9220: no entry has the key "groups\.yaml#nope"/);
  } finally {
    await x.close();
  }
});
