// One parser and one redactor for source strings, shared by the CLI's source adapters and the
// daemon: a spec the daemon pins to a revision is one the sources read, and both print it alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger } from '../../src/gitops/log.js';
import { createRunner } from '../../src/gitops/runner.js';
import { pinRevision, redactSource } from '../../src/gitops/source-ref.js';
import { parseSourceSpec, redactUrl } from '../../src/sources/index.js';
import type { ReconcileOutcome } from '../../src/pipeline/types.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** Reads the spec the way the CLI's readSources does; an unreadable spec fails the run as it would. */
function parsingReconcile(seen: unknown[]) {
  return async (spec: { sources: string[] }): Promise<ReconcileOutcome> => {
    const parsed = parseSourceSpec(spec.sources[0]!, '/work');
    seen.push(parsed);
    if ('error' in parsed) return { diagnostics: [{ code: 'AKB7001', severity: 'error', summary: parsed.error }], texts: new Map(), ok: false };
    return { diagnostics: [], texts: new Map(), ok: true };
  };
}

test('the daemon pins an OCI source with user info to the pushed digest without losing the host, the repository or the credentials', async () => {
  const logger = memoryLogger();
  const seen: unknown[] = [];
  const run = createRunner({ mode: 'plan', logger, reconcile: parsingReconcile(seen) });
  const r = await run({ kind: 'webhook', source: 'oci://robot:p%40ss@registry.example.com:5000/team/blueprints:prod', revision: DIGEST, at: 0 }, 1);
  assert.equal(r.result, 'succeeded', JSON.stringify(seen));
  assert.deepEqual(seen[0], {
    kind: 'oci',
    ref: {
      registry: 'registry.example.com:5000',
      hostname: 'registry.example.com',
      port: 5000,
      repository: 'team/blueprints',
      digest: DIGEST,
      username: 'robot',
      password: 'p@ss',
    },
  });
  assert.doesNotMatch(JSON.stringify(logger.lines), /p%40ss|p@ss|robot/);

  for (const [spec, pinned] of [
    ['oci://robot:p%40ss@h:5000/r:t', `oci://robot:p%40ss@h:5000/r@${DIGEST}`],
    [`oci://u:p@h/team/r@sha256:${'00'.repeat(32)}`, `oci://u:p@h/team/r@${DIGEST}`],
    ['oci://h/team/r', `oci://h/team/r@${DIGEST}`],
  ] as const) {
    assert.equal(pinRevision(spec, DIGEST), pinned, spec);
  }
});

test('a run that fails says why in its log line (code and summary), not only how many errors it had', async () => {
  const logger = memoryLogger();
  const run = createRunner({ mode: 'plan', logger, reconcile: parsingReconcile([]) });
  const r = await run({ kind: 'timer', source: 'oci://h:5000/Team:bad tag', at: 0 }, 1);
  assert.equal(r.result, 'invalid');
  const line = logger.lines.find((l) => l.msg === 'run finished')!;
  assert.match(String(line.reason), /^AKB7001: .*invalid/);
});

test('the CLI and the daemon redact a source the same way: user info, token, secret, private_token, sshkey, password', () => {
  const cases: [string, RegExp][] = [
    ['git::https://user:tok@h/o/r.git?ref=main', /tok/],
    ['git::https://h/o/r.git?ref=main&token=abc1', /abc1/],
    ['git::https://h/o/r.git?secret=abc2', /abc2/],
    ['git::https://h/o/r.git?private_token=abc3', /abc3/],
    ['git::ssh://h/o/r.git?sshkey=abc4', /abc4/],
    ['git::https://h/o/r.git?password=abc5&access_token=abc6', /abc5|abc6/],
    ['oci://robot:p@ss@h:5000/r:t', /robot|p@ss|ss@/],
    ['git::https://u:pa@ss@h/o/r.git', /pa@|ss@h|:pa/],
  ];
  for (const [spec, leak] of cases) {
    assert.equal(redactSource(spec), redactUrl(spec), spec);
    assert.doesNotMatch(redactSource(spec), leak, spec);
  }
  assert.equal(redactSource('git::https://h/o/r.git?ref=main&token=abc'), 'git::https://h/o/r.git?ref=main&token=***');
  assert.equal(redactSource('oci://robot:p@ss@h:5000/r:t'), 'oci://h:5000/r:t');
});
