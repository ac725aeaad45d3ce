// Diagnostic catalogue of plan (AKB40xx) — stable codes, never renumbered or reused.
import type { CodeDef } from '../diag/index.js';

const def = (code: string, severity: CodeDef['severity'], title: string): CodeDef => ({ code, severity, title });

export const PLAN_CODES = {
  findNoMatch: def('AKB4001', 'error', '!Find matched nothing where a value is required'),
  keyOfNoObject: def('AKB4002', 'error', '!KeyOf names an entry that has no object'),
  mustCreatedExists: def('AKB4003', 'error', 'state must_created but the object already exists'),
  tooManyDeletes: def('AKB4004', 'error', 'prune would delete more objects than --max-deletes allows'),
  conditionUndecided: def('AKB4005', 'error', 'entry condition cannot be decided before apply'),
  notObserved: def('AKB4006', 'error', 'entry was not observed'),
  metaModel: def('AKB4007', 'warning', 'meta model entries are not reconciled'),
  extraUnsupported: def('AKB4008', 'warning', 'blueprint-only field cannot be set through the REST API of this version'),
  managedNotPruned: def('AKB4009', 'info', 'object managed by authentik is never pruned'),
  orphansKept: def('AKB4010', 'info', 'objects akbp created are no longer declared'),
  unknownModel: def('AKB4011', 'error', 'model unknown to this authentik version'),
  unresolved: def('AKB4012', 'error', 'value cannot be computed'),
  nullSecret: def('AKB4013', 'info', 'secret value is null: left untouched'),
} as const;
