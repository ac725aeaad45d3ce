// Diagnostic catalogue of apply (AKB5xxx) — stable codes, never renumbered or reused.
import { codeDef } from '../diag/index.js';

const def = codeDef;

export const APPLY_CODES = {
  notApplyable: def('AKB5001', 'error', 'the plan has errors or conflicts and cannot be applied', {
    hasErrors: 'the plan has errors or conflicts; nothing was written',
  }),
  stale: def('AKB5002', 'error', 'the object changed on the server since the plan was made', {
    changedMakeNewPlan: '{{who}}: {{fields}} changed on the server since the plan; make a new plan',
    changedMakeNewPlanDetail: 'akbp refuses to overwrite a change it has not shown you.',
    changedSincePlan: '{{who}}: {{fields}} changed on the server since the plan',
    cannotCheck: 'cannot check {{model}} against the server: {{why}}',
  }),
  serverRejected: def('AKB5003', 'error', 'the server rejected a write', {
    request: '{{who}}: {{method}} {{path}} → {{status}}',
    requestReason: '{{who}}: {{method}} {{path}} → {{status}}: {{reason}}',
    failed: '{{who}}: {{why}}',
  }),
  unresolved: def('AKB5004', 'error', 'a value known only at apply time could not be computed', {
    atApplyTime: '{{who}}: `{{field}}` could not be computed at apply time: {{why}}',
    extraField: '{{key}}: `{{field}}` could not be computed: {{why}}',
  }),
  secretChanged: def('AKB5005', 'error', 'a secret differs from the one the plan was made with', {
    notPlanned: '{{key}}: `{{field}}` is not the value the plan was made with; make a new plan',
  }),
  secretMissing: def('AKB5006', 'error', 'a secret the plan sets is not in the blueprints given to apply', {
    missing: '{{key}}: `{{field}}` is set by the plan but missing from the blueprints given to apply',
  }),
  rollbackFailed: def('AKB5007', 'error', 'a change could not be undone', {
    notDeleted: '{{label}} (pk {{pk}}) was not deleted: {{why}}',
    notDeletedDetail:
      "It was created by this run and stays on the server, recorded as akbp's. To finish: re-run `akbp apply` to apply the blueprint whole after all, or delete it by hand.",
    notDeletedDetailAt:
      "It was created by this run and stays on the server, recorded as akbp's. To finish: re-run `akbp apply` to apply the blueprint whole after all, or delete it by hand: DELETE {{where}}.",
    notSetBack: '{{label}} (pk {{pk}}): {{fields}} not set back: {{why}}',
    notSetBackDetail:
      'It keeps the values this run wrote. To finish: re-run `akbp apply` to apply the blueprint whole after all, or set {{fields}} back by hand to the values the plan shows as before.',
    notSetBackDetailAt:
      'It keeps the values this run wrote. To finish: re-run `akbp apply` to apply the blueprint whole after all, or set {{fields}} back by hand to the values the plan shows as before (PATCH {{where}}).',
    notTakenBack: '{{label}} (pk {{pk}}): permissions granted to role {{role}} were not taken back: {{why}}',
    notTakenBackDetail:
      'The role keeps the permissions this run granted. To finish: re-run `akbp apply` to apply the blueprint whole after all, or take back the grants the plan shows by hand: PATCH {{where}}.',
    notTakenBackObjectDetail:
      'The role keeps the permissions this run granted on this object. To finish: re-run `akbp apply` to apply the blueprint whole after all, or take back the grants the plan shows by hand: PATCH {{where}}.',
    lostCreate: '{{label}} may have been created by the failed request and was not undone',
    lostCreateDetail:
      "Without the server's answer akbp cannot tell whether it exists. The create stays announced in the ownership record, so the next `akbp apply` finds it and keeps it as akbp's; to remove it instead, look for it and delete it by hand.",
    lostCreateDetailIn:
      "Without the server's answer akbp cannot tell whether it exists. The create stays announced in the ownership record, so the next `akbp apply` finds it and keeps it as akbp's; to remove it instead, look for it in {{listUrl}} and delete it by hand.",
  }),
  notUndoable: def('AKB5008', 'warning', 'a change cannot be undone by rollback', {
    cannotUndo: '{{label}}: {{why}}',
    secretOrAction: 'a secret the server never shows, or a value set through its action, cannot be restored',
    deleted: 'a deleted object cannot be restored',
  }),
  uncertain: def('AKB5009', 'warning', 'a write may or may not have reached the server', {
    request: '{{who}}: {{method}} {{path}} → {{status}}',
    requestReason: '{{who}}: {{method}} {{path}} → {{status}}: {{reason}}',
    connectionFailedDetail: 'The connection failed mid-request: the write may or may not have happened. Plan again before retrying.',
    answeredDetail:
      'authentik answered {{status}}, which it can do after making the change: the write may or may not have happened. Plan again before retrying.',
  }),
  serverMismatch: def('AKB5010', 'error', 'the plan was made against another server', {
    otherServer: 'the plan was made for {{planUrl}}, not {{url}}',
  }),
  gone: def('AKB5011', 'error', 'the object the plan updates no longer exists', {
    creatorDidNotRun: '{{who}}: {{creator}} that creates this object did not run',
    changeDidNotRun: '{{who}}: the change that creates this object did not run',
    noLongerExists: '{{who}}: {{model}} {{pk}} no longer exists; make a new plan',
    deletedSincePlan: '{{who}}: {{model}} {{pk}} was deleted since the plan',
  }),
  appeared: def('AKB5012', 'error', 'an object the plan creates exists already', {
    nowMatches: '{{who}}: {{model}} {{pk}} now matches this entry; the plan would create a duplicate',
  }),
  notRecorded: def('AKB5013', 'error', 'the ownership record could not be written; apply stopped', {
    notWritten: 'the ownership record could not be written: {{why}}',
  }),
  instanceRolledBack: def('AKB5014', 'info', 'the applied changes of unfinished blueprint instances were undone', {
    rolledBack: 'rolled back {{count}} applied change(s) of {{instances}}',
    triedRollBack: 'tried to roll back {{count}} applied change(s) of {{instances}}',
    rollbackOnFailureDetail: 'every applied change was undone (--rollback-on-failure)',
    wholeBlueprintDetail:
      'a blueprint is applied whole or not at all, as authentik applies it in one transaction; blueprints that finished stay applied (--no-rollback keeps everything)',
    landedDeleted: '{{label}}: the failed create had landed after all (pk {{pk}}); deleted',
  }),
} as const;
