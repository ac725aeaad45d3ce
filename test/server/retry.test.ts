import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Semaphore } from '../../src/values/index.js';
import { backoffMs, classifyFailure, parseRetryAfter } from '../../src/server/retry.js';

test('backoff doubles per retry with jitter in [half, full], capped at 8 s', () => {
  const lo = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, () => 0));
  const hi = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, () => 1));
  assert.deepEqual(lo, [125, 250, 500, 1000, 2000, 4000, 4000, 4000]);
  assert.deepEqual(hi, [250, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
});

test('Retry-After in seconds or as an HTTP date wins over backoff, capped at a minute', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(
    backoffMs(1, () => 0, '2', now),
    2000,
  );
  assert.equal(
    backoffMs(1, () => 0, 'Thu, 01 Jan 2026 00:00:05 GMT', now),
    5000,
  );
  assert.equal(
    backoffMs(1, () => 0, '3600', now),
    60_000,
  );
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(
    backoffMs(1, () => 0, 'soon', now),
    125,
  );
});

test('failures are classified by what they say about the request', () => {
  const err = (code: string) => Object.assign(new Error('x'), { code });
  assert.equal(classifyFailure(err('ECONNREFUSED')).kind, 'not-sent');
  assert.equal(classifyFailure(err('UND_ERR_CONNECT_TIMEOUT')).kind, 'not-sent');
  assert.equal(classifyFailure(err('ECONNRESET')).kind, 'uncertain');
  assert.equal(classifyFailure(err('UND_ERR_SOCKET')).kind, 'uncertain');
  assert.equal(classifyFailure(err('UND_ERR_HEADERS_TIMEOUT')).kind, 'uncertain');
  assert.equal(classifyFailure(new Error('no code')).kind, 'uncertain');
  assert.equal(classifyFailure(err('ENOTFOUND')).kind, 'fatal');
  const tls = classifyFailure(Object.assign(new Error('fetch failed'), { cause: err('SELF_SIGNED_CERT_IN_CHAIN') }));
  assert.equal(tls.kind, 'fatal');
  assert.equal(tls.tls, true);
});

test('semaphore never lets more than its limit run and serves waiters in order', async () => {
  const sem = new Semaphore(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const release = await sem.acquire();
      running++;
      peak = Math.max(peak, running);
      order.push(i);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      release();
      release(); // a double release must not free a second slot
    }),
  );
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
});
