// Leadership among `akbp serve` replicas on one postgres backend: exactly one holds the leader
// lock (a session-level advisory lock) and reconciles; the others wait in standby and take over
// when the leader's session dies. Every write the leader makes is preceded by a check that the
// lock is still its own, so a replica that lost its session never writes again.
import type { ServerClient } from '../model/ports.js';
import { STATE_CODES } from './codes.js';
import { StateError } from './index.js';
import type { PostgresStateStore } from './postgres.js';
import type { LeaderHandle } from './store.js';
import { msg } from '../diag/index.js';

export type Role = 'leader' | 'standby';

export interface Election {
  role(): Role;
  current(): LeaderHandle | undefined;
  stop(): Promise<void>;
}

export function startElection(store: PostgresStateStore, opts: { pollMs: number; onChange: (role: Role, why: string) => void }): Election {
  const ac = new AbortController();
  let current: LeaderHandle | undefined;
  const loop = (async () => {
    while (!ac.signal.aborted) {
      const h = await store.leadership({ pollMs: opts.pollMs, signal: ac.signal, purpose: 'serve leader' });
      if (!h) break;
      if (ac.signal.aborted) {
        await h.release();
        break;
      }
      current = h;
      opts.onChange('leader', 'acquired the leader lock');
      const why = await h.lost;
      current = undefined;
      if (!ac.signal.aborted) opts.onChange('standby', why);
    }
  })();
  return {
    role: () => (current?.isLeader() ? 'leader' : 'standby'),
    current: () => current,
    async stop() {
      ac.abort();
      await current?.release();
      await loop;
    },
  };
}

/** The client a replica reconciles with: every write first confirms leadership with the backend. */
export function leaderOnly(client: ServerClient, election: Election): ServerClient {
  const guard = async (): Promise<void> => {
    const h = election.current();
    if (!h || !(await h.confirm())) throw new StateError(STATE_CODES.leadership, msg(STATE_CODES.leadership, 'notLeader', {}));
  };
  return {
    baseUrl: client.baseUrl,
    version: () => client.version(),
    list: (m, q) => client.list(m, q),
    get: (m, pk) => client.get(m, pk),
    create: async (m, body) => (await guard(), client.create(m, body)),
    patch: async (m, pk, body) => (await guard(), client.patch(m, pk, body)),
    delete: async (m, pk) => (await guard(), client.delete(m, pk)),
    action: async (m, pk, a, body) => {
      if (a !== 'view_key') await guard();
      return client.action(m, pk, a, body);
    },
    ...(client.whoami ? { whoami: () => client.whoami!() } : {}),
    requestCount: () => client.requestCount(),
    close: () => client.close(),
  };
}
