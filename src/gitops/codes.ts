// AKB8xxx: gitops drivers. Codes are stable: never reuse or renumber one.
import { codeDef as def } from '../diag/index.js';

export const codes = {
  reconcileThrew: def('AKB8001', 'error', 'the reconcile run threw instead of returning diagnostics'),
  lockBusy: def('AKB8002', 'warning', 'another akbp holds the apply lock; run skipped', {
    notAcquired: 'apply lock {{reason}}{{holder}}',
    holder: ' (held by pid {{pid}} on {{host}} since {{since}})',
  }),
  lockTimeout: def('AKB8003', 'error', 'gave up waiting for the apply lock'),
  watchError: def('AKB8004', 'error', 'the file watcher reported an error'),
  revisionCheckFailed: def('AKB8005', 'warning', 'the cheap revision check (ls-remote / manifest digest) failed'),
  olderRevision: def('AKB8006', 'error', 'the revision to apply is an ancestor of the last applied one; refused so the server is not rolled back', {
    ancestor: 'revision {{revision}} is an ancestor of {{last}}, the last applied revision: refusing to roll the server back (push a new commit to change it)',
  }),
} as const;
