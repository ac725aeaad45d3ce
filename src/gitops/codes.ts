// AKB8xxx: gitops drivers. Codes are stable: never reuse or renumber one.
import type { CodeDef } from '../diag/index.js';

export const codes = {
  reconcileThrew: { code: 'AKB8001', severity: 'error', title: 'the reconcile run threw instead of returning diagnostics' },
  lockBusy: { code: 'AKB8002', severity: 'warning', title: 'another akbp holds the apply lock; run skipped' },
  lockTimeout: { code: 'AKB8003', severity: 'error', title: 'gave up waiting for the apply lock' },
  watchError: { code: 'AKB8004', severity: 'error', title: 'the file watcher reported an error' },
  revisionCheckFailed: { code: 'AKB8005', severity: 'warning', title: 'the cheap revision check (ls-remote / manifest digest) failed' },
  olderRevision: {
    code: 'AKB8006',
    severity: 'error',
    title: 'the revision to apply is an ancestor of the last applied one; refused so the server is not rolled back',
  },
} as const satisfies Record<string, CodeDef>;
