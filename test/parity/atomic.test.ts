// authentik applies one blueprint in a transaction: a failing entry leaves nothing of that
// blueprint behind, other blueprints are unaffected. akbp undoes the applied changes of every file
// that did not finish, keeps the files that did, and `--no-rollback` keeps everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const files = {
  'a-independent.yaml': `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: independent}
`,
  // The user's username collides with the seeded akadmin: the server refuses it (unique), which
  // the plan cannot know because the entry is identified by its display name.
  'b-fails.yaml': `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: b-group}
  - model: authentik_core.group
    identifiers: {name: b-other}
  - model: authentik_core.user
    identifiers: {name: Somebody Else}
    attrs: {username: akadmin, path: users}
`,
};

function names(sb: string): string[] {
  const text = readFileSync(sb, 'utf8');
  return ['independent', 'b-group', 'b-other'].filter((n) => text.includes(`"${n}"`));
}

for (const keep of [false, true]) {
  test(
    keep
      ? '--no-rollback keeps the writes of a blueprint that failed half-way'
      : 'a blueprint that fails half-way is rolled back; a blueprint that finished stays',
    async () => {
      const d = mkdtempSync(join(tmpdir(), 'akbp-atomic-'));
      try {
        mkdirSync(join(d, 'bp'));
        for (const [n, t] of Object.entries(files)) writeFileSync(join(d, 'bp', n), t);
        const env = { PATH: process.env.PATH, HOME: d, CI: 'true' };
        const sb = join(d, 'sandbox.json');
        const r = await runCli(['apply', '--sandbox', sb, '--authentik-version', '2026.5', 'bp', '--yes', ...(keep ? ['--no-rollback'] : [])], { cwd: d, env });
        const out = r.stdout + r.stderr;
        assert.equal(r.code, 1, out);
        assert.match(out, /b-fails\.yaml:\d+:\d+: error AKB5003: .*username/);
        if (keep) {
          assert.deepEqual(names(sb), ['independent', 'b-group', 'b-other']);
          assert.doesNotMatch(out, /AKB5014/);
        } else {
          assert.deepEqual(names(sb), ['independent'], 'b-fails.yaml left nothing behind; a-independent.yaml stays');
          assert.match(out, /AKB5014: rolled back 2 applied change\(s\) of .*b-fails\.yaml/);
          assert.doesNotMatch(out, /a-independent\.yaml.*rolled/);
        }
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    },
  );
}
