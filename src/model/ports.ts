// Interfaces the pure core calls through; adapters (src/server, src/sandbox, cli) implement them.
import type { Json, JsonObject, LiveObject } from './types.js';

export interface ListQuery {
  /** Exact-match list filters by query parameter name (arrays repeat the parameter). */
  filters?: { [param: string]: string | number | boolean | (string | number)[] };
  ordering?: string;
  /** Page size to ask for; the client picks the largest the server allows when absent. */
  pageSize?: number;
}

/** Blueprint-only actions a reconciler needs besides CRUD. */
export type ServerAction =
  | 'set_password' // users: {password}
  | 'set_key' // tokens: {key}
  | 'view_key' // tokens: GET → {key}
  | 'set_icon_url' // applications, sources: {url}
  | 'set_background_url' // flows: {url}
  | 'apply'; // blueprint instances: POST, no body

/**
 * authentik's REST API as the reconciler sees it, one method per need. `model` is a blueprint
 * model name (`authentik_core.user`); the adapter maps it to endpoints through the registry.
 * Methods reject with `ApiError` (src/model/errors.ts) for HTTP errors.
 */
export interface ServerClient {
  /** Base URL without credentials, ending in `/api/v3`. */
  readonly baseUrl: string;
  /** authentik version, e.g. `2023.6.1`. */
  version(): Promise<string>;
  /** Every object of the model matching the filters, across all pages. */
  list(model: string, query?: ListQuery): Promise<LiveObject[]>;
  /** One object by pk (or lookup value), null on 404. */
  get(model: string, pk: string | number): Promise<LiveObject | null>;
  create(model: string, body: JsonObject): Promise<LiveObject>;
  /** PATCH with only the given fields. */
  patch(model: string, pk: string | number, body: JsonObject): Promise<LiveObject>;
  delete(model: string, pk: string | number): Promise<void>;
  action(model: string, pk: string | number, action: ServerAction, body?: JsonObject): Promise<Json>;
  /** The token's own user (GET /core/users/me/), or null when the server does not say. */
  whoami?(): Promise<{ pk: string | number; username: string; groups: string[] } | null>;
  /** Requests made so far (all methods), for plans and benches. */
  requestCount(): number;
  /** The RBAC endpoints (2024.8+), when this client can reach them. */
  readonly rbac?: RbacApi;
  close(): Promise<void>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: { [key: string]: Json }): void;
}

/** One HTTP exchange below the API base (`/api/v3`); lets the same client talk to a real server or the in-process sandbox. */
export interface HttpRequest {
  method: string;
  /** Path below the base URL including the query string, e.g. `/core/users/?page=2`. */
  path: string;
  headers: { [name: string]: string };
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: { [name: string]: string };
  body: string;
}

export interface HttpTransport {
  request(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

/** A permission assignment as the RBAC endpoints take it (`object_pk` set: on that object only). */
export interface PermissionAssignment {
  permissions: string[];
  model?: string;
  object_pk?: string;
}

/** authentik's RBAC endpoints: permissions are held by roles (a user's own ones by its managed role). */
export interface RbacApi {
  /** A role's global permissions, `app_label.codename`. */
  globalPermissions(role: string): Promise<string[]>;
  /** A role's object permissions. */
  objectPermissions(role: string): Promise<{ permission: string; model: string; objectPk: string }[]>;
  /** The pk of the role authentik manages under this name (`ak-managed-role--user-<pk>`), or null. */
  managedRole(name: string): Promise<string | null>;
  assign(role: string, a: PermissionAssignment): Promise<void>;
  /** Takes permissions back (rollback of a grant); ones the role does not hold are ignored. */
  unassign(role: string, a: PermissionAssignment): Promise<void>;
}
