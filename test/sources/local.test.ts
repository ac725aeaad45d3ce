// Local files and directories (discovery as authentik does it), spec and reference parsing,
// and URL redaction. Temp dirs only; no servers.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseOciRef, parseSourceSpec, readSources, redactUrl } from '../../src/sources/index.js';
import { tempDir } from '../helpers/registry.js';

let root: string;
const put = (p: string, content: string): void => {
  const abs = join(root, p);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
};
const bp = (name: string, labels = ''): string => `version: 1\nmetadata:\n  name: ${name}\n${labels}entries: []\n`;
const lib = (value: string): string => `  labels:\n    blueprints.goauthentik.io/instantiate: ${value}\n`;

before(() => {
  root = tempDir('local');
  put('bp/b.yaml', bp('b'));
  put('bp/a.yaml', bp('a'));
  put('bp/Z.yml', bp('z'));
  put('bp/nested/deep/c.yaml', bp('c'));
  put('bp/.git/config.yaml', bp('hidden'));
  put('bp/.hidden.yaml', bp('hidden'));
  put('bp/nested/.skip/d.yaml', bp('hidden'));
  put('bp/readme.md', 'x');
  put('bp/data.YAML', bp('uppercase extension is not discovered'));
  put('bp/lib/quoted.yaml', bp('lib1', lib('"false"')));
  put('bp/lib/upper.yaml', bp('lib2', lib('"False"')));
  put('bp/lib/unquoted.yaml', bp('lib3', lib('false')));
  put('bp/lib/true.yaml', bp('lib4', lib('"true"')));
  put('empty/.keep.yaml', bp('hidden'));
  mkdirSync(join(root, 'bp', 'nested', 'loop'), { recursive: true });
  symlinkSync(join(root, 'bp'), join(root, 'bp', 'nested', 'loop', 'up'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('directories and files', () => {
  test('a directory: recursive, dot-paths skipped, .yaml and .yml, sorted, library split', async () => {
    const r = await readSources(['bp'], { cwd: root, cacheDir: join(root, 'cache'), env: {} });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.files.map((f) => f.path),
      ['Z.yml', 'a.yaml', 'b.yaml', 'lib/true.yaml', 'lib/unquoted.yaml', 'nested/deep/c.yaml'],
    );
    // Only a string "false" (any case) makes a library file; unquoted false stays for load to reject.
    assert.deepEqual(
      r.library.map((f) => f.path),
      ['lib/quoted.yaml', 'lib/upper.yaml'],
    );
    assert.equal(r.files[1]!.uri, 'bp/a.yaml');
    const o = r.files[1]!.origin;
    assert.deepEqual({ ...o, digest: undefined }, { kind: 'file', uri: 'bp/', root: join(root, 'bp'), local: true, digest: undefined });
    assert.match(o.digest!, /^sha256:[0-9a-f]{64}$/);
    assert.equal(r.origins.length, 1);
    assert.notEqual(r.origins[0]!.digest, o.digest, 'the source digest covers all files');
  });

  test('the same tree read twice gives identical output; a changed file changes the source digest', async () => {
    const a = await readSources(['bp'], { cwd: root, cacheDir: join(root, 'cache'), env: {} });
    const b = await readSources([join(root, 'bp')], { cwd: root, cacheDir: join(root, 'cache'), env: {} });
    assert.deepEqual(
      a.files.map((f) => [f.path, f.origin.digest]),
      b.files.map((f) => [f.path, f.origin.digest]),
    );
    assert.equal(a.origins[0]!.digest, b.origins[0]!.digest);
    put('bp/b.yaml', bp('b2'));
    const c = await readSources(['bp'], { cwd: root, cacheDir: join(root, 'cache'), env: {} });
    assert.notEqual(c.origins[0]!.digest, a.origins[0]!.digest);
  });

  test('a file named explicitly is always applied, even a library file; duplicates appear once', async () => {
    const r = await readSources(['bp/lib/quoted.yaml', 'bp', 'bp/a.yaml'], { cwd: root, cacheDir: join(root, 'cache'), env: {} });
    assert.equal(r.files[0]!.path, 'quoted.yaml');
    assert.equal(r.files[0]!.uri, 'bp/lib/quoted.yaml');
    assert.equal(r.files[0]!.origin.root, join(root, 'bp', 'lib'));
    assert.equal(r.files.filter((f) => f.uri === 'bp/a.yaml').length, 1);
    assert.equal(r.origins.length, 3);
  });

  test('missing paths, empty directories and bad specs are diagnostics with codes', async () => {
    const r = await readSources(['nope.yaml', 'nope-dir/', 'empty', 'http://example.com/x.yaml', 'oci://Bad_Host!/x'], {
      cwd: root,
      cacheDir: join(root, 'cache'),
      env: {},
    });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity]),
      [
        ['AKB7001', 'error'],
        ['AKB7001', 'error'],
        ['AKB7004', 'warning'],
        ['AKB7002', 'error'],
        ['AKB7010', 'error'],
      ],
    );
    assert.match(r.diagnostics[0]!.summary, /^nope\.yaml: no such file or directory$/);
    for (const d of r.diagnostics) assert.match(d.detail ?? '', /Expected/);
  });
});

