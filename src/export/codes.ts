// Diagnostic catalogue of export (AKB43xx) — stable codes, never renumbered or reused.
import { codeDef } from '../diag/index.js';

const def = codeDef;

export const EXPORT_CODES = {
  listFailed: def('AKB4301', 'warning', 'a model could not be read from the server; its objects are not exported', {
    readFailed: 'reading {{model}} failed: {{why}}',
    readFailedDetail: 'expected the API token to be allowed to list every model (a superuser token)',
  }),
  noNaturalKey: def('AKB4302', 'warning', 'object has no natural key: identified by pk, which only matches on this install', {
    noKey: '{{model}} {{pk}}: no unique field or name to identify it by',
    noKeyDetail: 'expected a slug, name or unique-together fields; the entry is identified by pk',
  }),
  danglingReference: def('AKB4303', 'warning', 'a reference points at an object that was not read: its pk is written as is', {
    notRead: '{{model}}.{{field}} points at {{value}}, which was not read',
    notReadDetail: 'expected an object of {{targets}}; the value only means something on this install',
  }),
  duplicateKey: def('AKB4304', 'warning', 'two objects share a natural key: the second is left out', {
    twice: '{{model}} "{{key}}" appears twice on the server',
    twiceDetail: 'expected {{fields}} to identify one object; the object with pk {{pk}} is left out',
  }),
  passwordOmitted: def('AKB4305', 'info', 'user passwords are not readable and are not exported'),
  keyOfCycle: def('AKB4306', 'warning', 'entries of one file reference each other in a cycle', {
    cycle: '{{file}}: {{ids}} reference each other',
    cycleDetail: 'expected references without cycles; authentik applies a file top to bottom',
  }),
} as const;
