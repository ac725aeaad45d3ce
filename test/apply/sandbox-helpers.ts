// Real-world harness for integration tests: the sandbox listening on loopback, the real REST
// client over undici, and blueprints through the real load and compile stages.
import { bundledRegistry } from '../../src/authentik/bundled.js';
import type { Registry } from '../../src/authentik/registry.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { loadBlueprint } from '../../src/load/index.js';
import { compileBlueprints } from '../../src/compile/index.js';
import { observe } from '../../src/observe/index.js';
import { plan } from '../../src/plan/index.js';
import { apply } from '../../src/apply/index.js';
import { emptyState, makeSecretDigest, type OwnershipState } from '../../src/state/index.js';
import type { CompileResult, Plan, ServerClient } from '../../src/model/index.js';
import { validatePlan } from '../plan/fixtures.js';

const TOKEN = 'akbp-test-token-0123456789';

export interface World {
  sandbox: Sandbox;
  client: ServerClient;
  registry: Registry;
  url: string;
  close(): Promise<void>;
}

export async function startWorld(version = '2023.6'): Promise<World> {
  const registry = bundledRegistry(version);
  const sandbox = await createSandbox({ registry, token: TOKEN, seed: 7 });
  const server = await sandbox.listen('127.0.0.1', 0);
  const client = createClient({ baseUrl: server.url, token: TOKEN, registry });
  return {
    sandbox,
    client,
    registry,
    url: server.url,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

export function compileYaml(yaml: string, registry: Registry, env: { [k: string]: string } = {}): CompileResult {
  const uri = 'blueprints/test.yaml';
  const loaded = loadBlueprint({
    uri,
    path: 'test.yaml',
    bytes: new TextEncoder().encode(yaml),
    origin: { kind: 'file', uri: 'blueprints/', root: '/nonexistent', local: true },
  });
  if (!loaded.blueprint) throw new Error(`load failed: ${JSON.stringify(loaded.diagnostics)}`);
  const out = compileBlueprints([loaded.blueprint], { registry, env });
  if (out.diagnostics.some((d) => d.severity === 'error')) throw new Error(`compile failed: ${JSON.stringify(out.diagnostics)}`);
  return out;
}

const digestKey = 'integration-hmac-key';
export const secretDigest = makeSecretDigest(digestKey);

export async function makePlan(
  w: World,
  c: CompileResult,
  state: OwnershipState,
  yaml?: string,
  options: { prune?: boolean; passwordPolicy?: 'on-create' | 'on-change' | 'always' } = {},
): Promise<Plan> {
  const { snapshot, diagnostics } = await observe(c.entries, w.client, w.registry, { state });
  if (diagnostics.some((d) => d.severity === 'error')) throw new Error(`observe failed: ${JSON.stringify(diagnostics)}`);
  const p = plan({
    entries: c.entries,
    dropped: c.dropped,
    snapshot,
    registry: w.registry,
    state,
    now: new Date('2026-11-27T12:00:00Z'),
    source: { uris: ['blueprints/'], digest: 'sha256:test' },
    server: { url: w.client.baseUrl, version: w.registry.authentikVersion },
    options: { secretDigest, ...options },
    ...(yaml ? { texts: (u: string) => (u === 'blueprints/test.yaml' ? yaml : undefined) } : {}),
  });
  if (!validatePlan(JSON.parse(JSON.stringify(p)))) throw new Error(`plan does not match schemas/plan.schema.json: ${JSON.stringify(validatePlan.errors)}`);
  return p;
}

export async function run(
  w: World,
  yaml: string,
  state: OwnershipState = emptyState(),
  opts: { rollback?: boolean; env?: { [k: string]: string }; prune?: boolean } = {},
) {
  const c = compileYaml(yaml, w.registry, opts.env ?? {});
  const p = await makePlan(w, c, state, yaml, opts.prune ? { prune: true } : {});
  const res = await apply(p, w.client, {
    registry: w.registry,
    entries: c.entries,
    state,
    secretDigest,
    now: () => new Date('2026-11-27T12:00:00Z'),
    ...(opts.rollback ? { rollbackOnFailure: true } : {}),
  });
  return { compiled: c, plan: p, ...res };
}

export function writesIn(log: { method: string }[]): number {
  return log.filter((r) => r.method !== 'GET').length;
}
