// Diagnostic catalogue of the state backends (AKB92xx, in the cli range: state is driver-side,
// like the pipeline's AKB91xx) — stable codes, never renumbered or reused.
import { codeDef } from '../diag/index.js';

const def = codeDef;

export const STATE_CODES = {
  corrupt: def('AKB9201', 'error', 'the ownership state cannot be read'),
  unsupported: def('AKB9202', 'error', 'the ownership state was written by a newer akbp'),
  conflict: def('AKB9203', 'error', 'the ownership state changed since it was read (another writer)'),
  keyMissing: def('AKB9204', 'error', 'AKBP_STATE_KEY is required for this state backend'),
  locked: def('AKB9205', 'error', 'another akbp run holds the apply lock'),
  backend: def('AKB9206', 'error', 'the state backend failed'),
  badUrl: def('AKB9207', 'error', '--state is not a path, `authentik` or a postgres:// URL'),
  migrated: def('AKB9208', 'warning', 'the ownership state was migrated to the current format'),
  nothingToPrune: def('AKB9209', 'warning', 'the ownership state is empty: --prune can delete nothing'),
  noSuchKey: def('AKB9210', 'error', 'no such entry key in the ownership state'),
  tampered: def('AKB9211', 'error', 'the ownership state does not carry a valid signature'),
  leadership: def('AKB9212', 'error', 'leadership was lost'),
} as const;
