// Diagnostics the command line raises itself (AKB90xx).
import type { CodeDef } from '../diag/index.js';

export const CLI_CODES = {
  ociUnresolved: { code: 'AKB9001', severity: 'error', title: 'oci:// blueprint path does not resolve (validate --resolve-oci)' },
} satisfies Record<string, CodeDef>;
