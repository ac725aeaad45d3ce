// Diagnostic codes of the REST client: AKB6001–AKB6049 (the sandbox keeps the rest of AKB6xxx).
// Stable: never renumber or reuse a code.
import type { CodeDef } from '../diag/index.js';

export const SERVER_CODES = {
  fieldRejected: { code: 'AKB6001', severity: 'error', title: 'authentik rejected a field value (400)' },
  requestRejected: { code: 'AKB6002', severity: 'error', title: 'authentik rejected the request without naming a field (400)' },
  permissionDenied: { code: 'AKB6003', severity: 'error', title: "the token's user lacks a permission (403)" },
  authenticationFailed: { code: 'AKB6004', severity: 'error', title: 'authentik did not accept the API token (403)' },
  referenceMissing: { code: 'AKB6005', severity: 'error', title: 'a referenced object does not exist on the server (404)' },
  objectMissing: { code: 'AKB6006', severity: 'error', title: 'the object no longer exists on the server (404)' },
  rateLimited: { code: 'AKB6007', severity: 'error', title: 'authentik kept throttling requests (429)' },
  unreachable: { code: 'AKB6008', severity: 'error', title: 'authentik could not be reached' },
  methodNotAllowed: { code: 'AKB6009', severity: 'error', title: 'authentik does not offer this operation (405/415)' },
  unexpected: { code: 'AKB6010', severity: 'error', title: 'unexpected answer from authentik' },
  uncertainWrite: { code: 'AKB6011', severity: 'error', title: 'a write may or may not have happened' },
  serverFailed: { code: 'AKB6012', severity: 'error', title: 'authentik failed (5xx)' },
} as const satisfies { [name: string]: CodeDef };
