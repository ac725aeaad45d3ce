// The live-objects layer: an index of objects read from the server, authentik's lookup semantics
// over it (queries, identifier matching, normalised comparison), the entry table, `!Find`
// helpers and the one resolver base (`IndexResolver`). Observe, plan and apply keep only their
// own policy on top of it.
export { ObjectIndex, pkKey, coarseKey, sameLiveObject } from './objects.js';
export { evalQuery, matchIdentifiers, identifierLookup, evalLookup, bodyMatchesQuery } from './match.js';
export { normalizeField, sameField, redactBody, looseEqual, containsJson, canonicalString } from './normalize.js';
export {
  byOrder,
  EntryTable,
  entriesDelta,
  matchesDelta,
  matchesMark,
  noteEntriesDelta,
  noteMatchesChanged,
  sortedEntries,
  type MatchesMark,
} from './entries.js';
export { allFinds, requiredFindKeys } from './finds.js';
export { IndexResolver, type FindQueryArg } from './resolver.js';
export { literalPks, referenceModels } from './refs.js';
export { managedRoleName, ROLE_MODEL, USER_MODEL } from './rbac.js';
