// Diagnostic catalogue of observe (AKB41xx) — stable codes, never renumbered or reused.
import { codeDef } from '../diag/index.js';

const def = codeDef;

export const OBSERVE_CODES = {
  listFailed: def('AKB4101', 'error', 'reading a model from the server failed'),
  lookupUnanswerable: def('AKB4102', 'warning', 'a lookup could not be evaluated from the objects read'),
  noListEndpoint: def('AKB4103', 'error', 'model has no list endpoint to observe'),
} as const;
