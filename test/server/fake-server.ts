// A small authentik-shaped HTTP server for transport-level tests (resets, throttling, timeouts,
// keep-alive) that the sandbox is not meant to fake. Collections: users (pk int, detail by id)
// and flows (pk uuid, detail by slug, `flow_uuid` filter). Not a .test.ts file: helpers only.
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Registry } from '../../src/authentik/registry.js';
import { modelName } from '../helpers/model.js';

type Obj = { [k: string]: unknown };

type Fault = { kind: 'reset'; after: boolean } | { kind: 'status'; status: number; headers?: { [k: string]: string }; body?: string } | { kind: 'hang' };

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  socket: number;
}

export interface FakeServer {
  url: string;
  users: Map<number, Obj>;
  flows: Map<string, Obj>;
  seen: Seen[];
  /** Distinct TCP connections opened by clients. */
  connections(): number;
  maxInFlight(): number;
  /** Called for every request; return a fault to inject it. */
  fault: (req: { method: string; path: string; n: number }) => Fault | undefined;
  close(): Promise<void>;
}

export const TOKEN = 'canary-tok-7f3a9c21e5';

export async function startFakeServer(opts: { delayMs?: number } = {}): Promise<FakeServer> {
  const users = new Map<number, Obj>();
  const flows = new Map<string, Obj>();
  const seen: Seen[] = [];
  const sockets = new Map<Socket, number>();
  let nextUser = 1;
  let inFlight = 0;
  let maxInFlight = 0;
  const hung: ServerResponse[] = [];

  const fake: FakeServer = {
    url: '',
    users,
    flows,
    seen,
    connections: () => sockets.size,
    maxInFlight: () => maxInFlight,
    fault: () => undefined,
    close: async () => {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size + 1);
    const method = req.method ?? 'GET';
    const full = req.url ?? '/';
    seen.push({ method, path: full, authorization: req.headers.authorization, socket: sockets.get(req.socket)! });
    const n = seen.length;
    let body = '';
    for await (const chunk of req) body += chunk;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      const f = fake.fault({ method, path: full, n });
      if (f?.kind === 'hang') return void hung.push(res);
      if (f?.kind === 'status') {
        res.writeHead(f.status, { 'content-type': 'application/json', ...(f.headers ?? {}) });
        return void res.end(f.body ?? '');
      }
      if (f?.kind === 'reset' && !f.after) return void req.socket.destroy();
      const out = route(method, full, body);
      if (f?.kind === 'reset') return void req.socket.destroy();
      res.writeHead(out.status, { 'content-type': 'application/json' });
      res.end(out.body === undefined ? '' : JSON.stringify(out.body));
    } finally {
      inFlight--;
    }
  });

  function route(method: string, full: string, raw: string): { status: number; body?: unknown } {
    const u = new URL(full, 'http://x');
    const p = u.pathname;
    if (!p.startsWith('/api/v3/')) return { status: 404, body: { detail: 'Not found.' } };
    const path = p.slice('/api/v3'.length);
    if (path === '/admin/version/') return { status: 200, body: { version_current: '2023.6.1' } };
    const data = raw ? (JSON.parse(raw) as Obj) : {};
    if (path === '/core/users/') {
      if (method === 'GET') return page(u, [...users.values()], ['username', 'name']);
      if (method === 'POST') {
        if (typeof data.username !== 'string') return { status: 400, body: { username: ['This field is required.'] } };
        if ([...users.values()].some((x) => x.username === data.username)) {
          return { status: 400, body: { username: ['user with this username already exists.'] } };
        }
        const pk = nextUser++;
        const obj = { pk, username: data.username, name: data.name ?? '', is_active: true, attributes: {} };
        users.set(pk, obj);
        return { status: 201, body: obj };
      }
    }
    let m = /^\/core\/users\/(\d+)\/(set_password\/)?$/.exec(path);
    if (m) {
      const obj = users.get(Number(m[1]));
      if (!obj) return { status: 404, body: { detail: 'Not found.' } };
      if (m[2]) return method === 'POST' ? { status: 204 } : { status: 405 };
      if (method === 'GET') return { status: 200, body: obj };
      if (method === 'PATCH') return { status: 200, body: Object.assign(obj, data) };
      if (method === 'DELETE') return (users.delete(obj.pk as number), { status: 204 });
    }
    if (path === '/flows/instances/') {
      if (method === 'GET') return page(u, [...flows.values()], ['slug', 'flow_uuid']);
      if (method === 'POST') {
        const obj = { pk: randomUUID(), slug: data.slug, name: data.name ?? '', title: data.title ?? '' };
        flows.set(obj.pk, obj);
        return { status: 201, body: obj };
      }
    }
    m = /^\/flows\/instances\/([^/]+)\/$/.exec(path);
    if (m) {
      const obj = [...flows.values()].find((f) => f.slug === decodeURIComponent(m![1]!));
      if (!obj) return { status: 404, body: { detail: 'Not found.' } };
      if (method === 'GET') return { status: 200, body: obj };
      if (method === 'PATCH') return { status: 200, body: Object.assign(obj, data) };
      if (method === 'DELETE') return (flows.delete(obj.pk as string), { status: 204 });
    }
    return { status: 404, body: { detail: 'Not found.' } };
  }

  function page(u: URL, all: Obj[], filters: string[]): { status: number; body: unknown } {
    let rows = all;
    for (const f of filters) {
      const v = u.searchParams.get(f === 'flow_uuid' ? 'flow_uuid' : f);
      if (v !== null) rows = rows.filter((r) => String(r[f === 'flow_uuid' ? 'pk' : f]) === v);
    }
    const size = Number(u.searchParams.get('page_size')) || 100;
    const pageNo = Number(u.searchParams.get('page') ?? 1);
    const total = Math.max(1, Math.ceil(rows.length / size));
    if (pageNo > total) return { status: 404, body: { detail: 'Invalid page.' } };
    const results = rows.slice((pageNo - 1) * size, pageNo * size);
    return {
      status: 200,
      body: {
        pagination: {
          next: pageNo < total ? pageNo + 1 : 0,
          previous: pageNo > 1 ? pageNo - 1 : 0,
          count: rows.length,
          current: pageNo,
          total_pages: total,
          start_index: 0,
          end_index: 0,
        },
        results,
      },
    };
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** Just enough registry for the fake server: users by id, flows by slug. */
export function miniRegistry(maxPageSize: number | null = null): Registry {
  const ops = { list: true, create: true, retrieve: true, update: true, partialUpdate: true, destroy: true };
  const base = {
    kind: 'model' as const,
    operations: ops,
    requiredOnCreate: [],
    fields: {},
    readOnlyFields: [],
    writeOnlyFields: [],
    manyToManyFields: [],
    neverSend: [],
    uniqueTogether: [],
    defaultOrdering: [],
    searchFields: [],
    references: {},
    polymorphicFamily: null,
    pbmField: null,
    blueprintOnlyFields: {},
    secretFields: [],
  };
  const generic = ['ordering', 'page', 'page_size', 'search'].map((name) => ({ name, type: 'string', generic: true }));
  return {
    formatVersion: 1,
    authentikVersion: '2023.6.1',
    version: '2023.6',
    families: {},
    tags: [],
    states: [],
    entryPermissions: false,
    dottedContext: false,
    keyOfAbsent: false,
    sectionedEntries: false,
    maxPageSize,
    models: {
      'authentik_core.user': {
        ...base,
        model: modelName('authentik_core.user'),
        appLabel: 'authentik_core',
        modelName: 'user',
        verboseName: 'User',
        apiPath: '/core/users/',
        detailPath: '/core/users/{id}/',
        lookupParam: 'id',
        lookupField: 'pk',
        pkField: 'pk',
        pkType: 'integer',
        uniqueFields: ['username'],
        isPolicyBindingModel: false,
        listFilters: [...generic, { name: 'username', type: 'string' }, { name: 'name', type: 'string' }],
      },
      'authentik_flows.flow': {
        ...base,
        model: modelName('authentik_flows.flow'),
        appLabel: 'authentik_flows',
        modelName: 'flow',
        verboseName: 'Flow',
        apiPath: '/flows/instances/',
        detailPath: '/flows/instances/{slug}/',
        lookupParam: 'slug',
        lookupField: 'slug',
        pkField: 'pk',
        pkType: 'uuid',
        uniqueFields: ['slug'],
        isPolicyBindingModel: true,
        pbmField: 'policybindingmodel_ptr_id',
        listFilters: [...generic, { name: 'slug', type: 'string' }, { name: 'flow_uuid', type: 'string', format: 'uuid' }],
      },
    },
  };
}
