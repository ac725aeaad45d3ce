import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DeliveryLog, parseEvent, signGeneric, verifySignature, type Provider } from '../../src/gitops/webhook.js';
import { isImmutable, parseSourceRef, pinRevision, redactSource, refMatches, sameRepo } from '../../src/gitops/source-ref.js';

const secret = 's3cret';
const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40), repository: { clone_url: 'https://github.com/o/r.git' } }));
const hex = createHmac('sha256', secret).update(body).digest('hex');

test('signatures: each provider accepts its own correct form and nothing else', () => {
  const rows: [Provider, Record<string, string>, boolean][] = [
    ['github', { 'x-hub-signature-256': `sha256=${hex}` }, true],
    ['github', { 'x-hub-signature-256': hex }, false],
    ['github', { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, false],
    ['github', { 'x-hub-signature-256': 'sha256=zz' }, false],
    ['github', {}, false],
    ['gitea', { 'x-gitea-signature': hex }, true],
    ['gitea', { 'x-gitea-signature': hex.slice(2) }, false],
    ['gitlab', { 'x-gitlab-token': secret }, true],
    ['gitlab', { 'x-gitlab-token': secret + 'x' }, false],
    ['gitlab', {}, false],
    ['generic', { 'x-akbp-signature': signGeneric(body, secret) }, true],
    ['generic', { 'x-akbp-signature': signGeneric(body, 'other') }, false],
  ];
  for (const [p, h, ok] of rows) assert.equal(verifySignature(p, h, body, secret), ok, `${p} ${JSON.stringify(h)}`);
  assert.equal(verifySignature('github', { 'x-hub-signature-256': `sha256=${hex}` }, body, ''), false, 'no secret, no entry');
  const tampered = Buffer.from(body.toString().replace('main', 'evil'));
  assert.equal(verifySignature('github', { 'x-hub-signature-256': `sha256=${hex}` }, tampered, secret), false);
});

test('push events are read from every provider; other events and branch deletions are ignored', () => {
  const gh = parseEvent('github', { 'x-github-event': 'push' }, body);
  assert.equal(gh.kind, 'push');
  assert.deepEqual(gh.kind === 'push' && gh.event.repoUrls, ['https://github.com/o/r.git']);
  const gl = parseEvent(
    'gitlab',
    { 'x-gitlab-event': 'Push Hook' },
    Buffer.from(
      JSON.stringify({
        ref: 'refs/heads/main',
        after: 'b'.repeat(40),
        project: { git_http_url: 'https://gl.example/g/r.git', default_branch: 'main' },
      }),
    ),
  );
  assert.equal(gl.kind === 'push' && gl.event.defaultBranch, 'main');
  assert.equal(parseEvent('github', { 'x-github-event': 'ping' }, body).kind, 'ignored');
  assert.equal(parseEvent('github', { 'x-github-event': 'push' }, Buffer.from('{')).kind, 'invalid');
  const del = parseEvent('gitea', { 'x-gitea-event': 'push' }, Buffer.from(JSON.stringify({ ref: 'refs/heads/x', after: '0'.repeat(40), repository: {} })));
  assert.equal(del.kind, 'ignored');
});

test('repositories match across clone, ssh and credentialed URLs; refs match branch names', () => {
  assert.ok(sameRepo('https://github.com/o/r.git', 'git@github.com:o/r.git'));
  assert.ok(sameRepo('https://user:tok@GitHub.com/o/r', 'ssh://git@github.com/o/r.git'));
  assert.ok(!sameRepo('https://github.com/o/r', 'https://github.com/o/r2'));
  assert.ok(!sameRepo('git://127.0.0.1:9418/r.git', 'git://127.0.0.1:9419/r.git'));
  assert.ok(refMatches('main', 'refs/heads/main'));
  assert.ok(refMatches('v1', 'refs/tags/v1'));
  assert.ok(!refMatches('main', 'refs/heads/dev'));
  assert.ok(refMatches(undefined, 'refs/heads/trunk', 'trunk'));
  assert.ok(!refMatches(undefined, 'refs/heads/dev', 'trunk'));
});

test('sources are pinned to a revision and printed without credentials', () => {
  const sha = 'c'.repeat(40);
  assert.equal(pinRevision('git::https://h/o/r.git//bp?ref=main', sha), `git::https://h/o/r.git//bp?ref=${sha}`);
  assert.equal(pinRevision('git::https://h/o/r.git', sha), `git::https://h/o/r.git?ref=${sha}`);
  const digest = `sha256:${'d'.repeat(64)}`;
  assert.equal(pinRevision('oci://reg:5000/bp:latest', digest), `oci://reg:5000/bp@${digest}`);
  assert.ok(isImmutable(pinRevision('git::https://h/o/r.git', sha)));
  assert.ok(!isImmutable('git::https://h/o/r.git?ref=main'));
  assert.deepEqual(parseSourceRef('git::git://127.0.0.1:1/r.git//a/b?ref=main'), { kind: 'git', url: 'git://127.0.0.1:1/r.git', subdir: 'a/b', ref: 'main' });
  assert.equal(redactSource('git::https://user:tok@h/o/r.git?ref=main&token=abc'), 'git::https://h/o/r.git?ref=main&token=***');
});

test('the delivery log is bounded and remembers recent ids', () => {
  const log = new DeliveryLog(3);
  assert.ok(log.record('a'));
  assert.ok(!log.record('a'));
  for (const id of ['b', 'c', 'd']) log.record(id);
  assert.equal(log.size, 3);
  assert.ok(log.record('a'), 'evicted ids are forgotten');
});
