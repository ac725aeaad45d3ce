// Errors adapters reject with. Pure stages return diagnostics instead of throwing.
import type { Json } from './types.js';

/** An HTTP answer from authentik (or the sandbox) that is not a success. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    /** Path below the API base, never with credentials or query secrets. */
    readonly path: string,
    /** Parsed JSON body when there was one (authentik's field-error object, `{detail}`), else text. */
    readonly body: Json,
    /** True when the request may or may not have reached the server (connection reset on POST). */
    readonly uncertain = false,
  ) {
    super(`${method} ${path} → ${status}${status === 0 ? ' (no response)' : ''}`);
    this.name = 'ApiError';
  }

  /** authentik's 400 body: field → messages (non_field_errors included). */
  fieldErrors(): { [field: string]: string[] } {
    const out: { [field: string]: string[] } = {};
    if (this.body && typeof this.body === 'object' && !Array.isArray(this.body)) {
      for (const [k, v] of Object.entries(this.body)) {
        if (Array.isArray(v)) out[k] = v.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)));
        else if (typeof v === 'string') out[k] = [v];
        else if (v !== null) out[k] = [JSON.stringify(v)];
      }
    }
    return out;
  }
}

/** A source (file, git, OCI) could not be read. Carries a user-facing message, never credentials. */
export class SourceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}
