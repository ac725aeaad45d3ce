import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseBaseUrl, resolveConnection } from '../../src/server/index.js';

test('normaliseBaseUrl: every way people write the server URL ends as <origin>[/prefix]/api/v3', () => {
  const rows: [string, string][] = [
    ['authentik.example.com', 'https://authentik.example.com/api/v3'],
    ['https://authentik.example.com', 'https://authentik.example.com/api/v3'],
    ['https://authentik.example.com/', 'https://authentik.example.com/api/v3'],
    ['https://authentik.example.com/api/v3', 'https://authentik.example.com/api/v3'],
    ['https://authentik.example.com/api/v3/', 'https://authentik.example.com/api/v3'],
    ['https://authentik.example.com/api/v3/core/users/?page=2', 'https://authentik.example.com/api/v3'],
    ['http://127.0.0.1:9000', 'http://127.0.0.1:9000/api/v3'],
    ['https://sso.example.com/authentik/', 'https://sso.example.com/authentik/api/v3'],
    ['https://admin:hunter2@authentik.example.com:8443/api/v3#x', 'https://authentik.example.com:8443/api/v3'],
    ['  https://authentik.example.com  ', 'https://authentik.example.com/api/v3'],
  ];
  for (const [input, want] of rows) assert.equal(normaliseBaseUrl(input), want, input);
});

test('normaliseBaseUrl: rejects non-HTTP schemes and garbage without echoing the input', () => {
  assert.throws(
    () => normaliseBaseUrl('ftp://user:s3cret@host/'),
    (e: Error) => /scheme ftp:/.test(e.message) && !e.message.includes('s3cret'),
  );
  assert.throws(
    () => normaliseBaseUrl('https://us er:s3cret@[bad'),
    (e: Error) => !e.message.includes('s3cret'),
  );
});

test('resolveConnection: flags win over the environment; AUTHENTIK_INSECURE=true skips verification', () => {
  const env = { AUTHENTIK_URL: 'https://env.example.com', AUTHENTIK_TOKEN: 'envtoken', AUTHENTIK_INSECURE: 'true' };
  assert.deepEqual(resolveConnection({}, env), { baseUrl: 'https://env.example.com/api/v3', token: 'envtoken', insecure: true });
  assert.deepEqual(resolveConnection({ server: 'flag.example.com', token: 'flagtoken', insecure: false }, env), {
    baseUrl: 'https://flag.example.com/api/v3',
    token: 'flagtoken',
    insecure: false,
  });
  assert.equal((resolveConnection({}, { ...env, AUTHENTIK_INSECURE: 'false' }) as { insecure: boolean }).insecure, false);
  assert.equal((resolveConnection({}, { ...env, AUTHENTIK_INSECURE: undefined }) as { insecure: boolean }).insecure, false);
});

test('resolveConnection: a token file with a trailing newline still works', () => {
  const r = resolveConnection({ server: 'h', token: 'abc123\n' }, {});
  assert.ok(!('error' in r));
  assert.equal(r.token, 'abc123');
});

test('resolveConnection: missing URL or token names the flag and variable, never a value', () => {
  const noUrl = resolveConnection({ token: 'canary-token-123' }, {});
  assert.ok('error' in noUrl && /--server/.test(noUrl.error) && /AUTHENTIK_URL/.test(noUrl.error));
  assert.ok(!JSON.stringify(noUrl).includes('canary-token-123'));
  const noToken = resolveConnection({ server: 'https://h' }, {});
  assert.ok('error' in noToken && /--token/.test(noToken.error) && /AUTHENTIK_TOKEN/.test(noToken.error));
});

test('resolveConnection: credentials in the URL are stripped from baseUrl; a URL password serves as token of last resort', () => {
  const r = resolveConnection({ server: 'https://:urltoken@h.example.com/' }, {});
  assert.deepEqual(r, { baseUrl: 'https://h.example.com/api/v3', token: 'urltoken', insecure: false });
});

test('resolveConnection: --ca must hold a PEM certificate', () => {
  const bad = resolveConnection({ server: 'h', token: 't', ca: 'not a cert' }, {});
  assert.ok('error' in bad && /PEM/.test(bad.error));
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const ok = resolveConnection({ server: 'h', token: 't', ca: pem }, {});
  assert.ok(!('error' in ok) && ok.ca === pem);
});
