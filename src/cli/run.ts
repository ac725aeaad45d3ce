// Shared command plumbing: turning thrown usage and runtime errors into a message and a documented
// exit code (on stdout as one JSON object under --format json), and a text lookup for rendering
// diagnostics from an outcome.
import { Command } from 'commander';
import { escapeControls, msg, type TextLookup } from '../diag/index.js';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';
import { ApiError, SourceError } from '../model/errors.js';
import { apiErrorDiagnostics } from '../server/diagnostics.js';
import { CLI_CODES } from './codes.js';

import { StateError } from '../state/index.js';
import { ApprovalError, EXIT, usageExit } from './errors.js';

export { ApprovalError } from './errors.js';

export function textsOf(map: Map<string, string>): TextLookup {
  return (uri) => map.get(uri);
}

function optsOf(args: unknown[]): { format?: string; detailedExitcode?: boolean } {
  const cmd = args[args.length - 1];
  return cmd instanceof Command ? (cmd.opts() as { format?: string; detailedExitcode?: boolean }) : {};
}

/**
 * Runs a command body; expected failures print as `akbp: …` (or, with --format json, one JSON
 * object on stdout) and set the exit code, never a stack trace.
 */
export function action<A extends unknown[]>(ctx: CliContext, body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const fail = (code: string, message: string, exitCode: number, detail?: string) => {
      if (optsOf(args).format === 'json')
        ctx.io.stdout(`${JSON.stringify({ formatVersion: 1, ok: false, error: { code, message, ...(detail ? { detail } : {}) } }, null, 2)}\n`);
      else ctx.io.stderr(escapeControls(`akbp: ${message}${detail ? `\n  ${detail}` : ''}\n`));
      ctx.exitCode = exitCode;
    };
    try {
      await body(...args);
    } catch (err) {
      const usage = usageExit(optsOf(args).detailedExitcode);
      if (err instanceof UsageError) return fail(CLI_CODES.usage.code, err.message, usage);
      if (err instanceof ApprovalError) return fail(CLI_CODES.approval.code, err.message, EXIT.failure);
      if (err instanceof SourceError) return fail(CLI_CODES.source.code, err.message, EXIT.failure);
      // A corrupt, foreign or locked ownership record: coded, with where it is and what to do.
      if (err instanceof StateError) return fail(err.code, `${err.code}: ${err.message}`, EXIT.failure);
      if (err instanceof ApiError) {
        // The server's answer as a diagnostic: what failed, and what to check.
        const d = apiErrorDiagnostics(err, {})[0];
        return fail(d?.code ?? CLI_CODES.unreachable.code, d?.summary ?? err.message, EXIT.failure, d?.detail);
      }
      const e = err as NodeJS.ErrnoException;
      if (e && e.code === 'EADDRINUSE') return fail(CLI_CODES.usage.code, msg(CLI_CODES.usage, 'portBusy', { why: e.message }), usage);
      if (e && (e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') && /listen/.test(e.message))
        return fail(CLI_CODES.usage.code, msg(CLI_CODES.usage, 'cannotListen', { why: e.message }), usage);
      if (
        e &&
        (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT' || e.code === 'ECONNRESET' || e.code === 'UND_ERR_CONNECT_TIMEOUT')
      ) {
        return fail(
          CLI_CODES.unreachable.code,
          msg(CLI_CODES.unreachable, 'unreachable', { why: e.message }),
          EXIT.failure,
          msg(CLI_CODES.unreachable, 'unreachableDetail', {}),
        );
      }
      throw err;
    }
  };
}
