// The CLI's own error types and exit codes, in a module with no imports, so the entry point can
// map a commander usage error to its exit code without loading any command's dependencies.

/** Exit codes every command shares (README "Exit codes"). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A usage problem the user must fix; the command prints it and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `apply` could not ask for approval (no terminal, no --yes): nothing was written. */
export class ApprovalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalError';
  }
}

/** 2 for usage errors, except where `--detailed-exitcode` already gives 2 the meaning "changes". */
export function usageExit(detailedExitcode: boolean | undefined): number {
  return detailedExitcode ? EXIT.failure : EXIT.usage;
}
