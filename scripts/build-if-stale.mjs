#!/usr/bin/env node
// `npm run demo` on a fresh clone: dist/ is built at pack time (prepack), not on install, so a
// clone builds it here, once, when it is missing or older than a source file.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const built = join(root, 'dist', 'bundle', 'main.js');

function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

let stale = true;
try {
  stale = statSync(built).mtimeMs < newest(join(root, 'src'));
} catch {
  stale = true;
}
if (stale) {
  console.error('akbp: building dist/ (tsc, bundle) …');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  // The rest of `npm run build`: validate's ahead-of-time validators, then the bundle bin/akbp.js runs.
  for (const script of ['build-validators.mjs', 'bundle.mjs']) {
    const v = spawnSync(process.execPath, [join(root, 'scripts', script)], { stdio: 'inherit' });
    if (v.status !== 0) process.exit(v.status ?? 1);
  }
}
