// Measures what the issue asks: requests to observe 1,000 entries over ≥20 models, against the
// floor Σ pages per model (ceil(objects / page size), at least 1), over real HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { observe } from '../../src/observe/index.js';
import { emptyState } from '../../src/state/index.js';
import { compileYaml } from '../apply/sandbox-helpers.js';

const NAME_ONLY = [
  'authentik_core.group',
  'authentik_events.notificationrule',
  'authentik_events.notificationtransport',
  'authentik_outposts.kubernetesserviceconnection',
  'authentik_policies_dummy.dummypolicy',
  'authentik_policies_event_matcher.eventmatcherpolicy',
  'authentik_policies_password.passwordpolicy',
  'authentik_policies_reputation.reputationpolicy',
  'authentik_stages_authenticator_static.authenticatorstaticstage',
  'authentik_stages_authenticator_validate.authenticatorvalidatestage',
  'authentik_stages_consent.consentstage',
  'authentik_stages_deny.denystage',
  'authentik_stages_dummy.dummystage',
  'authentik_stages_email.emailstage',
  'authentik_stages_identification.identificationstage',
  'authentik_stages_invitation.invitationstage',
  'authentik_stages_user_delete.userdeletestage',
  'authentik_stages_user_login.userloginstage',
  'authentik_stages_user_logout.userlogoutstage',
  'authentik_stages_user_write.userwritestage',
];

function blueprint(n: number): string {
  const lines = ['version: 1', 'entries:'];
  for (let i = 0; i < n; i++) {
    const model = i % 22 === 20 ? 'authentik_core.application' : i % 22 === 21 ? 'authentik_core.token' : NAME_ONLY[i % 22]!;
    const ids = model === 'authentik_core.application' ? `{slug: app-${i}}` : model === 'authentik_core.token' ? `{identifier: tok-${i}}` : `{name: obj-${i}}`;
    const attrs = model === 'authentik_core.application' ? `{name: App ${i}}` : '{}';
    lines.push(`  - model: ${model}`, `    identifiers: ${ids}`, `    attrs: ${attrs}`);
  }
  return lines.join('\n') + '\n';
}

for (const pageCap of [null, 20]) {
  test(`observe 1,000 entries over 22 models (page size cap ${pageCap ?? 'none, as 2023.6'}) costs the floor Σ pages`, async (t) => {
    const registry = bundledRegistry('2023.6');
    const sandbox = await createSandbox({ registry, token: 'bench-token-123456', maxPageSize: pageCap });
    const srv = await sandbox.listen('127.0.0.1', 0);
    // The in-process transport seeds the 1,000 objects quickly; the measurement itself is over HTTP.
    const seeder = createClient({ baseUrl: srv.url, token: 'bench-token-123456', registry, transport: sandbox.transport() });
    const client = createClient({ baseUrl: srv.url, token: 'bench-token-123456', registry });
    try {
      const { entries } = compileYaml(blueprint(1000), registry);
      for (const e of entries) await seeder.create(e.model, e.attrs as never);
      const pageSize = pageCap ?? 1000;
      const t0 = performance.now();
      const { snapshot, diagnostics } = await observe(entries, client, registry, { state: emptyState() });
      const ms = performance.now() - t0;
      assert.deepEqual(diagnostics, []);
      assert.equal([...snapshot.byKey.values()].filter(Boolean).length, 1000, 'every entry matched');
      let floor = 0;
      for (const objs of snapshot.objects.values()) floor += Math.max(1, Math.ceil(objs.length / pageSize));
      t.diagnostic(`models=${snapshot.objects.size} requests=${snapshot.requests} floor=${floor} per-entry-GET baseline=1000 time=${ms.toFixed(0)}ms`);
      assert.equal(snapshot.objects.size, 22);
      assert.equal(snapshot.requests, floor);
    } finally {
      await client.close();
      await seeder.close();
      await srv.close();
    }
  });
}
