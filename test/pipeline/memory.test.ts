// A plan does not keep the parsed blueprints (values and pointer maps: most of what a large file
// costs) once compile is done: observe and plan ran with them still in memory, which raised the
// peak of `akbp plan` on 50,000 entries. Watch's snapshot reuse still gets them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { loadBlueprint } from '../../src/load/index.js';
import type { ParsedBlueprint, ServerClient, SourceFile } from '../../src/model/index.js';
import { reconcileOnce, type ReconcileDeps } from '../../src/pipeline/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const TOKEN = 'memory-test-token';
const registry = bundledRegistry('2026.5');

function file(uri: string, text: string): SourceFile {
  return { uri, path: uri, bytes: new TextEncoder().encode(text), origin: { kind: 'file', uri, local: true } };
}

const groups = (prefix: string, n: number) =>
  `version: 1\nentries:\n${Array.from({ length: n }, (_, i) => `  - model: authentik_core.group\n    identifiers: {name: ${prefix}-${i}}\n`).join('')}`;

/**
 * A client that, at the first request plan makes, collects garbage and counts the blueprints
 * still alive. It waits for the next turn of the event loop first: V8 keeps a WeakRef's target
 * alive until the job that made it ends.
 */
function watching(client: ServerClient, parsed: WeakRef<ParsedBlueprint>[], alive: number[]): ServerClient {
  let first = true;
  return new Proxy(client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'requestCount' || prop === 'close') return v;
      return async (...args: unknown[]) => {
        if (first) {
          first = false;
          await new Promise((resolve) => setImmediate(resolve));
          gc();
          alive.push(parsed.filter((r) => r.deref() !== undefined).length);
        }
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

test('a plan lets the parsed blueprints go before it reads the server', async () => {
  const sandbox = await createSandbox({ registry, token: TOKEN });
  const client = createClient({ baseUrl: 'http://sandbox.invalid/api/v3', token: TOKEN, registry, transport: sandbox.transport() });
  try {
    const parsed: WeakRef<ParsedBlueprint>[] = [];
    const alive: number[] = [];
    const files = [file('mem/a.yaml', groups('mem-a', 50)), file('mem/b.yaml', groups('mem-b', 50))];
    const deps: ReconcileDeps = {
      readSources: async () => ({ files, origins: [files[0]!.origin], diagnostics: [] }),
      registry,
      client: watching(client, parsed, alive),
      env: {},
      now: () => new Date('2026-12-01T00:00:00Z'),
      loadBlueprint: (f) => {
        const r = loadBlueprint(f);
        if (r.blueprint) parsed.push(new WeakRef(r.blueprint));
        return r;
      },
    };
    const out = await reconcileOnce({ sources: ['mem/'], mode: 'plan' }, deps);
    assert.equal(out.ok, true, out.diagnostics.map((d) => d.summary).join('\n'));
    assert.equal(out.plan?.summary.create, 100);
    assert.equal(parsed.length, 2);
    assert.deepEqual(alive, [0], 'parsed blueprints still in memory when plan first read the server');
  } finally {
    await client.close();
  }
});
