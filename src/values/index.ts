// Values every stage shares: deferred references (`!KeyOf`, `!Find` and the tags waiting on them),
// the Python semantics authentik evaluates them with, and the program's async pool. Imports only model.
export { describeDeferred, findQueryKey, isDeferred, resolveDeferred, containsDeferred } from './deferred.js';
export type { DeferredResolver } from './deferred.js';
export { pyTruthy, pyPercentFormat } from './python.js';
export { atIndexOp, conditionOp, setOwn, stableStringify, CONDITION_MODES } from './ops.js';
export { mapLimit, Semaphore } from './pool.js';
export { globMatch } from './glob.js';
export { formatIdentity, objectLabel } from './identity.js';
export { escapePointer, unescapePointer, pointerOf, pointerTokens } from './pointer.js';
