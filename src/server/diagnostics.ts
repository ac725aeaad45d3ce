// ApiError → diagnostics a person can act on: which YAML value authentik refused, which
// permission the token lacks, which reference is missing, what state a failure leaves behind.
import { diag, msg } from '../diag/index.js';
import { ApiError } from '../model/errors.js';
import type { Diagnostic, Json, SourceRange } from '../model/types.js';
import { SERVER_CODES as C } from './codes.js';

export interface ErrorContext {
  /** Compiled entry the failed call was made for. */
  entryKey?: string;
  /** Blueprint model name (`authentik_core.user`). */
  model?: string;
  /** attr → range of its YAML value, so a 400 on a field points at its line. */
  fields?: { [field: string]: SourceRange };
  /** Range of the whole entry: used when no field range fits. */
  subject?: SourceRange;
  /** The deferred reference being resolved (`!KeyOf flow`, `!Find [...]`) when the call fetched its target. */
  reference?: string;
}

export function apiErrorDiagnostics(err: unknown, ctx: ErrorContext = {}): Diagnostic[] {
  const at = (subject?: SourceRange) => {
    const extra: { subject?: SourceRange; entry?: string } = {};
    const s = subject ?? ctx.subject;
    if (s) extra.subject = s;
    if (ctx.entryKey !== undefined) extra.entry = ctx.entryKey;
    return extra;
  };
  if (!(err instanceof ApiError)) {
    const message = err instanceof Error ? err.message : String(err);
    return [diag(C.unexpected, oneLine(msg(C.unexpected, 'failed', { message })), at())];
  }
  const what = `${err.method} ${err.path}`;
  const detail = detailOf(err.body);

  if (err.status === 0) {
    if (err.uncertain) return [uncertain(err, ctx, detail ?? msg(C.uncertainWrite, 'lostConnection', {}), at())];
    return [
      diag(C.unreachable, oneLine(msg(C.unreachable, 'cannotReach', { detail: detail ?? 'no response', what })), {
        ...at(),
        detail: msg(C.unreachable, 'cannotReachDetail', {}),
      }),
    ];
  }
  if (err.status === 400) return badRequest(err, ctx, at);
  if (err.status === 401 || err.status === 403) {
    if (detail && /token invalid|expired|credentials were not provided|malformed|unsupported authentication/i.test(detail)) {
      return [
        diag(C.authenticationFailed, oneLine(msg(C.authenticationFailed, 'refused', { detail })), {
          ...at(),
          detail: msg(C.authenticationFailed, 'refusedDetail', {}),
        }),
      ];
    }
    const perm = permissionFor(err, ctx.model);
    return [
      diag(C.permissionDenied, oneLine(msg(C.permissionDenied, 'needs', { phrase: perm.phrase, codename: perm.codename })), {
        ...at(),
        detail: msg(C.permissionDenied, 'needsDetail', { what, suffix: detail ? `: ${detail}` : '' }),
      }),
    ];
  }
  if (err.status === 404) {
    if (ctx.reference) {
      return [
        diag(C.referenceMissing, oneLine(msg(C.referenceMissing, 'missing', { reference: ctx.reference })), {
          ...at(),
          detail: msg(C.referenceMissing, 'missingDetail', { what }),
        }),
      ];
    }
    return [
      diag(C.objectMissing, oneLine(msg(C.objectMissing, 'gone', { model: ctx.model ?? 'the object', what })), {
        ...at(),
        detail: msg(C.objectMissing, 'goneDetail', {}),
      }),
    ];
  }
  if (err.status === 405 || err.status === 415) {
    return [diag(C.methodNotAllowed, oneLine(msg(C.methodNotAllowed, 'notAllowed', { what, suffix: detail ? `: ${detail}` : '' })), at())];
  }
  if (err.status === 429) {
    return [
      diag(C.rateLimited, msg(C.rateLimited, 'throttled', { what }), {
        ...at(),
        detail: msg(C.rateLimited, 'throttledDetail', {}),
      }),
    ];
  }
  if (err.status >= 500) {
    if (err.uncertain) return [uncertain(err, ctx, msg(C.uncertainWrite, 'answered', { status: err.status }), at())];
    return [diag(C.serverFailed, msg(C.serverFailed, 'failed', { status: err.status, what }), { ...at(), detail: stateAfterFailure(err.method, ctx.model) })];
  }
  return [diag(C.unexpected, oneLine(msg(C.unexpected, 'status', { status: err.status, what, suffix: detail ? `: ${detail}` : '' })), at())];
}

function uncertain(err: ApiError, ctx: ErrorContext, cause: string, extra: { subject?: SourceRange; entry?: string }): Diagnostic {
  return diag(
    C.uncertainWrite,
    oneLine(msg(C.uncertainWrite, 'uncertain', { method: err.method, path: err.path, cause, state: stateAfterFailure(err.method, ctx.model) })),
    {
      ...extra,
      detail: msg(C.uncertainWrite, 'uncertainDetail', {}),
    },
  );
}

