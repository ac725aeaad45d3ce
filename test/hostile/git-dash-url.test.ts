// A git source whose URL starts with "-" must reach git as a URL, never as an option
// (`git remote add origin --mirror=push@h:x` would be parsed as --mirror).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readSources } from '../../src/sources/index.js';
import { tempDir } from '../helpers/registry.js';

const work = tempDir('hostile-git-dash');
after(() => rmSync(work, { recursive: true, force: true }));

test('a git URL starting with "-" is passed after -- and never parsed as a git option', async () => {
  const r = await readSources(['git::--mirror=push@h:x'], { cwd: work, cacheDir: join(work, 'cache'), env: { PATH: process.env.PATH }, gitTimeoutMs: 10_000 });
  assert.equal(r.diagnostics.length, 1);
  const d = r.diagnostics[0]!;
  assert.equal(d.code, 'AKB7031');
  assert.doesNotMatch(d.summary, /unknown mirror argument|cannot prepare the cache/, d.summary);
  assert.match(d.summary, /cannot fetch/);
});
