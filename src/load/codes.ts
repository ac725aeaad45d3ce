// The load stage's diagnostic catalogue (AKB1xxx). Codes are stable: never renumber or reuse one;
// retire a code by leaving it here unused.
import { codeDef, type CodeDef } from '../diag/index.js';

const def = codeDef;

export const C = {
  // bytes and characters
  invalidUtf8: def('AKB1001', 'error', 'File is not valid UTF-8'),
  badCharacter: def('AKB1002', 'error', 'Character YAML does not allow in a document'),
  empty: def('AKB1003', 'warning', 'File holds no blueprint (empty or only comments); authentik skips it'),
  // YAML syntax
  syntax: def('AKB1004', 'error', 'YAML syntax error'),
  indentation: def('AKB1005', 'error', 'Bad indentation'),
  multipleDocuments: def('AKB1006', 'error', 'More than one YAML document in a file'),
  duplicateKey: def('AKB1007', 'warning', 'Duplicate mapping key (the last one wins)'),
  undefinedAlias: def('AKB1008', 'error', 'Alias to an anchor that is not defined before it'),
  aliasExpansion: def('AKB1009', 'error', 'Aliases expand to a value that is too large or recursive'),
  badMerge: def('AKB1010', 'error', 'Merge key `<<` needs a mapping or a list of mappings'),
  collectionKey: def('AKB1011', 'error', 'Mapping key is a list or mapping'),
  taggedKey: def('AKB1012', 'error', 'authentik tag on a mapping key'),
  nonStringKey: def('AKB1013', 'warning', 'Plain mapping key YAML 1.1 reads as a boolean or null'),
  badTypedScalar: def('AKB1014', 'error', 'Scalar does not fit its YAML type'),
  unsupportedType: def('AKB1015', 'error', 'YAML type that cannot become JSON'),
  bigInteger: def('AKB1016', 'warning', 'Integer too large to keep exactly'),
  // authentik tags
  unknownTag: def('AKB1020', 'error', 'Unknown YAML tag'),
  tagArguments: def('AKB1021', 'error', 'Tag arguments have the wrong shape'),
  conditionMode: def('AKB1022', 'error', 'Unknown !Condition mode'),
  enumerateOutput: def('AKB1023', 'error', 'Unknown !Enumerate output type'),
  enumerateDepth: def('AKB1024', 'error', '!Index / !Value depth is not a non-negative integer'),
  parseJson: def('AKB1025', 'error', '!ParseJSON text is not valid JSON'),
  jsonFormTag: def('AKB1026', 'warning', 'Mapping looks like a JSON-form tag but is not one'),
  extraTagArguments: def('AKB1027', 'warning', 'Extra tag arguments are ignored by authentik'),
  // blueprint structure
  topLevel: def('AKB1030', 'error', 'Blueprint is not a mapping'),
  version: def('AKB1031', 'error', 'Blueprint version is not 1'),
  metadata: def('AKB1032', 'error', 'Invalid metadata'),
  labels: def('AKB1033', 'error', 'Invalid metadata.labels'),
  context: def('AKB1034', 'error', 'context is not a mapping'),
  entries: def('AKB1035', 'error', 'entries is not a list or a mapping of sections'),
  entry: def('AKB1036', 'error', 'Entry is not a mapping'),
  model: def('AKB1037', 'error', 'Entry model missing or not a string'),
  state: def('AKB1038', 'error', 'Entry state invalid'),
  entryId: def('AKB1039', 'error', 'Entry id is not a string'),
  entryMapping: def('AKB1040', 'error', 'Entry identifiers / attrs is not a mapping of string keys'),
  conditions: def('AKB1041', 'error', 'Entry conditions is not a list'),
  permissions: def('AKB1042', 'error', 'Entry permissions invalid'),
  unknownEntryKey: def('AKB1043', 'warning', 'Unknown entry key (authentik ignores it)'),
  topLevelTypo: def('AKB1044', 'warning', 'Unknown top-level key that looks like a typo'),
} as const;

export const LOAD_CODES: CodeDef[] = Object.values(C);
