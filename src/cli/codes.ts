// Diagnostics the command line raises itself (AKB90xx).
import type { CodeDef } from '../diag/index.js';

export const CLI_CODES = {
  ociUnresolved: { code: 'AKB9001', severity: 'error', title: 'oci:// blueprint path does not resolve (validate --resolve-oci)' },
  usage: { code: 'AKB9002', severity: 'error', title: 'the command line is not usable as given (unknown or conflicting options, busy port); exit 2' },
  approval: { code: 'AKB9003', severity: 'error', title: 'apply could not ask for approval (no terminal) and neither --yes nor CI=true was given' },
  unreachable: { code: 'AKB9004', severity: 'error', title: 'the server could not be reached' },
  source: { code: 'AKB9005', severity: 'error', title: 'a source could not be read' },
  config: { code: 'AKB9006', severity: 'error', title: 'akbp.config.yaml is not valid' },
} satisfies Record<string, CodeDef>;