function stateAfterFailure(method: string, model?: string): string {
  const obj = model ?? 'the object';
  switch (method) {
    case 'POST':
      return msg(C.uncertainWrite, 'created', { model: obj });
    case 'PATCH':
    case 'PUT':
      return msg(C.uncertainWrite, 'updated', { model: obj });
    case 'DELETE':
      return msg(C.uncertainWrite, 'deleted', { model: obj });
    default:
      return msg(C.uncertainWrite, 'read', {});
  }
}

function badRequest(err: ApiError, ctx: ErrorContext, at: (s?: SourceRange) => { subject?: SourceRange; entry?: string }): Diagnostic[] {
  const errors = flatten(err.body);
  if (errors.length === 0) {
    const hint = /\/set_password\/$/.test(err.path)
      ? msg(C.requestRejected, 'passwordHint', {})
      : /\/set_key\/$/.test(err.path)
        ? msg(C.requestRejected, 'keyHint', {})
        : msg(C.requestRejected, 'noDetails', { method: err.method, path: err.path });
    const d = detailOf(err.body);
    return [
      diag(C.requestRejected, oneLine(msg(C.requestRejected, 'rejected', { method: err.method, path: err.path, suffix: d ? `: ${d}` : '' })), {
        ...at(),
        detail: hint,
      }),
    ];
  }
  return errors.map(({ path, top, messages }) => {
    const text = messages.join('; ');
    if (top === 'non_field_errors' || top === 'detail') {
      return diag(C.fieldRejected, oneLine(msg(C.fieldRejected, 'objectRejected', { model: ctx.model ?? 'the object', text })), at());
    }
    const range = ctx.fields?.[top];
    return diag(C.fieldRejected, oneLine(msg(C.fieldRejected, 'fieldRejected', { path, text })), at(range));
  });
}

interface FieldError {
  /** `redirect_uris[0].url` */
  path: string;
  /** First segment, the attr a YAML range exists for. */
  top: string;
  messages: string[];
}

/** DRF error bodies nest like the data: objects for nested serializers, lists for many=True. */
function flatten(body: Json): FieldError[] {
  const out: FieldError[] = [];
  const walk = (v: Json, path: string, top: string) => {
    if (typeof v === 'string') return void push(path, top, v);
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x === 'string')) return void (v.length && push(path, top, ...(v as string[])));
      v.forEach((x, i) => walk(x, `${path}[${i}]`, top));
      return;
    }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, top || k);
    }
  };
  const push = (path: string, top: string, ...messages: string[]) => {
    const prev = out.find((e) => e.path === path);
    if (prev) prev.messages.push(...messages);
    else out.push({ path, top, messages: [...messages] });
  };
  if (body && typeof body === 'object' && !Array.isArray(body)) walk(body, '', '');
  else if (Array.isArray(body)) walk(body, 'non_field_errors', 'non_field_errors');
  return out;
}

/** `{detail}` bodies, or a short text body (HTML error pages are not worth quoting). */
function detailOf(body: Json): string | undefined {
  if (body && typeof body === 'object' && !Array.isArray(body) && typeof body.detail === 'string') return body.detail;
  if (typeof body === 'string' && body.trim() !== '' && !/^\s*</.test(body)) return body.trim().slice(0, 200);
  return undefined;
}

const VERB: { [method: string]: string } = { POST: 'add', PUT: 'change', PATCH: 'change', DELETE: 'delete', GET: 'view' };

/** Django permission codename a 403 most likely refers to. */
function permissionFor(err: ApiError, model?: string): { phrase: string; codename: string } {
  if (/\/set_password\/$/.test(err.path)) return { phrase: "reset users' passwords", codename: 'authentik_core.reset_user_password' };
  if (/\/view_key\/$/.test(err.path)) return { phrase: "view tokens' keys", codename: 'authentik_core.view_token_key' };
  if (/\/set_key\/$/.test(err.path)) return { phrase: "set tokens' keys", codename: 'authentik_core.set_token_key' };
  // Detail actions (set_icon_url, apply, …) are changes to the object they sit on.
  const isAction = /\/(set_[a-z_]+|apply)\/$/.test(err.path);
  const verb = isAction ? 'change' : (VERB[err.method] ?? 'change');
  if (!model || !model.includes('.')) return { phrase: `${verb} the objects at ${err.path}`, codename: `${verb}_<model>` };
  const [app, name] = model.split('.') as [string, string];
  return { phrase: `${verb} ${plural(name)}`, codename: `${app}.${verb}_${name}` };
}

function plural(name: string): string {
  if (/(s|x|sh|ch)$/.test(name)) return `${name}es`;
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  return `${name}s`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
