// ApiError → diagnostics: what a user reads when authentik says no.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/model/errors.js';
import type { SourceRange } from '../../src/model/types.js';
import { SERVER_CODES, apiErrorDiagnostics } from '../../src/server/index.js';

const uri = 'blueprints/users.yaml';
const r = (start: number, end: number): SourceRange => ({ uri, start, end });
const ctx = {
  entryKey: `${uri}#alice`,
  model: 'authentik_core.user',
  subject: r(10, 90),
  fields: { username: r(30, 35), path: r(50, 60), redirect_uris: r(70, 80) },
};

test('400 field errors map to the attr and its YAML range; non_field_errors to the entry', () => {
  const e = new ApiError(400, 'POST', '/core/users/', {
    username: ['user with this username already exists.'],
    path: ['No leading or trailing slashes allowed.', 'No empty segments in user path allowed.'],
    non_field_errors: ['Something about the object.'],
    unknown_field: ['Odd.'],
  });
  const ds = apiErrorDiagnostics(e, ctx);
  assert.deepEqual(
    ds.map((d) => [d.code, d.subject?.start, d.entry, d.summary]),
    [
      ['AKB6001', 30, ctx.entryKey, 'authentik rejected username: user with this username already exists.'],
      ['AKB6001', 50, ctx.entryKey, 'authentik rejected path: No leading or trailing slashes allowed.; No empty segments in user path allowed.'],
      ['AKB6001', 10, ctx.entryKey, 'authentik rejected authentik_core.user: Something about the object.'],
      ['AKB6001', 10, ctx.entryKey, 'authentik rejected unknown_field: Odd.'],
    ],
  );
});

test('400 nested errors name the nested path and point at the top-level attr', () => {
  const e = new ApiError(400, 'POST', '/providers/oauth2/', { redirect_uris: [{}, { url: ['Enter a valid URL.'] }] });
  const [d] = apiErrorDiagnostics(e, ctx);
  assert.equal(d!.summary, 'authentik rejected redirect_uris[1].url: Enter a valid URL.');
  assert.equal(d!.subject?.start, 70);
});

test('400 with an empty body (set_password) explains the quirk', () => {
  const [d] = apiErrorDiagnostics(new ApiError(400, 'POST', '/core/users/7/set_password/', null), ctx);
  assert.equal(d!.code, SERVER_CODES.requestRejected.code);
  assert.match(d!.detail!, /password/);
  assert.equal(d!.subject?.start, 10);
});

test('403 says which permission is likely missing', () => {
  const denied = { detail: 'You do not have permission to perform this action.' };
  const rows: [string, string, string, RegExp][] = [
    ['POST', '/core/users/', 'authentik_core.user', /needs permission to add users \(authentik_core\.add_user\); use a superuser token/],
    ['PATCH', '/core/groups/x/', 'authentik_core.group', /change groups \(authentik_core\.change_group\)/],
    ['DELETE', '/policies/bindings/x/', 'authentik_policies.policybinding', /delete policybindings \(authentik_policies\.delete_policybinding\)/],
    ['GET', '/core/applications/', 'authentik_core.application', /view applications \(authentik_core\.view_application\)/],
    ['POST', '/core/users/7/set_password/', 'authentik_core.user', /authentik_core\.reset_user_password/],
    ['GET', '/core/tokens/t/view_key/', 'authentik_core.token', /authentik_core\.view_token_key/],
    ['POST', '/core/applications/a/set_icon_url/', 'authentik_core.application', /authentik_core\.change_application/],
  ];
  for (const [method, path, model, want] of rows) {
    const [d] = apiErrorDiagnostics(new ApiError(403, method, path, denied), { ...ctx, model });
    assert.equal(d!.code, 'AKB6003');
    assert.match(d!.summary, want, `${method} ${path}`);
  }
});

test('403 for a bad or missing token is an authentication problem, not a permission one', () => {
  for (const detail of ['Token invalid/expired', 'Authentication credentials were not provided.']) {
    const [d] = apiErrorDiagnostics(new ApiError(403, 'GET', '/core/users/', { detail }), ctx);
    assert.equal(d!.code, 'AKB6004');
    assert.match(d!.detail!, /AUTHENTIK_TOKEN/);
  }
});

test('404 names the deferred reference when resolving one; otherwise says the object vanished', () => {
  const e = new ApiError(404, 'GET', '/flows/instances/default-auth/', { detail: 'Not found.' });
  const [ref] = apiErrorDiagnostics(e, { ...ctx, reference: '!Find [authentik_flows.flow, [slug, default-auth]]' });
  assert.equal(ref!.code, 'AKB6005');
  assert.match(ref!.summary, /^!Find \[authentik_flows\.flow, \[slug, default-auth\]\] points at an object that does not exist/);
  const [gone] = apiErrorDiagnostics(e, ctx);
  assert.equal(gone!.code, 'AKB6006');
  assert.match(gone!.detail!, /run plan again/);
});

test('5xx says the server failed and what state is uncertain; HTML bodies are not quoted', () => {
  const [post] = apiErrorDiagnostics(new ApiError(500, 'POST', '/core/users/', '<html><body>Server Error</body></html>', true), ctx);
  assert.equal(post!.code, 'AKB6011');
  assert.match(post!.summary, /authentik_core\.user may or may not have been created/);
  assert.ok(!post!.summary.includes('<html>'));
  const [patch] = apiErrorDiagnostics(new ApiError(502, 'PATCH', '/core/users/1/', null), ctx);
  assert.equal(patch!.code, 'AKB6012');
  assert.match(patch!.detail!, /update of authentik_core\.user may or may not have been saved/);
  const [get] = apiErrorDiagnostics(new ApiError(503, 'GET', '/core/users/', null), ctx);
  assert.match(get!.detail!, /nothing was changed/);
});

test('429, 405 and other statuses get their own codes; non-ApiError values do not crash', () => {
  assert.equal(apiErrorDiagnostics(new ApiError(429, 'GET', '/core/users/', { detail: 'throttled' }))[0]!.code, 'AKB6007');
  assert.equal(apiErrorDiagnostics(new ApiError(405, 'PUT', '/policies/all/x/', { detail: 'Method "PUT" not allowed.' }))[0]!.code, 'AKB6009');
  assert.equal(apiErrorDiagnostics(new ApiError(418, 'GET', '/x/', null))[0]!.code, 'AKB6010');
  assert.equal(apiErrorDiagnostics(new Error('boom'))[0]!.code, 'AKB6010');
});

test('codes are unique, in the server range, and every summary is one line', () => {
  const codes = Object.values(SERVER_CODES).map((c) => c.code);
  assert.equal(new Set(codes).size, codes.length);
  for (const c of codes) assert.match(c, /^AKB60[0-4]\d$/);
  const multi = new ApiError(400, 'POST', '/core/users/', { name: ['line one\nline two'] });
  assert.ok(!apiErrorDiagnostics(multi, ctx)[0]!.summary.includes('\n'));
});