describe('references and redaction', () => {
  test('oci references: custom ports, nested repositories, default tag, digests, userinfo', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    const rows: [string, object][] = [
      ['oci://h:5000/r', { registry: 'h:5000', hostname: 'h', port: 5000, repository: 'r', tag: 'latest' }],
      [
        'oci://registry.example.com/org/team/bp:v1.2',
        { registry: 'registry.example.com', hostname: 'registry.example.com', repository: 'org/team/bp', tag: 'v1.2' },
      ],
      [`oci://127.0.0.1:1234/a/b@${d}`, { registry: '127.0.0.1:1234', hostname: '127.0.0.1', port: 1234, repository: 'a/b', digest: d }],
      [`oci://h/a:t@${d}`, { registry: 'h', hostname: 'h', repository: 'a', tag: 't', digest: d }],
      ['oci://u:p%40ss@h:1/a', { registry: 'h:1', hostname: 'h', port: 1, repository: 'a', tag: 'latest', username: 'u', password: 'p@ss' }],
      ['oci://[::1]:5000/a', { registry: '[::1]:5000', hostname: '[::1]', port: 5000, repository: 'a', tag: 'latest' }],
    ];
    for (const [input, want] of rows) assert.deepEqual({ ...parseOciRef(input) }, want, input);
    for (const bad of ['oci://h', 'oci://h/Upper', 'oci://h/a:', 'oci://h/a@sha256:abc', 'oci://h:99999/a', 'oci://h/a:t:u']) {
      assert.throws(
        () => parseOciRef(bad),
        (e: Error & { code?: string }) => e.code === 'AKB7010',
        bad,
      );
    }
  });

  test('parseSourceSpec: paths, git and oci', () => {
    assert.deepEqual(parseSourceSpec('bp', root), { kind: 'dir', path: join(root, 'bp') });
    assert.deepEqual(parseSourceSpec('bp/a.yaml', root), { kind: 'file', path: join(root, 'bp', 'a.yaml') });
    assert.equal((parseSourceSpec('oci://h:5000/r:t', root) as { kind: string }).kind, 'oci');
    const e = parseSourceSpec('oci://h', root);
    assert.ok('error' in e && /no repository/.test(e.error));
  });

  test('redactUrl removes userinfo and token-like query values', () => {
    assert.equal(redactUrl('oci://user:secret@h:5000/r:t'), 'oci://h:5000/r:t');
    assert.equal(redactUrl('git::https://x-access-token:ghp_abc@github.com/o/r.git//d?ref=v1'), 'git::https://github.com/o/r.git//d?ref=v1');
    assert.equal(redactUrl('https://h/r.git?access_token=abc&ref=x'), 'https://h/r.git?access_token=***&ref=x');
    assert.equal(redactUrl('git@github.com:o/r.git'), 'git@github.com:o/r.git');
  });
});

test('a directory walk leaves out YAML that is not a blueprint (no version, no entries); a named file is still read', async () => {
  const { mkdtempSync, writeFileSync, mkdirSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { readSources } = await import('../../src/sources/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'akbp-foreign-'));
  try {
    mkdirSync(join(dir, 'ci'));
    writeFileSync(join(dir, 'ci', 'workflow.yml'), 'name: CI\non: [push]\njobs: {}\n');
    writeFileSync(join(dir, 'a.yaml'), 'version: 1\nentries: []\n');
    writeFileSync(join(dir, 'b.json'), '{"version": 1, "entries": []}\n');
    const r = await readSources([dir], { cwd: dir, cacheDir: join(dir, '.cache'), env: {} });
    assert.deepEqual(
      r.files.map((f) => f.path),
      ['a.yaml'],
    );
    const named = await readSources([join(dir, 'ci', 'workflow.yml')], { cwd: dir, cacheDir: join(dir, '.cache'), env: {} });
    assert.equal(named.files.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
