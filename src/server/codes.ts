// Diagnostic codes of the REST client: AKB6001–AKB6049 (the sandbox keeps the rest of AKB6xxx).
// Stable: never renumber or reuse a code.
import { codeDef as def } from '../diag/index.js';

export const SERVER_CODES = {
  fieldRejected: def('AKB6001', 'error', 'authentik rejected a field value (400)', {
    objectRejected: 'authentik rejected {{model}}: {{text}}',
    fieldRejected: 'authentik rejected {{path}}: {{text}}',
  }),
  requestRejected: def('AKB6002', 'error', 'authentik rejected the request without naming a field (400)', {
    rejected: 'authentik rejected {{method}} {{path}}{{suffix}}',
    passwordHint: 'authentik refuses a password with an empty 400 (e.g. when its password policy rejects it)',
    keyHint: 'set_key needs a non-empty key',
    noDetails: 'authentik answered 400 to {{method}} {{path}} without details',
  }),
  permissionDenied: def('AKB6003', 'error', "the token's user lacks a permission (403)", {
    needs: "the token's user needs permission to {{phrase}} ({{codename}}); use a superuser token",
    needsDetail: 'authentik answered 403 to {{what}}{{suffix}}',
  }),
  authenticationFailed: def('AKB6004', 'error', 'authentik did not accept the API token (403)', {
    refused: 'authentik did not accept the API token: {{detail}}',
    refusedDetail: 'use a token with intent "API" of an active superuser, passed via --token or AUTHENTIK_TOKEN',
  }),
  referenceMissing: def('AKB6005', 'error', 'a referenced object does not exist on the server (404)', {
    missing: '{{reference}} points at an object that does not exist on the server',
    missingDetail: 'authentik answered 404 to {{what}}; create the target first or fix the reference',
  }),
  objectMissing: def('AKB6006', 'error', 'the object no longer exists on the server (404)', {
    gone: '{{model}} was not found on the server ({{what}})',
    goneDetail: 'it was deleted (or hidden from this token) since it was read; run plan again',
  }),
  rateLimited: def('AKB6007', 'error', 'authentik kept throttling requests (429)', {
    throttled: 'authentik kept answering 429 Too Many Requests to {{what}}',
    throttledDetail: 'retry later or lower --concurrency; a proxy in front of authentik may be rate limiting',
  }),
  unreachable: def('AKB6008', 'error', 'authentik could not be reached', {
    cannotReach: 'cannot reach authentik: {{detail}} ({{what}})',
    cannotReachDetail: 'check --server / AUTHENTIK_URL, the network, and TLS settings (--ca, --insecure)',
  }),
  methodNotAllowed: def('AKB6009', 'error', 'authentik does not offer this operation (405/415)', {
    notAllowed: 'authentik does not allow {{what}}{{suffix}}',
  }),
  unexpected: def('AKB6010', 'error', 'unexpected answer from authentik', {
    failed: 'request to authentik failed: {{message}}',
    status: 'unexpected answer {{status}} to {{what}}{{suffix}}',
  }),
  uncertainWrite: def('AKB6011', 'error', 'a write may or may not have happened', {
    uncertain: '{{method}} {{path}}: {{cause}}; {{state}}',
    uncertainDetail: 'akbp looked the object up by its identifiers and could not confirm it; run plan again before applying',
    lostConnection: 'the connection was lost',
    answered: 'authentik answered {{status}}',
    created: '{{model}} may or may not have been created (or the action may or may not have run)',
    updated: 'the update of {{model}} may or may not have been saved',
    deleted: '{{model}} may or may not have been deleted',
    read: 'nothing was changed by this read',
  }),
  serverFailed: def('AKB6012', 'error', 'authentik failed (5xx)', {
    failed: 'authentik failed with {{status}} on {{what}}',
  }),
} as const;
