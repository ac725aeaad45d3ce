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
  importNoEntry: def('AKB9220', 'error', 'akbp import: no compiled entry has this key (or the suffix is ambiguous)'),
  importNoObject: def('AKB9221', 'error', "akbp import: the server has no object of the entry's model with this pk"),
  importWrongModel: def('AKB9222', 'error', 'akbp import: the pk belongs to an object of another model'),
  importMismatch: def('AKB9223', 'error', "akbp import: the object does not match the entry's identifiers"),
  importOwned: def('AKB9224', 'error', 'akbp import: the entry key (or the object) is already recorded for another object (or key)'),
} as const;
