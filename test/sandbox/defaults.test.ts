// A new object's unset fields hold authentik's Django model defaults, which the OpenAPI document
// does not state: a plan after `apply` compares against these, so a wrong default is a phantom diff.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { flowBody, serve, type Served } from './util.js';

let s: Served;
let flowPk: string;
before(async () => {
  s = await serve('2026.5');
  flowPk = (await s.req('POST', '/flows/instances/', flowBody('defaults-auth'))).json.pk as string;
});
after(() => s.close());

test('a new source is enabled, matches users by identifier and evaluates policies with "any"', async () => {
  const r = await s.req('POST', '/sources/oauth/', { name: 'gh', slug: 'gh', provider_type: 'github', consumer_key: 'k', consumer_secret: 's' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.enabled, true);
  assert.equal(r.json.policy_engine_mode, 'any');
  assert.equal(r.json.user_matching_mode, 'identifier');
});

test('a new SAML provider signs with RSA-SHA256 and digests with SHA256', async () => {
  const r = await s.req('POST', '/providers/saml/', {
    name: 'saml',
    authorization_flow: flowPk,
    invalidation_flow: flowPk,
    acs_url: 'https://sp.example.com/acs',
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.digest_algorithm, 'http://www.w3.org/2001/04/xmlenc#sha256');
  assert.equal(r.json.signature_algorithm, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
});

test("a new LDAP provider numbers uids from 2000 and gids from 4000, under authentik's base DN", async () => {
  const r = await s.req('POST', '/providers/ldap/', { name: 'ldap', authorization_flow: flowPk, invalidation_flow: flowPk });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.uid_start_number, 2000);
  assert.equal(r.json.gid_start_number, 4000);
  assert.equal(r.json.base_dn, 'DC=ldap,DC=goauthentik,DC=io');
  assert.equal(r.json.mfa_support, true);
  assert.doesNotMatch(r.text, /"default"/, 'no placeholder strings');
});

test("backchannel_providers is the reverse of a provider's one application: claiming a provider moves it", async () => {
  const p = (await s.req('POST', '/providers/ldap/', { name: 'bc', authorization_flow: flowPk, invalidation_flow: flowPk })).json.pk as number;
  const a = await s.req('POST', '/core/applications/', { name: 'A', slug: 'bc-a', backchannel_providers: [p] });
  assert.equal(a.status, 201, a.text);
  const b = await s.req('POST', '/core/applications/', { name: 'B', slug: 'bc-b', backchannel_providers: [p] });
  assert.equal(b.status, 201, b.text);
  assert.deepEqual((await s.req('GET', '/core/applications/bc-a/')).json.backchannel_providers, [], 'A lost it');
  assert.deepEqual((await s.req('GET', '/core/applications/bc-b/')).json.backchannel_providers, [p]);
  assert.equal((await s.req('GET', `/providers/ldap/${p}/`)).json.assigned_backchannel_application_slug, 'bc-b');
});
