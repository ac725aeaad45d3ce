// Values every stage shares: deferred references (`!KeyOf`, `!Find` and the tags waiting on them),
// the Python semantics authentik evaluates them with, and the program's async pool. Imports only model.
export { describeDeferred, findQueryKey, isDeferred, resolveDeferred, containsDeferred } from './deferred.js';
export type { DeferredResolver, ResolveResult } from './deferred.js';
export { pyTruthy, pyTypeName, pyRepr, pyStr, pyFloatRepr, pyPercentFormat, DEFAULT_MAX_FORMAT_LENGTH, type FormatResult } from './python.js';
export { atIndexOp, conditionOp, setOwn, stableStringify, CONDITION_MODES, type OpResult } from './ops.js';
export { mapLimit, Semaphore } from './pool.js';
export { globMatch } from './glob.js';
export { formatIdentity, modelKind, objectLabel } from './identity.js';
export { escapePointer, unescapePointer, pointerOf, pointerTokens } from './pointer.js';
