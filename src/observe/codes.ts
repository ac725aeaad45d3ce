// Diagnostic catalogue of observe (AKB41xx) — stable codes, never renumbered or reused.
import { codeDef } from '../diag/index.js';

const def = codeDef;

export const OBSERVE_CODES = {
  listFailed: def('AKB4101', 'error', 'reading a model from the server failed', {
    readFailed: 'reading {{what}} failed: {{why}}',
    filterFailed: 'filtering {{model}} failed: {{why}}',
    noRbac: 'reading permissions failed: this client has no RBAC endpoints',
  }),
  lookupUnanswerable: def('AKB4102', 'warning', 'a lookup could not be evaluated from the objects read', {
    noFilter: '{{model}}: lookup `{{lookup}}` can be evaluated neither from the objects read nor by a list filter',
  }),
  noListEndpoint: def('AKB4103', 'error', 'model has no list endpoint to observe', {
    cannotObserve: 'cannot observe {{model}}: {{why}}',
  }),
} as const;
