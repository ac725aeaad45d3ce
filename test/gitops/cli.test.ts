// The CLI commands against the real pipeline and the embedded sandbox: watch on a temp dir,
// serve on loopback reading a real repository through `git daemon`, hook install + real push,
// graph on the examples.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { CliContext } from '../../src/cli/context.js';
import * as graphCmd from '../../src/cli/commands/graph.js';
import * as hookCmd from '../../src/cli/commands/hook.js';
import * as serveCmd from '../../src/cli/commands/serve.js';
import * as watchCmd from '../../src/cli/commands/watch.js';
import { readLock } from '../../src/gitops/lock.js';
import { runWatch, type WatchCliOptions } from '../../src/cli/commands/watch.js';
import { startServe, type ServeCliOptions } from '../../src/cli/commands/serve.js';
import { git, gitWorld, tempDir, waitFor, type GitWorld } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function context(cwd = root): CliContext & { out: string[]; err: string[]; text(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), isTTY: false },
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    cwd,
    exitCode: 0,
    out,
    err,
    text: () => out.join(''),
  };
}

async function runCli(ctx: CliContext, argv: string[]): Promise<number> {
  const program = new Command('akbp').exitOverride().configureOutput({ writeOut: ctx.io.stdout, writeErr: ctx.io.stderr });
  for (const m of [graphCmd, hookCmd, serveCmd, watchCmd]) m.register(program, ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 1;
  }
  return ctx.exitCode;
}

const group = (...names: string[]) =>
  `version: 1\nentries:\n${names.map((n) => `  - model: authentik_core.group\n    identifiers:\n      name: ${n}\n`).join('')}`;

const planDefaults = { format: 'text' as const, maxDeletes: '10', passwordPolicy: 'on-change' as const };

let world: GitWorld;
let scratch: { dir: string; cleanup: () => Promise<void> };
before(async () => {
  world = await gitWorld();
  scratch = await tempDir();
});
after(async () => {
  await world?.close();
  await scratch?.cleanup();
});

