// The authentik REST adapter: ServerClient on undici, version and schema probes, error diagnostics.
export { createClient, UNCAPPED_PAGE_SIZE, type ClientOptions } from './client.js';
export { undiciTransport, type UndiciTransportOptions } from './transport.js';
export { normaliseBaseUrl, resolveConnection, type Connection } from './url.js';
export { detectVersion, fetchServerRegistry } from './version.js';
export { apiErrorDiagnostics, type ErrorContext } from './diagnostics.js';
export { SERVER_CODES } from './codes.js';
export type { LogLine } from './http.js';
