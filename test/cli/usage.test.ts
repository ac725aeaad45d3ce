// Usage errors are the user's to fix: a message and exit 2 (1 under --detailed-exitcode, where 2
// means "changes"), never "internal error"; with --format json, one JSON object on stdout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const examples = fileURLToPath(new URL('../../examples/blueprints/', import.meta.url));

test('conflicting options get a usage message and exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['plan', examples, '--sandbox', '--server', 'http://127.0.0.1:1'], /--sandbox cannot be combined with --server/],
    [['plan', examples, '--sandbox', '--graph'], /--graph needs --format markdown/],
    [['apply', examples, '--sandbox', '--format', 'markdown', '--yes'], /--format markdown is for `akbp plan`/],
    [['plan', examples, '--no-such-flag'], /unknown option '--no-such-flag'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /internal error|at .*\.ts:\d+/);
  }
});

test('under --detailed-exitcode a usage error exits 1, so CI never reads it as "changes"', async () => {
  const r = await runCli(['plan', examples, '--sandbox', '--server', 'http://127.0.0.1:1', '--detailed-exitcode']);
  assert.equal(r.code, 1);
  const u = await runCli(['plan', examples, '--bogus', '--detailed-exitcode']);
  assert.equal(u.code, 1);
});

test('a busy port is a usage error naming the port, not an internal error', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => blocker.close(() => r())));
  const port = (blocker.address() as { port: number }).port;
  const r = await runCli(['serve', '--source', examples, '--sandbox', '--listen', `127.0.0.1:${port}`]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`cannot listen: .*${port}.*--listen`));
});

test('--format json: an early failure (server unreachable) is one JSON error object on stdout', async (t) => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const r = await runCli(['plan', examples, '--format', 'json'], { env: { AUTHENTIK_URL: `http://127.0.0.1:${port}`, AUTHENTIK_TOKEN: 'secret-token-xyz' } });
  t.diagnostic(r.stdout);
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } };
  assert.equal(doc.ok, false);
  assert.match(doc.error.code, /^AKB\d{4}$/);
  assert.match(doc.error.message, /ECONNREFUSED|could not be made|unreachable/);
  assert.doesNotMatch(r.stdout + r.stderr, /secret-token-xyz/);
});
