// The watch's cached directory read: a save reads the saved files again, not the whole directory
// (at 1,000 files that was a quarter of a save), and the result is what a fresh read gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedReadSources } from '../../src/gitops/cache.js';
import { readSources } from '../../src/sources/index.js';

const bp = (name: string) => `version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: ${name}}\n`;
const library = (name: string) => `version: 1\nmetadata:\n  name: ${name}\n  labels:\n    blueprints.goauthentik.io/instantiate: "false"\nentries: []\n`;

async function setUp() {
  const dir = await mkdtemp(join(tmpdir(), 'akbp-read-cache-'));
  for (const n of ['a', 'b', 'c']) await writeFile(join(dir, `${n}.yaml`), bp(n));
  const fresh = () => readSources(['.'], { cwd: dir, cacheDir: join(dir, '.cache'), env: {} });
  let reads = 0;
  const reader = cachedReadSources(
    async (specs) => {
      reads += 1;
      return readSources(specs, { cwd: dir, cacheDir: join(dir, '.cache'), env: {} });
    },
    { cwd: dir, cacheLocal: true },
  );
  return { dir, fresh, reader, reads: () => reads };
}

const shape = (r: Awaited<ReturnType<ReturnType<typeof cachedReadSources>['readSources']>>) =>
  JSON.stringify({
    files: r.files.map((f) => ({ ...f, bytes: Buffer.from(f.bytes).toString() })),
    library: r.library,
    origins: r.origins,
    diagnostics: r.diagnostics,
  });

test('a saved file is read again alone; the others stay the same objects; the result equals a fresh read', async () => {
  const w = await setUp();
  try {
    const first = await w.reader.readSources(['.']);
    await writeFile(join(w.dir, 'b.yaml'), bp('b-edited'));
    w.reader.invalidate([join(w.dir, 'b.yaml')]);
    const second = await w.reader.readSources(['.']);
    assert.equal(w.reads(), 1, 'the directory was not read again');
    assert.equal(shape(second), shape(await w.fresh()));
    assert.equal(second.files[0], first.files[0], 'a.yaml is the same object');
    assert.match(Buffer.from(second.files[1]!.bytes).toString(), /b-edited/);
  } finally {
    await rm(w.dir, { recursive: true, force: true });
  }
});

test('a new, deleted or relabelled file makes the next run read the whole directory', async () => {
  const w = await setUp();
  try {
    await w.reader.readSources(['.']);
    const steps: [string, () => Promise<string>][] = [
      [
        'new file',
        async () => {
          await writeFile(join(w.dir, 'd.yaml'), bp('d'));
          return join(w.dir, 'd.yaml');
        },
      ],
      [
        'deleted file',
        async () => {
          await unlink(join(w.dir, 'a.yaml'));
          return join(w.dir, 'a.yaml');
        },
      ],
      [
        'file now a library blueprint',
        async () => {
          await writeFile(join(w.dir, 'c.yaml'), library('c'));
          return join(w.dir, 'c.yaml');
        },
      ],
    ];
    let reads = w.reads();
    for (const [what, step] of steps) {
      w.reader.invalidate([await step()]);
      const got = await w.reader.readSources(['.']);
      assert.equal(w.reads(), reads + 1, `${what}: read whole`);
      reads = w.reads();
      assert.equal(shape(got), shape(await w.fresh()), what);
    }
  } finally {
    await rm(w.dir, { recursive: true, force: true });
  }
});
