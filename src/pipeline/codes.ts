// Diagnostics the pipeline itself raises when it refuses a saved plan (AKB91xx, in the cli range).
import type { CodeDef } from '../diag/index.js';

export const PIPELINE_CODES = {
  sourceChanged: { code: 'AKB9101', severity: 'error', title: 'blueprints changed since the saved plan was made' },
  planNotApplyable: { code: 'AKB9102', severity: 'error', title: 'saved plan has errors' },
} satisfies Record<string, CodeDef>;
