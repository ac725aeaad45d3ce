#!/usr/bin/env node
// Runs test/**/*.test.ts with node's own test runner through tsx, unit tests first (pure code and
// in-process servers: fast), then integration tests (real registries, git daemons, PostgreSQL,
// child processes, terminals). Node 20 does not expand globs for --test, so lists are built here.
// Usage: npm test [-- PATH_FILTER...]        both kinds, filters match substrings of the path
//        npm run test:unit / test:integration [-- PATH_FILTER...]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const kind = args.includes('--unit') ? 'unit' : args.includes('--integration') ? 'integration' : 'all';
const filters = args.filter((a) => a !== '--unit' && a !== '--integration');

/** Integration tests: folders and files that start real services or child processes. */
const INTEGRATION = [
  /^test\/integration\//,
  /^test\/sources\//,
  /^test\/gitops\/(daemon|hook|cli|watch|action)/,
  /^test\/cli\//,
  /^test\/server\/(tls|schema-from-server)/,
  /^test\/sandbox\/cli/,
  /^test\/state\/.*(postgres|ha|crash|runner)/,
  /^test\/(deploy|package|hostile|fuzz|tty)\//,
  /^test\/export\/.*round/,
];

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = walk(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const isIntegration = (f) => INTEGRATION.some((r) => r.test(f));
const groups = [
  ['unit', files.filter((f) => !isIntegration(f))],
  ['integration', files.filter(isIntegration)],
].filter(([name, list]) => list.length > 0 && (kind === 'all' || kind === name));

let status = 0;
for (const [name, list] of groups) {
  if (groups.length > 1) console.log(`# ${name} tests: ${list.length} files`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...list], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  if ((res.status ?? 1) !== 0) status = res.status ?? 1;
  // Unit tests first: when they fail, the slow integration run would only repeat the news.
  if (status !== 0 && name === 'unit' && kind === 'all') {
    console.log('# unit tests failed: integration tests not run');
    break;
  }
}
process.exit(status);
