// scripts/fetch-reference.mjs is what gives public CI authentik's reference data. GitHub is not
// reachable from every machine, so the script is run here against a real HTTP mirror laid out like
// raw.githubusercontent.com (<ref>/<upstream path>), serving the reference files the lock names.
// This checks the lock and the script together: every locked file is fetched to its place with
// the recorded length, a second run keeps them, and a file of another length is refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reference, referenceSkip } from '../helpers/reference.js';

interface Lock {
  openapi: { path: string; upstream: string; ref: string }[];
  files: { path: string; upstream: string; commit: string; chars: number }[];
}
const script = fileURLToPath(new URL('../../scripts/fetch-reference.mjs', import.meta.url));
const lock = JSON.parse(readFileSync(new URL('../../scripts/reference.lock.json', import.meta.url), 'utf8')) as Lock;

/** A mirror serving each locked file at /<ref>/<upstream>; `override` replaces one body. */
async function mirror(override?: { url: string; body: string }): Promise<{ server: Server; base: string; hits: string[] }> {
  const routes = new Map<string, string>();
  for (const o of lock.openapi) routes.set(`/${o.ref}/${o.upstream}`, reference(o.path));
  for (const f of lock.files) routes.set(`/${f.commit}/${f.upstream}`, reference(f.path));
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const url = decodeURI(req.url ?? '');
    hits.push(url);
    if (override && url === override.url) return void res.end(override.body);
    const file = routes.get(url);
    if (!file || !existsSync(file)) return void res.writeHead(404).end('not found');
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

/** Runs the script in a child; asynchronously, since the mirror answers from this process. */
function run(dir: string, base: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env = { ...process.env, AKBP_REFERENCE_MIRROR: base, AKBP_AUTHENTIK_REFERENCE: '' };
    execFile(process.execPath, [script, dir], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

test('fetch-reference fills a directory with every locked file, byte for byte, and keeps them on a re-run', {
  skip: referenceSkip('blueprints'),
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-ref-'));
  const m = await mirror();
  t.after(() => {
    m.server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const first = await run(dir, m.base);
  assert.equal(first.status, 0, first.stderr);
  const total = lock.openapi.length + lock.files.length;
  assert.match(first.stdout, new RegExp(`${total} files in .* \\(${total} fetched\\)`));
  for (const f of [...lock.openapi, ...lock.files]) {
    assert.ok(readFileSync(join(dir, f.path)).equals(readFileSync(reference(f.path))), `${f.path} differs from the reference`);
  }
  for (const f of lock.files) assert.equal(readFileSync(join(dir, f.path), 'utf8').length, f.chars, `${f.path}: the lock's length is wrong`);

  const again = await run(dir, m.base);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /\(0 fetched\)/);
  assert.equal(m.hits.length, total, 'the re-run asked the mirror for nothing');
});

test('fetch-reference refuses a blueprint whose length differs from the lock, naming it, and exits 1', { skip: referenceSkip('blueprints') }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-ref-'));
  const f = lock.files[0];
  assert.ok(f, 'the lock lists blueprint files');
  const m = await mirror({ url: `/${f.commit}/${f.upstream}`, body: 'version: 1\nentries: []\n' });
  t.after(() => {
    m.server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const r = await run(dir, m.base);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`fetch-reference: .*${f.upstream.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ characters, the lock says ${f.chars}`));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'one line, no stack trace');
});
