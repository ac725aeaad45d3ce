// Secrets canary: every kind of secret akbp handles, each a unique string, given the ways users
// give them (blueprint literal, !Env, context:, --context, CLI env and flags), must appear in no
// output: stdout and stderr of plan/apply/compile/validate in every format, saved plans, the
// ownership state, code frames of errors next to the secrets, and the daemon's logs, /status
// and /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { startServe, type ServeCliOptions } from '../../src/cli/commands/serve.js';
import type { CliContext } from '../../src/cli/context.js';

const C = {
  literalPassword: 'CANARY-literal-user-password-7f3a',
  envPassword: 'CANARY-env-user-password-91bc',
  contextPassword: 'CANARY-ctx-user-password-4d2e',
  cliContextPassword: 'CANARY-cli-context-password-a81f',
  misspeltPassword: 'CANARY-misspelt-password-55e0',
  tokenKey: 'CANARY-token-key-0c7d',
  clientSecret: 'CANARY-client-secret-e2b9',
  ldapBindPassword: 'CANARY-ldap-bind-password-3f60',
  apiToken: 'CANARY-api-token-b7d4',
  registryPassword: 'CANARY-registry-password-19ac',
  registryEnvPassword: 'CANARY-registry-env-password-c3d1',
  gitToken: 'CANARY-git-token-6a5f',
  webhookSecret: 'CANARY-webhook-secret-d84b',
  stateKey: 'CANARY-state-key-2e9a',
};

const blueprint = `version: 1
context:
  ctx_pw: ${C.contextPassword}
entries:
  - model: authentik_flows.flow
    id: flow
    identifiers: {slug: canary-flow}
    attrs: {name: canary, title: canary, designation: authorization}
  - model: authentik_core.user
    id: u1
    identifiers: {username: canary-literal}
    attrs: {name: L, password: ${C.literalPassword}}
  - model: authentik_core.user
    identifiers: {username: canary-env}
    attrs: {name: E, password: !Env AK_CANARY_PW}
  - model: authentik_core.user
    identifiers: {username: canary-ctx}
    attrs: {name: C, password: !Context ctx_pw}
  - model: authentik_core.user
    identifiers: {username: canary-cli}
    attrs: {name: X, password: !Context cli_pw}
  - model: authentik_core.token
    identifiers: {identifier: canary-token}
    attrs: {key: ${C.tokenKey}, user: !KeyOf u1, intent: api, expiring: false}
  - model: authentik_providers_oauth2.oauth2provider
    identifiers: {name: canary-oauth}
    attrs:
      client_secret: ${C.clientSecret}
      client_id: canary-client
      authorization_flow: !KeyOf flow
      invalidation_flow: !KeyOf flow
      redirect_uris: [{matching_mode: strict, url: "https://x.example/cb"}]
  - model: authentik_sources_ldap.ldapsource
    identifiers: {slug: canary-ldap}
    attrs: {name: canary-ldap, server_uri: "ldap://127.0.0.1:1", bind_cn: "cn=x", bind_password: ${C.ldapBindPassword}, base_dn: "dc=x"}
`;

/** The same secrets next to errors, so diagnostics print code frames of those very lines. */
const broken = `version: 1
context:
  ctx_pw: ${C.contextPassword}
entries:
  - model: authentik_core.user
    identifiers: {username: broken}
    attrs:
      pasword: ${C.misspeltPassword}
      password: !Format ["%d", !Context ctx_pw]
      unknown_field: 1
  - model: authentik_core.token
    identifiers: {identifier: t}
    attrs: {key: ${C.tokenKey}, user: !KeyOf nope, intent: bogus}
  - model: authentik_providers_oauth2.oauth2provider
    identifiers: {name: o}
    attrs: {client_secret: ${C.clientSecret}, client_type: nope}
  - model: authentik_sources_ldap.ldapsource
    identifiers: {slug: l}
    attrs: {bind_password: ${C.ldapBindPassword}, server_uri: 5}
  - model: nope.nope
    attrs: {password: ${C.literalPassword}}
`;

