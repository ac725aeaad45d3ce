// Diagnostic catalogue of apply (AKB5xxx) — stable codes, never renumbered or reused.
import { codeDef } from '../diag/index.js';

const def = codeDef;

export const APPLY_CODES = {
  notApplyable: def('AKB5001', 'error', 'the plan has errors or conflicts and cannot be applied'),
  stale: def('AKB5002', 'error', 'the object changed on the server since the plan was made'),
  serverRejected: def('AKB5003', 'error', 'the server rejected a write'),
  unresolved: def('AKB5004', 'error', 'a value known only at apply time could not be computed'),
  secretChanged: def('AKB5005', 'error', 'a secret differs from the one the plan was made with'),
  secretMissing: def('AKB5006', 'error', 'a secret the plan sets is not in the blueprints given to apply'),
  rollbackFailed: def('AKB5007', 'error', 'a change could not be undone'),
  notUndoable: def('AKB5008', 'warning', 'a change cannot be undone by rollback'),
  uncertain: def('AKB5009', 'warning', 'a write may or may not have reached the server'),
  serverMismatch: def('AKB5010', 'error', 'the plan was made against another server'),
  gone: def('AKB5011', 'error', 'the object the plan updates no longer exists'),
  appeared: def('AKB5012', 'error', 'an object the plan creates exists already'),
  notRecorded: def('AKB5013', 'error', 'the ownership record could not be written; apply stopped'),
  instanceRolledBack: def('AKB5014', 'info', 'the applied changes of unfinished blueprint instances were undone'),
} as const;
