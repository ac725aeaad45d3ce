// Diagnostics the pipeline itself raises when it refuses a saved plan (AKB91xx, in the cli range).
import { codeDef as def } from '../diag/index.js';

export const PIPELINE_CODES = {
  sourceChanged: def('AKB9101', 'error', 'blueprints changed since the saved plan was made', {
    changed: 'the blueprints changed since this plan was made',
    changedDetail: 'plan was made from {{then}}, the sources are now {{now}}; run akbp plan again',
  }),
  planNotApplyable: def('AKB9102', 'error', 'saved plan has errors', {
    hasErrors: 'this plan has errors and cannot be applied',
    hasErrorsDetail: 'run akbp plan again after fixing them',
  }),
  planChanged: def('AKB9103', 'error', 'saved plan differs from what its sources produce against the server now', {
    differs: "the saved plan's changes are not the ones its sources produce against the server now ({{count}} differ)",
    differsDetail: '{{shown}}. The file was edited, or apply was given other --context values than plan; run akbp plan again and apply the new plan.',
  }),
  planVersion: def('AKB9104', 'error', 'saved plan was written by another akbp version', {
    version: 'this plan has formatVersion {{version}}: it was written by {{age}} akbp',
    versionDetail: 'this akbp applies plans of formatVersion {{supported}}; run akbp plan again with this version and apply the new plan',
  }),
  planInvalid: def('AKB9105', 'error', 'file given to apply is not a saved akbp plan', {
    unreadable: '{{file}}: cannot read the saved plan: {{why}}',
    unreadableDetail: 'expected the file `akbp plan --out FILE` wrote',
    notJson: 'not a saved akbp plan: the file is not valid JSON',
    notJsonDetail: 'expected the file `akbp plan --out FILE` wrote, unchanged',
    schema: 'not a saved akbp plan: {{errors}}',
    schemaDetail: 'expected a file matching schemas/plan.schema.json, as `akbp plan --out FILE` writes it; a blueprint source is YAML, not .json',
  }),
  filesBlocked: def('AKB9106', 'info', 'files left out of this run: their objects are neither changed nor pruned', {
    leftOut: '{{count}} file(s) left out of this run: {{names}}',
    leftOutDetail:
      'each file has its own error, at the place that blocks it. The other files are planned and applied; the objects of these files are neither changed nor pruned until they are fixed, and the run fails (exit 1).',
  }),
} as const;
