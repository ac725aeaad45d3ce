// authentik 2026.5 over real HTTP: password_change_date, echoed secrets, plain icon fields.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, startWorld, writesIn, type World } from './sandbox-helpers.js';

let w: World;
before(async () => {
  w = await startWorld('2026.5');
});
after(async () => {
  await w.close();
});

const BP = (secret: string) => `version: 1
entries:
  - model: authentik_flows.flow
    id: auth
    identifiers: {slug: n-auth}
    attrs: {name: a, title: a, designation: authentication}
  - model: authentik_flows.flow
    id: inv
    identifiers: {slug: n-inv}
    attrs: {name: i, title: i, designation: invalidation}
  - model: authentik_core.user
    identifiers: {username: n-alice}
    attrs: {name: Alice, password: CANARY-pw}
  - model: authentik_providers_oauth2.oauth2provider
    identifiers: {name: n-prov}
    attrs:
      authorization_flow: !Find [authentik_flows.flow, [slug, n-auth]]
      invalidation_flow: !KeyOf inv
      client_secret: ${secret}
      redirect_uris: [{matching_mode: strict, url: "https://app/cb"}]
  - model: authentik_core.application
    identifiers: {slug: n-app}
    attrs: {name: App, icon: "https://example.com/i.png"}
`;

test('a password changed on the server after akbp set it is set again; an echoed secret compares by digest', async () => {
  const r1 = await run(w, BP('CANARY-secret-1'));
  assert.equal(r1.result.phase, 'succeeded', JSON.stringify(r1.result));
  w.sandbox.clearLog();
  const r2 = await run(w, BP('CANARY-secret-1'), r1.state);
  assert.equal(writesIn(w.sandbox.requestLog), 0, 'second apply writes nothing');

  const [u] = await w.client.list('authentik_core.user', { filters: { username: 'n-alice' } });
  await new Promise((r) => setTimeout(r, 5));
  await w.client.action('authentik_core.user', u!.pk, 'set_password', { password: 'changed-by-a-human' });
  w.sandbox.clearLog();
  const r3 = await run(w, BP('CANARY-secret-2'), r2.state);
  assert.deepEqual(
    r3.plan.changes
      .filter((c) => c.action === 'update')
      .map((c) => c.reason)
      .sort(),
    ['client_secret differs on the server', 'password was changed on the server since akbp set it'],
  );
  assert.deepEqual(
    w.sandbox.requestLog
      .filter((r) => r.method !== 'GET')
      .map((r) => r.method)
      .sort(),
    ['PATCH', 'POST'],
  );
  w.sandbox.clearLog();
  await run(w, BP('CANARY-secret-2'), r3.state);
  assert.equal(writesIn(w.sandbox.requestLog), 0);
  assert.doesNotMatch(JSON.stringify([r1, r2, r3].map((r) => [r.plan, r.result, r.state])), /CANARY/);
});
