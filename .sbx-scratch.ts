import { bundledRegistry } from './src/authentik/bundled.js';
import { createSandbox } from './src/sandbox/index.js';
const v = process.argv[2] ?? '2023.6';
const sb = await createSandbox({ registry: bundledRegistry(v), token: 'T' });
const H = { authorization: 'Bearer T', 'content-type': 'application/json' };
async function r(method: string, path: string, body?: unknown) {
  const res = await sb.handle({ method, path, headers: H, body: body === undefined ? undefined : JSON.stringify(body) });
  console.log(method, path, res.status, res.body.slice(0, 1500));
  return res.body ? JSON.parse(res.body) : null;
}
await r('GET', '/core/users/');
await r('GET', '/core/groups/');
await r('GET', '/core/tokens/');
const f = await r('POST', '/flows/instances/', { name: 'f', slug: 'f', title: 'F', designation: 'authentication' });
const s = await r('POST', '/stages/dummy/', { name: 'd' });
await r('POST', '/flows/bindings/', { target: f.pk, stage: s.pk, order: 10 });
await r('GET', '/stages/all/');
await r('GET', '/flows/instances/f/used_by/');
await r('DELETE', '/flows/instances/f/');
await r('GET', '/flows/bindings/');
