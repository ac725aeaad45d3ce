// authentik's own blueprints (../shared corpus) through load → compile → observe → plan → apply
// against the sandbox: whatever applies cleanly must make zero writes the second time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadBlueprint } from '../../src/load/index.js';
import { compileBlueprints } from '../../src/compile/index.js';
import { observe } from '../../src/observe/index.js';
import { plan } from '../../src/plan/index.js';
import { apply } from '../../src/apply/index.js';
import { emptyState } from '../../src/state/index.js';
import { secretDigest, startWorld, writesIn } from './sandbox-helpers.js';
import { reference } from '../helpers/reference.js';

const CORPUS = `${reference('blueprints')}/`;

for (const dir of ['default', 'example']) {
  const path = `${CORPUS}${dir}/`;
  test(`corpus ${dir}/: a second apply of every blueprint that applied makes zero writes`, {
    skip: existsSync(path) ? false : `corpus not found at ${path}`,
  }, async (t) => {
    const w = await startWorld('2023.6');
    let state = emptyState();
    let clean = 0;
    const noisy: string[] = [];
    try {
      for (const f of readdirSync(path)
        .filter((n) => n.endsWith('.yaml'))
        .sort()) {
        const text = readFileSync(path + f, 'utf8');
        const l = loadBlueprint({ uri: f, path: f, bytes: new TextEncoder().encode(text), origin: { kind: 'file', uri: path, root: path, local: true } });
        if (!l.blueprint) continue;
        const c = compileBlueprints([l.blueprint], { registry: w.registry, env: {} });
        if (c.diagnostics.some((d) => d.severity === 'error')) continue;
        const once = async () => {
          const { snapshot } = await observe(c.entries, w.client, w.registry, { state });
          const p = plan({
            entries: c.entries,
            dropped: c.dropped,
            snapshot,
            registry: w.registry,
            state,
            now: new Date(0),
            source: { uris: [f], digest: 'x' },
            server: { url: w.client.baseUrl, version: '2023.6.1' },
            options: { secretDigest },
          });
          const r = await apply(p, w.client, { registry: w.registry, entries: c.entries, state, secretDigest, now: () => new Date(0) });
          state = r.state;
          return { p, r };
        };
        const first = await once();
        if (first.r.result.phase !== 'succeeded') continue;
        w.sandbox.clearLog();
        const second = await once();
        if (writesIn(w.sandbox.requestLog) === 0) clean++;
        else
          noisy.push(
            `${f}: ${second.p.changes
              .filter((x) => x.action !== 'noop')
              .map((x) => `${x.key} ${x.reason}`)
              .join('; ')}`,
          );
      }
    } finally {
      await w.close();
    }
    t.diagnostic(`${clean} blueprints applied and re-applied with zero writes`);
    assert.deepEqual(noisy, []);
    assert.ok(clean >= 5, `only ${clean} blueprints applied cleanly`);
  });
}
