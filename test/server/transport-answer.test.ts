// What the undici transport hands back is the server's answer byte for byte: a body that comes
// in many chunks (a multi-byte character split between two), a byte-order mark dropped as
// undici's `.text()` drops it, repeated headers joined, and an informational 103 before the
// real answer not taken for it. Against a real node:http server on 127.0.0.1.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { undiciTransport } from '../../src/server/index.js';

let server: Server;
let url = '';
const long = `{"name":"${'ä€😀'.repeat(40_000)}"}`;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const sent = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/api/v3/long/') {
        const bytes = Buffer.from(long, 'utf8');
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
        // Odd-sized pieces, so characters are cut between chunks.
        for (let i = 0; i < bytes.length; i += 1021) res.write(bytes.subarray(i, i + 1021));
        res.end();
      } else if (req.url === '/api/v3/bom/') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"ok":true}')]));
      } else if (req.url === '/api/v3/hints/') {
        res.writeEarlyHints({ link: '</style.css>; rel=preload' });
        res.writeHead(201, { 'content-type': 'application/json', 'x-echo-method': req.method ?? '' });
        res.end(JSON.stringify({ echoed: sent }));
      } else {
        res.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('a long body in many chunks comes back whole; repeated headers are joined', async () => {
  const t = undiciTransport(url, { connections: 2 });
  try {
    const res = await t.request({ method: 'GET', path: '/long/', headers: { accept: 'application/json' } });
    assert.equal(res.status, 200);
    assert.equal(res.body, long);
    assert.equal(res.headers['set-cookie'], 'a=1, b=2');
    assert.equal(res.headers['content-type'], 'application/json');
  } finally {
    await t.close();
  }
});

test('a byte-order mark before JSON is dropped', async () => {
  const t = undiciTransport(url);
  try {
    const res = await t.request({ method: 'GET', path: '/bom/', headers: {} });
    assert.equal(res.body, '{"ok":true}');
  } finally {
    await t.close();
  }
});

test('an informational 103 before the answer is not taken for the answer', async () => {
  const t = undiciTransport(url);
  try {
    const res = await t.request({ method: 'POST', path: '/hints/', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
    assert.equal(res.status, 201);
    assert.equal(res.headers['x-echo-method'], 'POST');
    assert.equal(res.headers.link, undefined);
    assert.deepEqual(JSON.parse(res.body), { echoed: '{"name":"x"}' });
    const empty = await t.request({ method: 'DELETE', path: '/gone/', headers: {} });
    assert.equal(empty.status, 204);
    assert.equal(empty.body, '');
  } finally {
    await t.close();
  }
});
