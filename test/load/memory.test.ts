// A large blueprint file is loaded without its whole YAML syntax tree and node tree in memory at
// once (src/load/stream.ts, entries built while the file is parsed, compact pointers). Measured
// as the heap a child process needs: 10,000 generated entries took ~110 MB of heap when `yaml`
// parsed the whole document first, and fit in 32 MB since.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const HEAP_MB = 48;

test(`a file of 10,000 entries loads within a ${HEAP_MB} MB heap`, { timeout: 120_000 }, () => {
  const corpus = new URL('../bench/scale-corpus.ts', import.meta.url).href;
  const load = new URL('../../src/load/index.ts', import.meta.url).href;
  const script = `
    const { scaleCorpus } = await import(${JSON.stringify(corpus)});
    const { loadBlueprint } = await import(${JSON.stringify(load)});
    const [file] = scaleCorpus(10000, 'one-file');
    const r = loadBlueprint(file);
    process.stdout.write(String(r.blueprint?.entries.length) + ' ' + r.diagnostics.length);
  `;
  const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 110_000,
  });
  assert.equal(r.status, 0, `the child failed (${r.signal ?? r.status}): ${r.stderr.slice(-600)}`);
  assert.equal(r.stdout, '10000 0');
});
