// The round trip an administrator adopting akbp relies on: a live authentik (defaults, system
// blueprints, a hand-made setup made through the REST API) → `akbp export` → `akbp plan` against
// the same server shows nothing to do → `akbp apply` onto a second, fresh server of the same
// version succeeds → exporting that server gives the same files, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { applyDefaults, applySystem, handMadeSetup, haveBlueprints, startServer, TOKEN, type Server } from './helpers.js';

const skip = !haveBlueprints && '../shared/authentik/blueprints not present';

function readDir(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) out.set(name, readFileSync(join(dir, name), 'utf8'));
  return out;
}

function envNames(dir: string): string[] {
  return readFileSync(join(dir, '.env.example'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z0-9_]+=$/.test(l))
    .map((l) => l.slice(0, -1));
}

async function roundTrip(version: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `akbp-export-${version}-`));
  const first = await startServer(version);
  let second: Server | undefined;
  try {
    await applySystem(first);
    await applyDefaults(first);
    await handMadeSetup(first);
    const target = (s: Server) => ['--server', s.url, '--token', TOKEN];

    const exported = await runCli(['export', ...target(first), '--out', join(dir, 'a')], { cwd: dir });
    assert.equal(exported.code, 0, exported.stdout + exported.stderr);
    const a = readDir(join(dir, 'a'));
    assert.ok(
      [...a.keys()].includes('groups-and-users.yaml') &&
        [...a.keys()].some((n) => n.startsWith('flow-default-invalidation-flow')) &&
        a.has('application-grafana.yaml'),
      [...a.keys()].join(', '),
    );

    // Portable and secret-free: no pks of the first server, no secret values.
    const all = [...a.values()].join('\n');
    for (const leaked of ['ldap-bind-secret-1', 'grafana-client-secret-2', TOKEN]) assert.ok(!all.includes(leaked), `a secret leaked into the export`);
    const pks = (await first.client.list('authentik_flows.flow')).map((f) => String(f.pk));
    for (const pk of pks) assert.ok(!all.includes(pk), `flow pk ${pk} appears in the export`);
    assert.match(a.get('groups-and-users.yaml')!, /password: not exported/);
    const env = envNames(join(dir, 'a'));
    assert.ok(env.some((n) => /LDAPSOURCE_CORP_LDAP_BIND_PASSWORD/.test(n)) && env.some((n) => /OAUTH2PROVIDER_GRAFANA_CLIENT_SECRET/.test(n)), env.join(', '));

    const validated = await runCli(['validate', '--strict', '--authentik-version', version, join(dir, 'a')], { cwd: dir });
    assert.equal(validated.code, 0, validated.stdout + validated.stderr);

    const planned = await runCli(['plan', join(dir, 'a'), ...target(first), '--state', join(dir, 'state-a.json'), '--detailed-exitcode'], { cwd: dir });
    assert.equal(planned.code, 0, planned.stdout + planned.stderr);

    // A second install of the same version, as fresh as authentik is after its first start.
    second = await startServer(version);
    await applySystem(second);
    const secrets: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    for (const n of env) secrets[n] = `value-of-${n.toLowerCase()}`;
    const applied = await runCli(['apply', join(dir, 'a'), ...target(second), '--state', join(dir, 'state-b.json'), '--yes'], { cwd: dir, env: secrets });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const oauth = (await second.client.list('authentik_providers_oauth2.oauth2provider')).find((p) => p.body.name === 'Grafana');
    assert.equal(oauth?.body.client_secret, secrets[env.find((n) => /GRAFANA_CLIENT_SECRET/.test(n))!], 'the secret came from the environment');

    const again = await runCli(['export', ...target(second), '--out', join(dir, 'b')], { cwd: dir });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const b = readDir(join(dir, 'b'));
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [name, text] of a) assert.equal(b.get(name), text, `${name} differs between the two servers`);
  } finally {
    await first.close();
    await second?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('2026.5: defaults, system blueprints and a hand-made setup export to blueprints that plan to 0 changes and rebuild a fresh server that exports identically', {
  skip,
  timeout: 300_000,
}, async () => {
  await roundTrip('2026.5');
});

test('2023.6: the same round trip on the older REST shapes (group parent, string redirect_uris)', { skip, timeout: 300_000 }, async () => {
  await roundTrip('2023.6');
});
