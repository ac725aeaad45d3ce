// `!File` reads through the injected reader, only below the blueprint's root or a --file-root;
// outside is an error (authentik would read anything its server can).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DesiredValue } from '../../src/model/types.js';
import { codes, compile, groupWith, load } from './helpers.js';

const disk: { [p: string]: string } = {
  '/srv/bp/certs/ca.pem': '\n  -----BEGIN CERTIFICATE-----\n',
  '/etc/akbp/extra.txt': 'extra\n',
  '/home/me/.ssh/id_rsa': 'PRIVATE',
};
const reads: string[] = [];
const readFile = (p: string): string | undefined => {
  reads.push(p);
  return disk[p];
};

const rows: { name: string; value: string; fileRoots?: string[]; local?: boolean; want: DesiredValue; diags: string[] }[] = [
  { name: 'relative to the blueprint root, trimmed', value: '!File certs/ca.pem', want: '-----BEGIN CERTIFICATE-----', diags: [] },
  { name: 'absolute inside the root', value: '!File /srv/bp/certs/ca.pem', want: '-----BEGIN CERTIFICATE-----', diags: [] },
  { name: 'unreadable → default (info only)', value: '!File [certs/none.pem, fallback]', want: 'fallback', diags: ['AKB3029 a.yaml:8:12'] },
  { name: '.. escaping the root is refused', value: '!File ../../home/me/.ssh/id_rsa', want: null, diags: ['AKB3007 a.yaml:8:12'] },
  { name: 'absolute outside the root is refused', value: '!File [/home/me/.ssh/id_rsa, x]', want: null, diags: ['AKB3007 a.yaml:8:12'] },
  { name: 'a sibling directory with the root as prefix is outside', value: '!File /srv/bp-other/x', want: null, diags: ['AKB3007 a.yaml:8:12'] },
  { name: '--file-root permits another directory', value: '!File /etc/akbp/extra.txt', fileRoots: ['/etc/akbp'], want: 'extra', diags: [] },
];

for (const row of rows) {
  test(`!File: ${row.name}`, () => {
    reads.length = 0;
    const bp = load('a.yaml', groupWith(row.value));
    const res = compile([bp], { readFile, fileRoots: row.fileRoots ?? [] });
    assert.deepEqual(codes(res), row.diags);
    assert.deepEqual((res.entries[0]!.attrs.attributes as { v: DesiredValue }).v, row.want);
    if (row.diags.some((d) => d.startsWith('AKB3007'))) assert.deepEqual(reads, [], 'a refused path is never read');
  });
}

test('!File refusal explains the stricter rule and never prints file contents', () => {
  const bp = load('a.yaml', groupWith('!File /home/me/.ssh/id_rsa'));
  const res = compile([bp], { readFile });
  assert.match(res.diagnostics[0]!.detail!, /authentik reads any file its server can/);
  assert.match(res.diagnostics[0]!.detail!, /--file-root/);
  assert.ok(!JSON.stringify(res).includes('PRIVATE'));
});

test('!File in a blueprint without a local root reads only --file-root directories', () => {
  const bp = load('a.yaml', groupWith('!File certs/ca.pem'), { kind: 'oci', local: false, root: undefined });
  assert.deepEqual(codes(compile([bp], { readFile })), ['AKB3007 a.yaml:8:12']);
});
