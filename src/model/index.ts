export type * from './types.js';
export type * from './ports.js';
export { ApiError, SourceError } from './errors.js';