test("akbp graph prints the examples' dependency graph as Mermaid and DOT", async () => {
  const ctx = context();
  assert.equal(await runCli(ctx, ['graph', 'examples/blueprints/']), 0, ctx.err.join(''));
  assert.match(ctx.text(), /^flowchart LR\n/);
  assert.match(ctx.text(), /n\d+ --> n\d+/);
  const dot = context();
  assert.equal(await runCli(dot, ['graph', '--format', 'dot', 'examples/blueprints/']), 0);
  assert.match(dot.text(), /^digraph akbp \{/);
  const help = context();
  await runCli(help, ['graph', '--help']);
  assert.match(help.text(), /Examples:\n  akbp graph examples\//);
});

test('akbp watch --sandbox: plan on start, re-plan on save, report an invalid save, recover, drop deleted entries', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await writeFile(join(dir, 'groups.yaml'), group('alpha'));
  const ctx = context(dir);
  const stop = new AbortController();
  const opts: WatchCliOptions = { ...planDefaults, sandbox: true, state: join(dir, '.akbp', 'state.json'), debounce: '80', authentikVersion: '2026.5' };
  const running = runWatch('.', opts, ctx, stop.signal);
  t.after(async () => {
    stop.abort();
    await running;
  });
  const printed = async (what: string, re: RegExp) => {
    const from = ctx.out.length;
    return waitFor(what, () => {
      const tail = ctx.out.slice(from).join('');
      return re.test(tail) && /Watching for changes/.test(tail) && tail;
    });
  };
  const first = await printed('the initial plan', /\+ group name=alpha/);
  assert.match(first, /initial plan/);

  const latencies: number[] = [];
  const save = async (file: string, text: string, what: string, re: RegExp) => {
    const at = Date.now();
    const p = printed(what, re);
    await writeFile(join(dir, file), text);
    const out = await p;
    latencies.push(Date.now() - at);
    return out;
  };
  const edited = await save('groups.yaml', group('alpha', 'beta'), 'the re-plan', /name=beta/);
  assert.match(edited, /changed: groups\.yaml/);
  const broken = await save('groups.yaml', 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: [\n', 'the error', /error AKB\d{4}/);
  assert.match(broken, /groups\.yaml:\d+:\d+/);
  const fixed = await save('groups.yaml', group('gamma'), 'recovery', /name=gamma/);
  assert.doesNotMatch(fixed, /name=alpha|error AKB/);
  await save('other.yaml', group('delta'), 'a second file', /name=delta/);
  const p = printed('the delete', /changed: other\.yaml[\s\S]*Plan:/);
  await unlink(join(dir, 'other.yaml'));
  assert.doesNotMatch(await p, /name=delta/);
  latencies.sort((a, b) => a - b);
  console.log(
    `# latency (real pipeline, sandbox) file save → plan printed, debounce 80 ms: median ${latencies[latencies.length >> 1]} ms, max ${latencies.at(-1)} ms (n=${latencies.length})`,
  );
});

const sign = (body: string, secret: string) => 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');

test('akbp serve --apply --sandbox: start-up run, a webhook push and a push through the installed hook each apply their sha', async (t) => {
  const secret = randomUUID();
  const sha1 = await world.commit({ 'groups.yaml': group('pushed-one') }, 'one');
  await world.push();
  const ctx = context(scratch.dir);
  const opts: ServeCliOptions = {
    ...planDefaults,
    source: [`git::${world.url}?ref=main`],
    listen: '127.0.0.1:0',
    apply: true,
    webhookSecret: secret,
    sandbox: true,
    state: join(scratch.dir, 'state.json'),
    cacheDir: join(scratch.dir, 'cache'),
    lockWait: 'wait',
    authentikVersion: '2026.5',
  };
  const s = await startServe(opts, ctx);
  t.after(() => s.close());
  const status = async () => ((await (await fetch(s.daemon.url + '/status')).json()) as any).sources[`git::${world.url}?ref=main`];
  // runOnStart: the daemon reconciles the current head once at start.
  await waitFor('the start-up run', async () => (await status()).lastRun?.revision === sha1);
  assert.equal((await status()).lastRun.result, 'succeeded', ctx.text());
  assert.equal((await status()).lastRun.applied, 1);

  const sha2 = await world.commit({ 'groups.yaml': group('pushed-one', 'pushed-two') }, 'two');
  await world.push();
  const body = JSON.stringify({ ref: 'refs/heads/main', after: sha2, repository: { url: world.url } });
  const res = await fetch(s.daemon.url + '/hooks/generic', {
    method: 'POST',
    body,
    headers: { 'x-akbp-delivery': randomUUID(), 'x-akbp-signature': sign(body, secret) },
  });
  assert.equal(res.status, 202);
  await waitFor('the webhook run', async () => (await status()).lastRun?.revision === sha2);
  const last = (await status()).lastRun;
  assert.deepEqual([last.result, last.applied, last.summary.create, last.summary.noop], ['succeeded', 1, 1, 1]);

  // Through a real post-receive hook installed by the CLI.
  const hookCtx = context(scratch.dir);
  hookCtx.env.AKBP_WEBHOOK_SECRET = secret;
  hookCtx.env.XDG_CONFIG_HOME = join(scratch.dir, 'config');
  assert.equal(await runCli(hookCtx, ['hook', 'install', world.bare, '--daemon-url', s.daemon.url, '--repo-url', world.url]), 0, hookCtx.err.join(''));
  assert.match(hookCtx.text(), /notifies http:\/\/127\.0\.0\.1:\d+ on pushes to refs\/heads\/main/);
  const sha3 = await world.commit({ 'groups.yaml': group('pushed-one', 'pushed-two', 'pushed-three') }, 'three');
  const pushedAt = Date.now();
  const pushed = await world.push();
  assert.match(pushed.stderr, /daemon answered 202/);
  const done = await waitFor('the hook run', async () => {
    const st = await status();
    return st.lastRun?.revision === sha3 && st;
  });
  console.log(
    `# latency (real pipeline, sandbox apply) git push → reconcile finished: ${Date.parse(done.lastRun.finishedAt) - pushedAt} ms (run ${done.lastRun.durationMs} ms)`,
  );
  assert.equal(done.lastRun.applied, 1);

  const metrics = await (await fetch(s.daemon.url + '/metrics')).text();
  assert.match(metrics, /akbp_changes_total\{source="[^"]+"\} 3/);
  assert.match(metrics, /akbp_drift\{source="[^"]+"\} 0/);
  const logs = ctx
    .text()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(logs.every((l) => typeof l.time === 'string' && typeof l.msg === 'string'));
  assert.ok(!ctx.text().includes(secret));
});

test('akbp serve without --apply: pending first creates are not drift; interval runs write nothing', async (t) => {
  const sha = await world.commit({ 'groups.yaml': group('drifting') }, 'drift');
  await world.push();
  const ctx = context(scratch.dir);
  const s = await startServe(
    {
      ...planDefaults,
      source: [`git::${world.url}?ref=main`],
      listen: '127.0.0.1:0',
      interval: '150ms',
      sandbox: true,
      cacheDir: join(scratch.dir, 'cache2'),
      lockWait: 'wait',
      authentikVersion: '2026.5',
    },
    ctx,
  );
  t.after(() => s.close());
  const lines = () =>
    ctx
      .text()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  await waitFor('three interval runs', () => lines().filter((l) => l.msg === 'run finished').length >= 3);
  const finished = lines().filter((l) => l.msg === 'run finished');
  assert.ok(
    finished.every((l) => l.applied === 0 && l.revision === sha && l.pending === 1),
    JSON.stringify(finished),
  );
  assert.ok(!lines().some((l) => l.msg === 'drift detected'), 'a create nobody applied yet is pending, not drift');
  const metrics = await (await fetch(s.daemon.url + '/metrics')).text();
  assert.match(metrics, /akbp_drift\{source="[^"]+"\} 0/);
  assert.match(metrics, /akbp_objects\{source="[^"]+",action="create"\} 1/);
  assert.match(metrics, /akbp_changes_total\{source="[^"]+"\} 0/);
  assert.match(metrics, /akbp_run_duration_seconds_bucket\{le="[^"]+",source="[^"]+",result="succeeded"\}/);
  assert.match(metrics, /akbp_build_info\{version="\d+\.\d+\.\d+",node="v20\./);
  assert.match(metrics, /process_resident_memory_bytes|nodejs_heap_size_total_bytes/, 'process and Node metrics');
});

test('akbp serve: a pushed broken blueprint shows its diagnostic with file:line in /status and the log; /readyz turns 503', async (t) => {
  const secret = randomUUID();
  await world.commit({ 'groups.yaml': group('fine') }, 'fine');
  await world.push();
  const ctx = context(scratch.dir);
  const s = await startServe(
    {
      ...planDefaults,
      source: [`git::${world.url}?ref=main`],
      listen: '127.0.0.1:0',
      webhookSecret: secret,
      sandbox: true,
      cacheDir: join(scratch.dir, 'cache-broken'),
      lockWait: 'wait',
      authentikVersion: '2026.5',
    },
    ctx,
  );
  t.after(() => s.close());
  const status = async () => ((await (await fetch(s.daemon.url + '/status')).json()) as any).sources[`git::${world.url}?ref=main`];
  await waitFor('the start-up run', async () => (await status()).lastRun?.result === 'succeeded');
  assert.equal((await fetch(s.daemon.url + '/readyz')).status, 200);
  assert.equal((await fetch(s.daemon.url + '/healthz')).status, 200);

  // Line 5 names a field the group model does not have.
  const broken = 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: broken}\n    attrs: {nmae: typo}\n';
  const sha = await world.commit({ 'groups.yaml': broken }, 'broken');
  await world.push();
  const body = JSON.stringify({ ref: 'refs/heads/main', after: sha, repository: { url: world.url } });
  assert.equal(
    (
      await fetch(s.daemon.url + '/hooks/generic', {
        method: 'POST',
        body,
        headers: { 'x-akbp-delivery': randomUUID(), 'x-akbp-signature': sign(body, secret) },
      })
    ).status,
    202,
  );
  const last = (
    await waitFor('the broken run', async () => {
      const st = await status();
      return st.lastRun?.revision === sha && st;
    })
  ).lastRun;
  assert.notEqual(last.result, 'succeeded');
  const d = last.diagnostics.find((x: any) => /nmae/.test(x.message));
  assert.ok(d, JSON.stringify(last.diagnostics));
  assert.match(d.code, /^AKB2\d{3}$/);
  assert.equal(d.line, 5);
  assert.match(d.at, /groups\.yaml:5:\d+$/);
  const ready = await fetch(s.daemon.url + '/readyz');
  assert.equal(ready.status, 503);
  assert.match(JSON.stringify(await ready.json()), /last run (invalid|failed)/);
  assert.equal((await fetch(s.daemon.url + '/healthz')).status, 200, 'alive all the same');
  const logged = ctx
    .text()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .find((l) => l.msg === 'run finished' && l.revision === sha);
  assert.ok(
    logged.diagnostics.some((x: any) => /groups\.yaml:5:/.test(x.at) && x.code === d.code),
    'the log line carries the diagnostic too',
  );
});

test('akbp hook install refuses a daemon URL without a secret and keeps apply args after --', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const bare = join(dir, 'r.git');
  await git(dir, 'init', '-q', '--bare', bare);
  const ctx = context(dir);
  assert.equal(await runCli(ctx, ['hook', 'install', 'r.git', '--daemon-url', 'http://127.0.0.1:1']), 2, 'a usage error');
  assert.match(ctx.err.join(''), /needs a secret/);
  const ok = context(dir);
  assert.equal(await runCli(ok, ['hook', 'install', 'r.git', '--', '--sandbox', 'state.json', '--yes']), 0, ok.err.join(''));
  const hook = await readFile(join(bare, 'hooks', 'post-receive'), 'utf8');
  assert.match(hook, /apply "\$src" '--sandbox' 'state\.json' '--yes'/);
  assert.match(hook, /bin\/akbp\.js/);
});

test('every gitops command documents an example in --help', async () => {
  for (const argv of [
    ['watch', '--help'],
    ['serve', '--help'],
    ['hook', 'install', '--help'],
    ['graph', '--help'],
  ]) {
    const ctx = context();
    assert.equal(await runCli(ctx, argv), 0);
    assert.match(ctx.text(), new RegExp(String.raw`Examples:\n[\s\S]*akbp ${argv[0]} `), argv.join(' '));
  }
});

test('akbp watch --apply applies each valid save under the lock and leaves no lock behind', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await writeFile(join(dir, 'groups.yaml'), group('applied-one'));
  const ctx = context(dir);
  const stop = new AbortController();
  const state = join(dir, '.akbp', 'state.json');
  const running = runWatch('.', { ...planDefaults, sandbox: true, state, debounce: '80', apply: true, authentikVersion: '2026.5' }, ctx, stop.signal);
  t.after(async () => {
    stop.abort();
    await running;
  });
  await waitFor('the first apply', () => /Watching and applying/.test(ctx.text()) && ctx.text());
  assert.match(ctx.text(), /applied-one/);
  const from = ctx.out.length;
  await writeFile(join(dir, 'groups.yaml'), group('applied-one', 'applied-two'));
  const second = await waitFor('the second apply', () => {
    const x = ctx.out.slice(from).join('');
    return /Watching and applying/.test(x) && x;
  });
  assert.match(second, /applied-two/);
  assert.doesNotMatch(second, /\+ group name=applied-one/, 'the first group already exists: not created again');
  assert.equal(await readLock(`${state}.lock`), undefined);
  assert.equal(ctx.exitCode, 0, ctx.text());
});
