export type * from './types.js';
export type * from './ports.js';
export { ApiError } from './errors.js';
