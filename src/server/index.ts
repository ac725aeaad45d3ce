// The authentik REST adapter: ServerClient on undici, version and schema probes, error diagnostics.
export { createClient } from './client.js';
export { undiciTransport } from './transport.js';
export { normaliseBaseUrl, resolveConnection } from './url.js';
export { detectVersion, fetchServerRegistry } from './version.js';
export { apiErrorDiagnostics } from './diagnostics.js';
export { SERVER_CODES } from './codes.js';
export type { LogLine } from './http.js';
