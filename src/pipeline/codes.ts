// Diagnostics the pipeline itself raises when it refuses a saved plan (AKB91xx, in the cli range).
import type { CodeDef } from '../diag/index.js';

export const PIPELINE_CODES = {
  sourceChanged: { code: 'AKB9101', severity: 'error', title: 'blueprints changed since the saved plan was made' },
  planNotApplyable: { code: 'AKB9102', severity: 'error', title: 'saved plan has errors' },
  planChanged: { code: 'AKB9103', severity: 'error', title: 'saved plan differs from what its sources produce against the server now' },
  planVersion: { code: 'AKB9104', severity: 'error', title: 'saved plan was written by another akbp version' },
  planInvalid: { code: 'AKB9105', severity: 'error', title: 'file given to apply is not a saved akbp plan' },
  filesBlocked: { code: 'AKB9106', severity: 'info', title: 'files left out of this run: their objects are neither changed nor pruned' },
} satisfies Record<string, CodeDef>;
