// Diagnostic catalogue of plan (AKB40xx) — stable codes, never renumbered or reused.
import { codeDef } from '../diag/index.js';

const def = codeDef;

export const PLAN_CODES = {
  findNoMatch: def('AKB4001', 'error', '!Find matched nothing where a value is required'),
  keyOfNoObject: def('AKB4002', 'error', 'a reference (!KeyOf, !Find) can never be resolved'),
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
  sameObjectTwice: def('AKB4014', 'error', 'two entries create the same object'),
  pruneUnobserved: def('AKB4016', 'warning', 'an object to prune was not observed'),
  // Retired: exported entries are created and found again since the pk rewrite map (AKB4027).
  pkOnlyCreate: def('AKB4015', 'error', 'entry identified only by pk cannot be created through the REST API'),
  selfLockout: def('AKB4017', 'error', "the plan takes the API token's own user out of every superuser group"),
  fieldSetTwice: def('AKB4018', 'warning', 'two entries set one field of the same object to different values'),
  foundNotPruned: def('AKB4019', 'info', 'an object a current !Find answers is never pruned'),
  nullPassword: def('AKB4022', 'error', 'a null user password, which authentik before 2023.8 refuses'),
  requiredMissing: def('AKB4021', 'error', 'an object the plan creates lacks a field the server requires on create'),
  permissionInvalid: def('AKB4023', 'error', 'a permission is not an `app_label.codename` string'),
  permissionSubjectMissing: def('AKB4024', 'error', 'a permission names a role that does not exist'),
  userPermissions: def('AKB4025', 'warning', "a user's permissions need its managed role, which the REST API cannot create"),
  findNull: def('AKB4020', 'warning', '!Find matched nothing: null is written to a nullable field, as authentik does'),
  danglingPk: def('AKB4027', 'error', 'a raw pk in a reference field names no object on the server nor an exported entry'),
  integerPkOther: def('AKB4028', 'warning', 'an exported integer pk matches an object whose unique fields differ: authentik overwrites it'),
} as const;
