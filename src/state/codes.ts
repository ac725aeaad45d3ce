// Diagnostic catalogue of the state backends (AKB92xx, in the cli range: state is driver-side,
// like the pipeline's AKB91xx) — stable codes, never renumbered or reused.
import { codeDef } from '../diag/index.js';

const def = codeDef;

export const STATE_CODES = {
  corrupt: def('AKB9201', 'error', 'the ownership state cannot be read', {
    notStateFile: '{{file}}: not a state file ({{why}})',
    secretRecordMalformed: '{{where}}: secret record {{key}}/{{f}} is malformed (expected digest and setAt)',
    objectRecordMalformed: '{{where}}: object record {{key}} is malformed (expected model and pk)',
    unknownFormat: '{{where}}: unsupported state format (expected an object with formatVersion 1 or 2)',
    notValidJson:
      "{{path}}: not valid JSON ({{why}}); refusing to overwrite akbp's ownership record — restore it from a backup or `akbp state push` a good copy",
    noRecord: '{{where}}: its context holds no akbp record; restore it with `akbp state push`',
  }),
  unsupported: def('AKB9202', 'error', 'the ownership state was written by a newer akbp', {
    newerFormat: '{{where}}: unsupported state format {{v}} (this akbp reads formats 1 and 2); upgrade akbp',
    olderSchema: "{{store}}: schema version {{from}} is older than this akbp's ({{known}}); run `akbp state migrate`",
    newerSchema: '{{store}}: schema version {{from}} is newer than this akbp knows ({{known}}); upgrade akbp',
  }),
  conflict: def('AKB9203', 'error', 'the ownership state changed since it was read (another writer)', {
    carriesNoVersion: '{{file}} carries no version and {{store}} is not empty; push --force to replace it anyway',
    pulledVersion: '{{store}} is at version {{current}}, {{file}} was pulled at version {{pulledAt}}; pull again, or push --force to replace it anyway',
    keyExists: '{{store}}: {{key}} exists already; `akbp state rm` it first',
    changedSince: '{{path}}: the state changed since it was read (version {{expectedVersion}} read, {{cur}} now); another akbp run wrote it — run again',
    changedSinceNewer:
      '{{store}}: the state changed since it was read (version {{expectedVersion}} read, a newer one exists); another akbp run wrote it — run again',
  }),
  keyMissing: def('AKB9204', 'error', 'AKBP_STATE_KEY is required for this state backend', {
    emptyKey: 'a secret digest needs a non-empty key',
    postgresKey: 'the postgres state backend needs AKBP_STATE_KEY (a long random string, the same for every runner): it keys the password digests',
    authentikKey:
      'the authentik state backend needs AKBP_STATE_KEY (a long random string, the same on every runner): it signs the record and keys the password digests',
  }),
  locked: def('AKB9205', 'error', 'another akbp run holds the apply lock', {
    lockedHolder: 'another akbp run holds the apply lock on {{store}} ({{reason}}{{holder}}); wait longer with --lock-timeout',
    lockedBy: 'another akbp run holds the apply lock on {{store}} ({{reason}})',
    fileLocked: '{{path}}: another process is writing the state ({{reason}})',
  }),
  backend: def('AKB9206', 'error', 'the state backend failed', {
    cannotCreateKey: '{{file}}: cannot create the state key: {{errno}}',
    cannotReadKey: '{{file}}: cannot read the state key: {{errno}}',
    cannotReadFile: '{{path}}: cannot read the state file: {{why}}',
    failed: '{{store}}: {{why}}',
    failedAt: '{{where}}: {{what}}',
  }),
  badUrl: def('AKB9207', 'error', '--state is not a path, `authentik` or a postgres:// URL', {
    authentikNeedsServer:
      '--state authentik keeps the record on the target server: give --server and --token (or AUTHENTIK_URL and AUTHENTIK_TOKEN), or --sandbox',
    unknownBackend: '--state {{spec}}: unknown backend; use a file path, `authentik` or postgres://user@host/db',
    badWorkspace: "workspace {{workspace}}: use letters, digits, '.', '_' or '-'",
  }),
  migrated: def('AKB9208', 'warning', 'the ownership state was migrated to the current format', {
    migrated: '{{store}}: migrated ({{steps}})',
    migratedDetail:
      'written back in the current format. Passwords akbp set before are set once more on the next apply: their digests now use a salted, slow KDF.',
  }),
  nothingToPrune: def('AKB9209', 'warning', 'the ownership state is empty: --prune can delete nothing', {
    empty: 'the ownership state ({{store}}) records no object akbp created: --prune can delete nothing',
    emptyDetail:
      'akbp prunes only objects it recorded creating. A fresh CI runner has no state file: keep the state where it lasts, with --state authentik or --state postgres://…',
  }),
  noSuchKey: def('AKB9210', 'error', 'no such entry key in the ownership state', {
    noEntry: '{{store}}: no entry {{key}}; `akbp state list` shows the keys',
  }),
  tampered: def('AKB9211', 'error', 'the ownership state does not carry a valid signature', {
    badSignature: "{{where}}: the record's signature does not match (edited on the server, or another AKBP_STATE_KEY); akbp will not trust it",
  }),
  leadership: def('AKB9212', 'error', 'leadership was lost', {
    notLeader: 'this replica is not the leader (any more); the write was not sent',
  }),
  importNoEntry: def('AKB9220', 'error', 'akbp import: no compiled entry has this key (or the suffix is ambiguous)', {
    ambiguous: '{{wanted}} is the end of {{count}} entry keys ({{keys}}); give more of the key',
    noEntry: "no entry has the key {{wanted}}{{similar}}; `akbp plan --format json` shows every entry's key",
    similar: ' (similar: {{keys}})',
    noObjectModel: '{{key}} is a {{model}} entry, which has no object to adopt',
    absent: '{{key}} has state: absent; an object it declares absent is deleted by apply, not adopted',
  }),
  importNoObject: def('AKB9221', 'error', "akbp import: the server has no object of the entry's model with this pk", {
    noObject: 'the server has no {{model}} with pk {{pk}} ({{key}} declares a {{name}})',
  }),
  importWrongModel: def('AKB9222', 'error', 'akbp import: the pk belongs to an object of another model', {
    otherModel: 'pk {{pk}} is a {{other}} on the server, but {{key}} declares a {{model}}; give the pk of a {{name}}',
  }),
  importMismatch: def('AKB9223', 'error', "akbp import: the object does not match the entry's identifiers", {
    identifier: '{{model}} {{pk}} does not match {{key}}: identifier `{{field}}` is {{have}} on the server, the entry expects {{want}}',
    reference: '{{model}} {{pk}} does not match {{key}}: identifier {{fields}} (a reference) {{selects}}',
    selects: 'selects {{model}} {{pk}}',
    selectsNothing: 'selects no existing object',
  }),
  importOwned: def('AKB9224', 'error', 'akbp import: the entry key (or the object) is already recorded for another object (or key)', {
    keyTaken: '{{key}} is already recorded for {{model}} {{pk}} ({{how}}); --force replaces that record (the old object stays on the server)',
    objectTaken: '{{model}} {{pk}} is already recorded under {{otherKey}}; `akbp state mv` moves it, --force records it here instead',
  }),
} as const;
