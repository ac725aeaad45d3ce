// The sandbox over HTTP facing a client that aborts its request body half way, and one that sends
// a body far larger than any API call: the server survives the first and refuses the second (413).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'sandbox-body-token';
let child: ChildProcess;
let url: URL;
let stderr = '';

before(async () => {
  const script = `
    import { createSandbox } from './src/sandbox/index.ts';
    import { bundledRegistry } from './src/authentik/bundled.ts';
    const sb = await createSandbox({ registry: bundledRegistry('2026.5'), token: ${JSON.stringify(TOKEN)} });
    const s = await sb.listen('127.0.0.1', 0);
    console.log(s.url);`;
  child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/\S+/.exec(out);
      if (m) resolve(new URL(m[0]));
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited (${code}): ${stderr}`)));
  });
});
after(() => {
  if (child.exitCode === null) process.kill(child.pid!, 'SIGTERM');
});

const alive = async () => (await fetch(new URL('/api/v3/core/users/', url), { headers: { authorization: `Bearer ${TOKEN}` } })).status;

test('the sandbox survives a client that aborts its request body', async () => {
  await new Promise<void>((resolve) => {
    const s = connect(Number(url.port), url.hostname, () => {
      s.write(
        `POST /api/v3/core/groups/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name": "half`,
      );
      setTimeout(() => {
        s.destroy();
        resolve();
      }, 100);
    });
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(child.exitCode, null, `the sandbox died: ${stderr}`);
  assert.equal(await alive(), 200);
});

test('a request body over the cap is answered 413 and the sandbox keeps serving', async () => {
  const res = await fetch(new URL('/api/v3/core/groups/', url), {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'big', attributes: { blob: 'x'.repeat(20 * 1024 * 1024) } }),
  }).catch((e: Error) => ({ status: -1, error: e }));
  assert.equal(res.status, 413);
  assert.equal(await alive(), 200);
});
