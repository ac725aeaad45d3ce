// Nothing here can build an image, so the Dockerfile's rules are checked on its text: pinned
// bases, a non-root final user, only production dependencies in the final stage, a HEALTHCHECK on
// /healthz and akbp as the entrypoint; and .dockerignore keeps local state and deps out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Instr {
  op: string;
  args: string;
  line: number;
}

/** Instructions with continuation lines joined; comments dropped. */
function instructions(text: string): Instr[] {
  const out: Instr[] = [];
  let buf = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!buf && (line === '' || line.startsWith('#'))) return;
    if (!buf) start = i + 1;
    buf += (buf ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (!line.endsWith('\\')) {
      const m = /^(\S+)\s*(.*)$/.exec(buf)!;
      out.push({ op: m[1]!.toUpperCase(), args: m[2]!, line: start });
      buf = '';
    }
  });
  return out;
}

const all = instructions(readFileSync(`${root}Dockerfile`, 'utf8'));
const stages: Instr[][] = [];
for (const i of all) {
  if (i.op === 'FROM') stages.push([]);
  stages[stages.length - 1]?.push(i);
}
const final = stages[stages.length - 1]!;

test('multi-stage, every base image pinned to an exact Node 20 slim version or a digest', () => {
  assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
  for (const s of stages) {
    const image = s[0]!.args.split(/\s+/)[0]!;
    assert.match(image, /^node:20\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$|^node(:[^@]+)?@sha256:[0-9a-f]{64}$/, `line ${s[0]!.line}: ${image} is pinned`);
  }
});

test('the final stage runs as a non-root user, numerically', () => {
  const users = final.filter((i) => i.op === 'USER');
  assert.ok(users.length > 0, 'USER in the final stage');
  const last = users[users.length - 1]!.args.split(':')[0]!;
  assert.match(last, /^\d+$/, 'numeric, so runAsNonRoot can verify it');
  assert.notEqual(Number(last), 0);
  const after = final.slice(final.indexOf(users[users.length - 1]!) + 1);
  assert.ok(!after.some((i) => i.op === 'USER'), 'nothing switches back');
});

test('the final stage gets only production dependencies: no node_modules or sources copied in, npm install --omit=dev', () => {
  for (const i of final.filter((x) => x.op === 'COPY' || x.op === 'ADD')) {
    assert.doesNotMatch(i.args, /node_modules|\bsrc\b|\btest\b|tsconfig/, `line ${i.line}: ${i.op} ${i.args}`);
  }
  const installs = final.filter((i) => i.op === 'RUN' && /npm (install|ci)/.test(i.args));
  assert.ok(installs.length > 0);
  for (const i of installs) {
    assert.match(i.args, /--omit=dev/, `line ${i.line}`);
    assert.match(i.args, /--ignore-scripts/, `line ${i.line}: the package needs no install scripts`);
  }
});

test('HEALTHCHECK probes /healthz; akbp is the entrypoint; the daemon port is exposed', () => {
  const hc = final.find((i) => i.op === 'HEALTHCHECK');
  assert.ok(hc, 'HEALTHCHECK present');
  assert.match(hc.args, /\/healthz/);
  const ep = final.find((i) => i.op === 'ENTRYPOINT');
  assert.deepEqual(JSON.parse(ep!.args), ['akbp']);
  assert.ok(final.some((i) => i.op === 'EXPOSE' && /\b8080\b/.test(i.args)));
});

test('.dockerignore keeps dependencies, builds, git data, state and env files out of the context', () => {
  const ignored = readFileSync(`${root}.dockerignore`, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const p of ['node_modules', 'dist', '.git', '.akbp', '.env']) assert.ok(ignored.includes(p), p);
});
