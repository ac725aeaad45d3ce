// Diagnostic catalogue of plan (AKB40xx) — stable codes, never renumbered or reused.
import { codeDef } from '../diag/index.js';

const def = codeDef;

export const PLAN_CODES = {
  findNoMatch: def('AKB4001', 'error', '!Find matched nothing where a value is required', {
    authentikWouldWrite: 'authentik would write null here (issue #19715); fix the query or create the object first',
    matchedNothing: '{{field}}: {{find}} matched nothing',
  }),
  keyOfNoObject: def('AKB4002', 'error', 'a reference (!KeyOf, !Find) can never be resolved', {
    failed: '{{field}}: {{why}}',
  }),
  mustCreatedExists: def('AKB4003', 'error', 'state must_created but the object already exists', {
    exists: 'state is must_created but {{model}} {{pk}} already exists',
  }),
  tooManyDeletes: def('AKB4004', 'error', 'prune would delete more objects than --max-deletes allows', {
    metacleanblueprintWouldDelete: 'metacleanblueprint would delete {{length}} {{model}} objects, more than --max-deletes {{maxDeletes}}',
    metacleanblueprintWouldDeleteDetail: 'authentik deletes every object of the model; raise --max-deletes to confirm.',
    pruneWouldDelete: 'prune would delete {{deletes}} objects, more than --max-deletes {{maxDeletes}}',
    pruneWouldDeleteDetail: 'Check that every blueprint source was read; raise --max-deletes to confirm.',
  }),
  conditionUndecided: def('AKB4005', 'error', 'entry condition cannot be decided before apply', {
    conditionCannotDecided: 'condition of {{key}} cannot be decided before apply',
  }),
  notObserved: def('AKB4006', 'error', 'entry was not observed', {
    entryWasNot: 'entry {{key}} was not observed; re-run observe',
  }),
  metaModel: def('AKB4007', 'warning', 'meta model entries are not reconciled', {
    entriesRunServer: '{{model}} entries run server-side actions; akbp does not reconcile them',
  }),
  extraUnsupported: def('AKB4008', 'warning', 'blueprint-only field cannot be set through the REST API of this version', {
    cannotSetThrough: '{{model}}: `{{field}}` cannot be set through the REST API of this authentik version',
  }),
  managedNotPruned: def('AKB4009', 'info', 'object managed by authentik is never pruned', {
    managedAuthentikNot: '{{object}} is managed by authentik ({{managed}}); not pruned',
  }),
  orphansKept: def('AKB4010', 'info', 'objects akbp created are no longer declared', {
    objectSAkbp: '{{length}} object(s) akbp created are no longer declared; --prune deletes them',
  }),
  unknownModel: def('AKB4011', 'error', 'model unknown to this authentik version', {
    metacleanblueprintModelName: 'metacleanblueprint: model_name {{name}} is no model of authentik {{version}}',
    metacleanblueprintModelNameDetail: 'authentik refuses the entry ("Required model does not exist"), failing the blueprint',
    modelDoesNot: 'model {{model}} does not exist in authentik {{version}}',
  }),
  unresolved: def('AKB4012', 'error', 'value cannot be computed', {
    cannotComputedBefore: '{{field}}: cannot be computed before apply',
    failed: '{{field}}: {{why}}',
  }),
  nullSecret: def('AKB4013', 'info', 'secret value is null: left untouched', {
    nullAkbpLeaves: '`{{field}}` is null: akbp leaves it untouched',
  }),
  sameObjectTwice: def('AKB4014', 'error', 'two entries create the same object', {
    twinCreates: 'state is must_created but {{twin}} creates this object earlier in the run',
    twinCreatesDetail: 'authentik applies that declaration first, so the object exists when this one runs and the blueprint fails',
  }),
  pruneUnobserved: def('AKB4016', 'warning', 'an object to prune was not observed', {
    metacleanblueprintWasNot: 'metacleanblueprint: {{model}} was not read, so its objects cannot be deleted',
    wasNotRead: '{{object}}: {{model}} was not read, so it cannot be pruned (observe needs the ownership state)',
    manyNotRead: '{{count}} objects of {{model}} were not read, so they cannot be pruned (observe needs the ownership state)',
  }),
  // Retired: exported entries are created and found again since the pk rewrite map (AKB4027).
  pkOnlyCreate: def('AKB4015', 'error', 'entry identified only by pk cannot be created through the REST API'),
  selfLockout: def('AKB4017', 'error', "the plan takes the API token's own user out of every superuser group", {
    thisPlanApi: 'this plan {{what}}: the API token akbp uses belongs to {{username}}, so authentik would refuse the rest of the apply (403)',
    thisPlanApiDetail: "Keep the token's user in a superuser group, or apply with the token of another superuser.",
  }),
  fieldSetTwice: def('AKB4018', 'warning', 'two entries set one field of the same object to different values', {
    winsOver: '{{field}} of {{model}} {{object}}: {{winner}} wins over {{loser}}',
    winsOverDetail:
      '{{loser}} sets another value; authentik applies the declarations in instance order ({{loser}} first), so the object keeps this one. Keep one value, or --strict refuses the plan.',
  }),
  foundNotPruned: def('AKB4019', 'info', 'an object a current !Find answers is never pruned', {
    metacleanblueprintWhatCurrent: "metacleanblueprint: {{model}} {{pk}} is what a current entry's !Find finds; not deleted",
    whatCurrentEntry: "{{object}} is what a current entry's !Find finds; not pruned",
  }),
  nullPassword: def('AKB4022', 'error', 'a null user password, which authentik before 2023.8 refuses', {
    passwordNullWhich: '`password` is null, which authentik {{version}} refuses ("This field may not be null."), failing the blueprint',
    passwordNullWhichDetail: 'set the variable, or leave `password` out; authentik 2023.8 and later treat null as "leave untouched"',
  }),
  requiredMissing: def('AKB4021', 'error', 'an object the plan creates lacks a field the server requires on create', {
    missing: '{{model}} {{object}} does not exist and {{fields}} {{verb}} required to create it',
    missingDetail: 'authentik {{version}} refuses the create ("This field is required."), failing the blueprint; add {{pronoun}} to attrs',
  }),
  permissionInvalid: def('AKB4023', 'error', 'a permission is not an `app_label.codename` string', {
    permissionNotPermission: 'permission: {{permission}} is not a permission',
    permissionNotPermissionDetail: 'expected a codename such as view_flow, or app_label.codename',
    notPermission: '{{field}}: {{value}} is not a permission',
    notPermissionDetail: 'expected a list of `app_label.codename` strings, e.g. authentik_flows.view_flow',
  }),
  permissionSubjectMissing: def('AKB4024', 'error', 'a permission names a role that does not exist', {
    permissionRoleDoes: 'permission {{permission}}: role {{role}} does not exist',
    permissionRoleDoesDetail: 'authentik fails the blueprint when a permission names a role that does not exist',
  }),
  userPermissions: def('AKB4025', 'warning', "a user's permissions need its managed role, which the REST API cannot create", {
    userNoManaged: '{{what}}: the user has no managed role to hold it',
    userNoManagedDetail:
      "authentik since 2025.10 keeps a user's own permissions in a managed role that only authentik itself creates; grant the permission to a role the user is a member of instead",
  }),
  findNull: def('AKB4020', 'warning', '!Find matched nothing: null is written to a nullable field, as authentik does', {
    nullMatchedNothing: '{{field}}: null — {{find}} matched nothing',
    nullMatchedNothingDetail: 'authentik writes null when a !Find matches nothing; create the object first if a value was meant (--strict refuses this)',
  }),
  danglingPk: def('AKB4027', 'error', 'a raw pk in a reference field names no object on the server nor an exported entry', {
    pkNeitherOn: '{{field}}: pk {{value}} is neither on the server ({{searched}}) nor exported by an earlier entry of this file',
  }),
  integerPkOther: def('AKB4028', 'warning', 'an exported integer pk matches an object whose unique fields differ: authentik overwrites it', {
    pkHereNot: 'pk {{pk}} is {{model}} {{got}} here, not {{want}}',
    pkHereNotDetail:
      'an integer pk from another install names whatever this one numbered {{pk}}; authentik overwrites it, and so does this plan ({{other}} changes). Drop pk from the identifiers to match by {{other}} instead.',
  }),
} as const;
