// Writes after a long pause between requests: a plan's CPU time between the last read and the
// first write can outlast the server's keep-alive, and a create sent on a connection the server
// already closed fails with UND_ERR_SOCKET and cannot be retried (it may have been processed).
// The server runs in another process, so it closes idle connections while this one is busy.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { Http } from '../../src/server/http.js';
import { undiciTransport } from '../../src/server/index.js';

const KEEP_ALIVE_MS = 300;
const SERVER = `
const http = require('node:http');
let posts = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method === 'POST') posts++;
    const body = req.method === 'POST' ? { pk: posts } : req.url.startsWith('/api/v3/posts') ? { posts } : { results: [] };
    // An explicit Connection header keeps node from adding a Keep-Alive hint, as many servers
    // and proxies send none: the client cannot know how long the server keeps a connection.
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', connection: 'keep-alive' });
    res.end(JSON.stringify(body));
  });
});
server.keepAliveTimeout = ${KEEP_ALIVE_MS};
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

let child: ChildProcess;
let url = '';

before(async () => {
  child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(`http://127.0.0.1:${d.toString().trim()}`));
    child.once('exit', (code) => reject(new Error(`test server exited with ${code}`)));
  });
});
after(() => {
  child.kill();
});

/** What a long synchronous plan does to the event loop: nothing else runs meanwhile. */
function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* spin */
  }
}

test('creates sent after the client was busy longer than the server keep-alive all reach the server once', async () => {
  const transport = undiciTransport(url, { connections: 4 });
  const http = new Http({ transport, token: 't', concurrency: 4, sleep: async () => undefined });
  try {
    // Four reads in parallel open four pooled connections.
    await Promise.all([1, 2, 3, 4].map(() => http.json('GET', '/core/users/')));
    // node closes an idle connection up to a second after its keepAliveTimeout.
    busy(KEEP_ALIVE_MS + 2700);
    const created = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(() => http.json('POST', '/core/users/', { username: 'x' }, 'create')));
    assert.equal(created.length, 8);
    const count = await http.json('GET', '/posts');
    assert.deepEqual(count.body, { posts: 8 }, 'every create reached the server exactly once');
  } finally {
    await transport.close();
  }
});

test('creates sent after the server closed its connections while the client was busy, but within the idle limit the client assumes, reach the server once', async () => {
  const transport = undiciTransport(url, { connections: 4 });
  const http = new Http({ transport, token: 't', concurrency: 4, sleep: async () => undefined });
  try {
    const before = (await http.json('GET', '/posts')).body as { posts: number };
    await Promise.all([1, 2, 3, 4].map(() => http.json('GET', '/core/users/')));
    // Longer than the server keeps a connection (up to a second past its keepAliveTimeout), shorter
    // than the 2 s the client assumes without a hint: the server's FINs arrive while nothing runs.
    busy(KEEP_ALIVE_MS + 1200);
    const created = await Promise.all([1, 2, 3, 4].map(() => http.json('POST', '/core/users/', { username: 'y' }, 'create')));
    assert.equal(created.length, 4);
    const after = (await http.json('GET', '/posts')).body as { posts: number };
    assert.equal(after.posts - before.posts, 4, 'every create reached the server exactly once');
  } finally {
    await transport.close();
  }
});
