// Shared command plumbing: turning thrown usage errors into a message and exit code 1, and a
// text lookup for rendering diagnostics from an outcome.
import type { TextLookup } from '../diag/index.js';
import type { CliContext } from './context.js';
import { UsageError } from './target.js';
import { ApiError, SourceError } from '../model/errors.js';
import { apiErrorDiagnostics } from '../server/diagnostics.js';

export function textsOf(map: Map<string, string>): TextLookup {
  return (uri) => map.get(uri);
}

/** Runs a command body; a UsageError or SourceError prints as `akbp: …` and exits 1, never a stack trace. */
export function action<A extends unknown[]>(ctx: CliContext, body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await body(...args);
    } catch (err) {
      if (err instanceof UsageError || err instanceof SourceError) {
        ctx.io.stderr(`akbp: ${err.message}\n`);
        ctx.exitCode = 1;
        return;
      }
      if (err instanceof ApiError) {
        // The server's answer as a diagnostic: what failed, and what to check.
        for (const d of apiErrorDiagnostics(err, {})) ctx.io.stderr(`akbp: ${d.summary}${d.detail ? `\n  ${d.detail}` : ''}\n`);
        ctx.exitCode = 1;
        return;
      }
      const e = err as NodeJS.ErrnoException;
      if (e && (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT')) {
        ctx.io.stderr(`akbp: ${e.message}\n`);
        ctx.exitCode = 1;
        return;
      }
      throw err;
    }
  };
}
