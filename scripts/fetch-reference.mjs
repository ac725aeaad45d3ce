#!/usr/bin/env node
// Fetches authentik's reference data (its OpenAPI documents at pinned release tags, its shipped
// blueprints and blueprint test fixtures at pinned commits, as listed in reference.lock.json)
// into a directory, for CI runs that do not have ../shared. The data is authentik's and is never
// committed here. Usage: node scripts/fetch-reference.mjs [DIR]   (default $AKBP_AUTHENTIK_REFERENCE)
// Tests then read AKBP_AUTHENTIK_REFERENCE=DIR. Files already present with the expected size are kept.
// AKBP_REFERENCE_MIRROR replaces https://raw.githubusercontent.com/<repository> (same <ref>/<path>
// layout): for a proxy or an internal mirror, and for the test that runs this script offline.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const lock = JSON.parse(readFileSync(new URL('./reference.lock.json', import.meta.url), 'utf8'));
const dir = resolve(process.argv[2] ?? process.env.AKBP_AUTHENTIK_REFERENCE ?? '');
if (!process.argv[2] && !process.env.AKBP_AUTHENTIK_REFERENCE) {
  console.error('fetch-reference: give a directory or set AKBP_AUTHENTIK_REFERENCE');
  process.exit(2);
}
const base = (process.env.AKBP_REFERENCE_MIRROR ?? `https://raw.githubusercontent.com/${lock.repository}`).replace(/\/+$/, '');
const raw = (ref, path) => `${base}/${ref}/${path}`;

async function fetchTo(url, dest, chars) {
  if (existsSync(dest) && (chars === undefined || readFileSync(dest, 'utf8').length === chars)) return 'kept';
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url);
    if (res.ok) {
      const text = await res.text();
      // The lock records each blueprint's length: a different length is another version of the file.
      if (chars !== undefined && text.length !== chars) throw new Error(`${url}: ${text.length} characters, the lock says ${chars}`);
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, text);
      return 'fetched';
    }
    if (attempt >= 3 || res.status < 500) throw new Error(`${url}: HTTP ${res.status}`);
    await new Promise((r) => setTimeout(r, 1000 * attempt));
  }
}

let fetched = 0;
const jobs = [
  ...lock.openapi.map((o) => [raw(o.ref, o.upstream), join(dir, o.path), undefined]),
  ...lock.files.map((f) => [raw(f.commit, f.upstream), join(dir, f.path), f.chars]),
];
try {
  for (let i = 0; i < jobs.length; i += 8) {
    const results = await Promise.all(jobs.slice(i, i + 8).map(([u, d, c]) => fetchTo(u, d, c)));
    fetched += results.filter((r) => r === 'fetched').length;
  }
} catch (e) {
  // One line naming the file that failed: a stack trace of this script helps no one in a CI log.
  console.error(`fetch-reference: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
console.log(
  `fetch-reference: ${jobs.length} files in ${dir} (${fetched} fetched). The research model maps are not published upstream; tests that need them skip.`,
);