function leaks(where: string, text: string): string[] {
  return Object.entries(C)
    .filter(([, v]) => text.includes(v))
    .map(([k]) => `${k} in ${where}`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function world() {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-canary-'));
  writeFileSync(join(dir, 'bp.yaml'), blueprint);
  writeFileSync(join(dir, 'broken.yaml'), broken);
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    AK_CANARY_PW: C.envPassword,
    AKBP_STATE_KEY: C.stateKey,
    AKBP_REGISTRY_AUTH: `user:${C.registryEnvPassword}`,
    AKBP_WEBHOOK_SECRET: C.webhookSecret,
  };
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('no secret reaches plan, apply, compile or validate output, saved plans or the state file', async () => {
  const w = world();
  try {
    const found: string[] = [];
    const ctx = ['--context', `cli_pw=${C.cliContextPassword}`];
    const sandboxState = join(w.dir, 'sandbox.json');
    const base = ['--sandbox', sandboxState, '--state', join(w.dir, 'akbp-state.json'), ...ctx];
    for (const format of ['text', 'json', 'markdown']) {
      const r = await runCli(['plan', 'bp.yaml', ...base, '--format', format, '--out', join(w.dir, `plan-${format}.json`)], { cwd: w.dir, env: w.env });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      found.push(...leaks(`plan --format ${format} stdout`, r.stdout), ...leaks(`plan --format ${format} stderr`, r.stderr));
    }
    const applied = await runCli(['apply', 'bp.yaml', ...base, '--yes'], { cwd: w.dir, env: w.env });
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    found.push(...leaks('apply stdout', applied.stdout), ...leaks('apply stderr', applied.stderr));
    const saved = await runCli(['apply', join(w.dir, 'plan-json.json'), ...base, '--yes'], { cwd: w.dir, env: w.env });
    found.push(...leaks('apply PLAN.json stdout', saved.stdout), ...leaks('apply PLAN.json stderr', saved.stderr));
    for (const format of ['yaml', 'json']) {
      const r = await runCli(['compile', 'bp.yaml', '--format', format, ...ctx], { cwd: w.dir, env: w.env });
      found.push(...leaks(`compile --format ${format} stdout`, r.stdout), ...leaks(`compile --format ${format} stderr`, r.stderr));
    }
    for (const cmd of [
      ['validate', 'broken.yaml'],
      ['validate', 'broken.yaml', '--format', 'json'],
      ['plan', 'broken.yaml', ...base],
      ['plan', 'broken.yaml', ...base, '--format', 'markdown'],
      ['compile', 'broken.yaml', ...ctx],
    ]) {
      const r = await runCli(cmd, { cwd: w.dir, env: w.env });
      assert.notEqual(r.code, 0, `${cmd.join(' ')} reports the errors`);
      // Markdown lists diagnostics in a table, without frames (the plan goes on with the other files).
      if (!cmd.includes('json') && !cmd.includes('markdown')) assert.match(r.stdout + r.stderr, /\n> +\d+ \| /, 'code frames are printed');
      found.push(...leaks(`${cmd.join(' ')} stdout`, r.stdout), ...leaks(`${cmd.join(' ')} stderr`, r.stderr));
    }
    // Files akbp wrote: saved plans and its ownership state (the sandbox's own database is the server's).
    for (const f of filesUnder(w.dir)) {
      if (f.endsWith('.yaml') || f === sandboxState) continue;
      found.push(...leaks(f.slice(w.dir.length + 1), readFileSync(f, 'utf8')));
    }
    assert.deepEqual(found, []);
  } finally {
    w.cleanup();
  }
});

test('the API token, registry and git credentials appear in no output, also when their server fails', async () => {
  const w = world();
  const registry = bundledRegistry('2026.5');
  const sandbox = await createSandbox({ registry, token: C.apiToken, seed: 3 });
  const server = await sandbox.listen('127.0.0.1', 0);
  try {
    const found: string[] = [];
    const env = { ...w.env, AUTHENTIK_TOKEN: C.apiToken };
    const runs: [string, string[], NodeJS.ProcessEnv][] = [
      ['plan with AUTHENTIK_TOKEN', ['plan', 'bp.yaml', '--server', server.url, '--context', 'cli_pw=x'], env],
      ['plan with --token', ['plan', 'bp.yaml', '--server', server.url, '--token', C.apiToken, '--format', 'json', '--context', 'cli_pw=x'], w.env],
      ['plan refused by the server', ['plan', 'bp.yaml', '--server', server.url, '--token', `${C.apiToken}-wrong`], w.env],
      ['plan of an unreachable server', ['plan', 'bp.yaml', '--server', 'http://127.0.0.1:1', '--token', C.apiToken], w.env],
      ['git source with a token in the URL', ['validate', `git::https://oauth2:${C.gitToken}@127.0.0.1:1/repo.git`], w.env],
      [
        'OCI source with --registry-auth',
        ['validate', 'oci://127.0.0.1:1/repo:tag', '--registry-auth', `user:${C.registryPassword}`, '--insecure-registry', '127.0.0.1:1'],
        w.env,
      ],
      ['OCI source with AKBP_REGISTRY_AUTH', ['validate', 'oci://127.0.0.1:1/repo:tag', '--insecure-registry', '127.0.0.1:1'], w.env],
    ];
    for (const [name, args, e] of runs) {
      const r = await runCli(args, { cwd: w.dir, env: e });
      found.push(...leaks(`${name} stdout`, r.stdout), ...leaks(`${name} stderr`, r.stderr));
    }
    assert.deepEqual(found, []);
  } finally {
    await server.close();
    w.cleanup();
  }
});

test('the daemon prints no secret in its logs, /status or /metrics', async () => {
  const w = world();
  let logs = '';
  const ctx: CliContext = {
    io: {
      stdout: (t) => {
        logs += t;
      },
      stderr: (t) => {
        logs += t;
      },
      isTTY: false,
    },
    env: { ...w.env, AUTHENTIK_TOKEN: C.apiToken },
    cwd: w.dir,
    exitCode: 0,
  };
  const opts = {
    source: ['bp.yaml', `git::https://oauth2:${C.gitToken}@127.0.0.1:1/repo.git?ref=main`],
    listen: '127.0.0.1:0',
    sandbox: join(w.dir, 'sandbox.json'),
    state: join(w.dir, 'akbp-state.json'),
    context: [`cli_pw=${C.cliContextPassword}`],
    lockWait: 'skip',
    webhookSecret: C.webhookSecret,
    format: 'text',
    maxDeletes: '10',
    passwordPolicy: 'on-change',
  } as unknown as ServeCliOptions;
  const served = await startServe(opts, ctx);
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const status = (await (await fetch(`${served.daemon.url}/status`)).json()) as { sources: { [k: string]: unknown } };
      if (Object.values(status.sources).every((s) => JSON.stringify(s).includes('"result"'))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const status = await (await fetch(`${served.daemon.url}/status`)).text();
    const metrics = await (await fetch(`${served.daemon.url}/metrics`)).text();
    assert.match(status, /result/, 'both sources ran');
    assert.deepEqual([...leaks('/status', status), ...leaks('/metrics', metrics), ...leaks('daemon log', logs)], []);
  } finally {
    await served.close();
    w.cleanup();
  }
});
