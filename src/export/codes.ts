// Diagnostic catalogue of export (AKB43xx) — stable codes, never renumbered or reused.
import { codeDef } from '../diag/index.js';

const def = codeDef;

export const EXPORT_CODES = {
  listFailed: def('AKB4301', 'warning', 'a model could not be read from the server; its objects are not exported'),
  noNaturalKey: def('AKB4302', 'warning', 'object has no natural key: identified by pk, which only matches on this install'),
  danglingReference: def('AKB4303', 'warning', 'a reference points at an object that was not read: its pk is written as is'),
  duplicateKey: def('AKB4304', 'warning', 'two objects share a natural key: the second is left out'),
  passwordOmitted: def('AKB4305', 'info', 'user passwords are not readable and are not exported'),
  keyOfCycle: def('AKB4306', 'warning', 'entries of one file reference each other in a cycle'),
} as const;
