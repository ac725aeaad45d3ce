// The load stage's diagnostic catalogue (AKB1xxx). Codes are stable: never renumber or reuse one;
// retire a code by leaving it here unused.
import { codeDef, type CodeDef } from '../diag/index.js';

const def = codeDef;

export const C = {
  // bytes and characters
  invalidUtf8: def('AKB1001', 'error', 'File is not valid UTF-8', {
    fileNotValid: 'File is not valid UTF-8: byte 0x{{byte}} at byte offset {{at}}',
    fileNotValidDetail: 'Expected UTF-8 text (authentik reads blueprints as UTF-8). Re-save the file with UTF-8 encoding.',
  }),
  badCharacter: def('AKB1002', 'error', 'Character YAML does not allow in a document', {
    characterUNot: 'Character U+{{codepoint}} is not allowed in a YAML document',
    characterUNotDetail:
      'Expected printable characters only: YAML forbids control characters other than tab, line feed and carriage return. Write it as an escape inside a double-quoted string (e.g. "\\x07") or remove it.',
  }),
  empty: def('AKB1003', 'warning', 'File holds no blueprint (empty or only comments); authentik skips it', {
    fileHoldsNo: 'File holds no blueprint (it is empty, only comments, or an empty value)',
    fileHoldsNoDetail: 'Expected a mapping with version: 1 and entries: […]. authentik skips empty files, so nothing in this file is applied.',
  }),
  // YAML syntax
  syntax: def('AKB1004', 'error', 'YAML syntax error', {
    missingChar: 'Missing character',
    missingCharDetail: 'Expected the closing character shown in the message (quote, bracket, brace or ":").',
    unexpectedToken: 'Unexpected content',
    unexpectedTokenDetail: 'Expected a key, a "- " list item or a value here; check indentation and unbalanced brackets or quotes.',
    badScalarStart: 'Value starts with a reserved character',
    badScalarStartDetail: 'Expected a quoted string for values that start with @ or ` (e.g. "@value").',
    badDqEscape: 'Invalid escape in a double-quoted string',
    badDqEscapeDetail: 'Expected a YAML escape (\\\\, \\", \\n, \\t, \\xXX, \\uXXXX…); use single quotes to keep backslashes literally.',
    multipleTags: 'More than one tag on a node',
    multipleTagsDetail: 'Expected at most one tag per node: tags cannot be stacked (e.g. !ParseJSON !Env X is impossible in authentik too).',
    multipleAnchors: 'More than one anchor on a node',
    multipleAnchorsDetail: 'Expected at most one &anchor per node.',
    aliasProps: 'Alias with a tag or anchor',
    aliasPropsDetail: 'Expected a bare alias (*name): it cannot carry a tag or an anchor.',
    badAlias: 'Invalid alias',
    badAliasDetail: 'Expected *name where &name is an anchor defined earlier.',
    blockInFlow: 'Block syntax inside [ ] or { }',
    blockInFlowDetail: 'Expected flow syntax inside brackets: items separated by commas, no "- " items or indented blocks.',
    keyOver1024Chars: 'Implicit key longer than 1024 characters',
    keyOver1024CharsDetail: 'Expected a shorter key, or an explicit key ("? key").',
    badDirective: 'Invalid directive',
    badDirectiveDetail: 'Expected %YAML 1.1 or %TAG directives only, before a --- line.',
    missingAnchor: 'Alias to an unknown anchor',
    missingAnchorDetail: 'Expected *name where &name is an anchor defined earlier.',
    syntaxError: 'YAML syntax error',
    syntaxErrorDetail: 'Expected valid YAML here.',
    parserError: '{{phrase}}: {{reason}}',
    tabCharacterOutside: 'Tab character outside a quoted string',
    tabCharacterOutsideDetail:
      "Expected spaces here: authentik's YAML parser (PyYAML) rejects tabs between or after values and inside unquoted text. Use spaces, or quote the string if the tab belongs to it.",
  }),
  indentation: def('AKB1005', 'error', 'Bad indentation', {
    badIndent: 'Bad indentation',
    badIndentDetail:
      'Expected the keys of one mapping (and the items of one list) to start in the same column, nested content indented further than its parent key.',
    tabAsIndent: 'Tab used for indentation',
    tabAsIndentDetail: 'Expected spaces for indentation; YAML does not allow tabs there.',
    blockAsImplicitKey: 'A nested mapping starts on the same line as its key or is indented wrongly',
    blockAsImplicitKeyDetail: 'Expected the nested mapping on the next lines, indented more than its key (or quote a value that contains ": ").',
    multilineImplicitKey: 'Line is not a "key: value" pair at this indentation',
    multilineImplicitKeyDetail: 'Expected "key: value" on one line, aligned with its sibling keys; check the indentation of this line and the one before.',
    badIndentationThis: 'Bad indentation: this line is indented deeper than the key before it',
    badIndentationThisDetail: 'Expected it in the same column as its sibling key above, or nested under a key that ends with ":" and has no value on its line.',
  }),
  multipleDocuments: def('AKB1006', 'error', 'More than one YAML document in a file', {
    fileHoldsMore: 'File holds more than one YAML document',
    fileHoldsMoreDetail:
      'Expected exactly one document: authentik loads a single blueprint per file. Remove the extra "---" / "..." separator or split the file.',
  }),
  duplicateKey: def('AKB1007', 'warning', 'Duplicate mapping key (the last one wins)', {
    duplicateKeyThis: 'Duplicate key "{{key}}" (this later one wins)',
    duplicateKeyThisDetail: 'Expected each key once per mapping; PyYAML keeps the last value and authentik never sees the earlier one.',
  }),
  undefinedAlias: def('AKB1008', 'error', 'Alias to an anchor that is not defined before it', {
    aliasRefersAnchor: 'Alias *{{source}} refers to an anchor that is not defined before it',
    aliasRefersAnchorDetail: 'Expected an anchor &{{source}} on a node earlier in the file.',
  }),
  aliasExpansion: def('AKB1009', 'error', 'Aliases expand to a value that is too large or recursive', {
    aliasesExpandMore: 'Aliases expand to more than {{ALIAS_NODE_BUDGET}} nodes',
    aliasesExpandMoreDetail: 'Expected a document whose aliases (*name) expand to a reasonable size; nested aliases multiply.',
    aliasUsedInside: 'Alias *{{source}} is used inside its own anchor',
    aliasUsedInsideDetail: 'Expected an alias outside the node it refers to: a recursive value cannot become JSON.',
  }),
  badMerge: def('AKB1010', 'error', 'Merge key `<<` needs a mapping or a list of mappings', {
    mergeKeyNeeds: 'Merge key << needs a mapping, found {{what}}',
    mergeKeyNeedsDetail: 'Expected `<<: *anchor` or `<<: [*a, *b]` where each anchor names a mapping; quote the key ("<<") to use it as a plain key.',
  }),
  collectionKey: def('AKB1011', 'error', 'Mapping key is a list or mapping', {
    listMappingCannot: 'A list or mapping cannot be a mapping key',
    listMappingCannotDetail: 'Expected a scalar key (a name, number or quoted string); PyYAML rejects unhashable keys.',
  }),
  taggedKey: def('AKB1012', 'error', 'authentik tag on a mapping key', {
    tagCannotUsed: 'Tag {{tag}} cannot be used on a mapping key',
    tagCannotUsedDetail:
      'Expected a plain key: put the tag on the value instead (key: {{tag}} …). PyYAML would make the tag object itself the key, which authentik cannot use.',
  }),
  nonStringKey: def('AKB1013', 'warning', 'Plain mapping key YAML 1.1 reads as a boolean or null', {
    keyReadAs: 'Key {{shown}} is read as {{reading}}, not as the text "{{text}}"',
    keyReadAsDetail: 'Expected a string key? Quote it ("{{text}}"). As written it becomes the JSON key "{{value}}".',
  }),
  badTypedScalar: def('AKB1014', 'error', 'Scalar does not fit its YAML type', {
    notBoolean: 'The value is not a YAML 1.1 boolean (yes/no, true/false, on/off)',
    notInteger: 'The value is not an integer',
    notNumber: 'The value is not a number',
    notTimestamp: 'The value is not a timestamp (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.f][±HH:MM])',
    notDate: 'The value is not a valid calendar date',
    notTime: 'The value is not a valid time of day',
    offsetTooLarge: 'The value has a time zone offset of a day or more',
    plainNotValue: 'Plain {{t}} is not a value in YAML 1.1',
    plainNotValueDetail: "Expected a quoted string ('{{t}}'); unquoted, PyYAML reads it as the {{kind}} indicator and fails.",
    expectedValueYaml: 'Expected a value of YAML type {{kind}}, or quote the text to keep it a string.',
  }),
  unsupportedType: def('AKB1015', 'error', 'YAML type that cannot become JSON', {
    cannotUsedOn: '!!{{core}} cannot be used on a {{shape}} here',
    cannotUsedOnDetail:
      'Expected JSON-compatible YAML: !!str, !!int, !!float, !!bool, !!null and !!timestamp on scalars, !!seq on sequences, !!map on mappings. authentik cannot send {{core}} values.',
  }),
  bigInteger: def('AKB1016', 'warning', 'Integer too large to keep exactly', {
    thisIntegerLarger: 'This integer is larger than 2^53 and loses precision',
    thisIntegerLargerDetail: 'Expected an integer between -9007199254740991 and 9007199254740991, or quote it to keep it as a string.',
  }),
  // authentik tags
  unknownTag: def('AKB1020', 'error', 'Unknown YAML tag', {
    unknownTag: 'Unknown tag !!{{core}}',
    unknownTagDetail: 'Expected one of the authentik tags ({{KNOWN_TAGS_TEXT}}) or a standard YAML type (!!str, !!int, …).',
    unknownTag2: 'Unknown tag {{tag}}',
  }),
  tagArguments: def('AKB1021', 'error', 'Tag arguments have the wrong shape', {
    conditionModeBut: '!Condition has a mode but no values',
    conditionModeButDetail: 'Expected {{Condition}}; authentik fails with "At least one value is required after mode selection".',
    queryItemMust: '!{{name}} query item {{i}} must be a [field, value] pair, found {{found}}',
    queryItemMustDetail: 'Expected {{usage}}.',
    formatNeedsString: '!Format needs a string as its first item, found {{found}}',
    formatNeedsStringDetail: 'Expected {{Format}}; the format is used as written (Python %-formatting) and cannot come from another tag.',
    cannotTake: '!{{name}} cannot take {{found}}',
  }),
  conditionMode: def('AKB1022', 'error', 'Unknown !Condition mode', {
    unknownConditionMode: 'Unknown !Condition mode {{found}}',
    unknownConditionModeDetail: 'Expected one of {{modes}} (any case) as the first item.',
  }),
  enumerateOutput: def('AKB1023', 'error', 'Unknown !Enumerate output type', {
    unknownEnumerateOutput: 'Unknown !Enumerate output {{found}}',
    unknownEnumerateOutputDetail: 'Expected SEQ (a list of results) or MAP (a mapping built from [key, value] results) as the second item.',
  }),
  enumerateDepth: def('AKB1024', 'error', '!Index / !Value depth is not a non-negative integer', {
    depthNotNon: '!{{name}} depth "{{text}}" is not a non-negative integer',
    depthNotNonDetail: 'Expected {{usage}}.',
  }),
  parseJson: def('AKB1025', 'error', '!ParseJSON text is not valid JSON', {
    parsejsonTextNot: '!ParseJSON text is not valid JSON: {{reason}}',
    parsejsonTextNotDetail: 'Expected JSON text such as \'{"key": "value"}\' (quote the YAML scalar so YAML leaves it alone).',
  }),
  jsonFormTag: def('AKB1026', 'warning', 'Mapping looks like a JSON-form tag but is not one', {
    jsonFormTag: 'JSON-form tag {{tagName}} has extra keys ({{extra}}) that authentik ignores',
    jsonFormTagDetail: 'Expected exactly the keys "{{JSON_TAG_KEY}}" and "args".',
    jsonFormTag2: 'JSON-form tag {{tagName}} has no "args"; authentik keeps it as a plain mapping',
    jsonFormTag2Detail: 'Expected {"{{JSON_TAG_KEY}}": "{{tagName}}", "args": …}.',
    notAuthentikTag: '"{{JSON_TAG_KEY}}": {{tag}} is not an authentik tag; the mapping stays a plain mapping',
    notAuthentikTagDetail: 'Expected one of {{KNOWN_TAGS_TEXT}} (with the leading "!").',
  }),
  extraTagArguments: def('AKB1027', 'warning', 'Extra tag arguments are ignored by authentik', {
    usesOnlyArguments: '!{{name}} uses only {{max}} arguments; {{extra}} more are ignored',
    usesOnlyArgumentsDetail: 'Expected {{usage}}.',
  }),
  // blueprint structure
  topLevel: def('AKB1030', 'error', 'Blueprint is not a mapping', {
    blueprintMustMapping: 'Blueprint must be a mapping, found {{found}}',
    blueprintMustMappingDetail: 'Expected the top level to be a mapping with version, metadata, context and entries keys.',
  }),
  version: def('AKB1031', 'error', 'Blueprint version is not 1', {
    blueprintVersionMust: 'Blueprint version must be the integer 1, found {{found}}',
    blueprintVersionMustDetail: 'Expected version: 1 (the only blueprint format version authentik knows).',
    quotedDetail: 'Expected version: 1 without quotes; authentik rejects a string version.',
  }),
  metadata: def('AKB1032', 'error', 'Invalid metadata', {
    metadataNameMust: 'metadata.name must be a string, found {{found}}',
    metadataNameMustDetail: 'Expected a plain string (tags are not resolved in metadata); quote it if it looks like a number or boolean.',
    metadataNoName: 'metadata has no name',
    metadataNoNameDetail: 'Expected metadata.name (a string): authentik requires it when metadata is present.',
    metadataMustMapping: 'metadata must be a mapping, found {{found}}',
    metadataMustMappingDetail: 'Expected metadata: {name: …, labels: {…}}.',
  }),
  labels: def('AKB1033', 'error', 'Invalid metadata.labels', {
    labelMustString: 'Label "{{k}}" must be a string, found {{found}}',
    labelMustStringDetail: 'Expected a quoted string{{hint}}: authentik rejects the whole blueprint when a label value is not a string.',
    labelKeyNot: 'Label key {{k}} is not a string',
    labelKeyNotDetail: 'Expected a string key; quote it ("{{k}}").',
    metadataLabelsMust: 'metadata.labels must be a mapping, found {{found}}',
    metadataLabelsMustDetail: 'Expected a mapping of string → string.',
  }),
  context: def('AKB1034', 'error', 'context is not a mapping', {
    contextMustMapping: 'context must be a mapping, found {{found}}',
    contextMustMappingDetail: 'Expected context: {key: value, …}.',
  }),
  entries: def('AKB1035', 'error', 'entries is not a list or a mapping of sections', {
    entriesMustList: 'entries must be a list, found {{found}}',
    entriesMustListDetail: 'Expected entries: [ {model: …, identifiers: …, attrs: …}, … ] (or a mapping of section name → list).',
    entriesSectionMust: 'Entries section "{{sec}}" must be a list, found {{found}}',
    entriesSectionMustDetail: 'Expected entries: {section-name: [entry, …], …}.{{dynamic}}',
  }),
  entry: def('AKB1036', 'error', 'Entry is not a mapping', {
    entryMustMapping: 'Entry must be a mapping, found {{found}}',
    entryMustMappingDetail: 'Expected an entry such as {model: app_label.model, identifiers: {…}, attrs: {…}}.{{dynamic}}',
  }),
  model: def('AKB1037', 'error', 'Entry model missing or not a string', {
    entryModelMust: 'Entry model must be a string, found {{found}}',
    entryModelMustDetail: 'Expected model: app_label.modelname, or a tag that yields one.',
    entryNoModel: 'Entry has no model',
    entryNoModelDetail: 'Expected model: app_label.modelname (e.g. authentik_flows.flow).',
  }),
  state: def('AKB1038', 'error', 'Entry state invalid', {
    entryStateMust: 'Entry state must be one of {{states}}, found {{found}}',
    entryStateMustDetail: 'Expected state: present (default), created, must_created or absent.{{hint}}',
  }),
  entryId: def('AKB1039', 'error', 'Entry id is not a string', {
    entryIdMust: 'Entry id must be a string, found {{found}}',
    entryIdMustDetail: 'Expected a string id{{hint}}; ids are not tag-resolved.',
  }),
  entryMapping: def('AKB1040', 'error', 'Entry identifiers / attrs is not a mapping of string keys', {
    keyNotString: '{{field}} key {{k}} is not a string',
    keyNotStringDetail: 'Expected a field name; quote it ("{{k}}") if it really is one.',
    entryMustMapping: 'Entry {{field}} must be a mapping, found {{found}}',
    entryMustMappingDetail: 'Expected {{field}}: {field: value, …}.',
  }),
  conditions: def('AKB1041', 'error', 'Entry conditions is not a list', {
    entryConditionsMust: 'Entry conditions must be a list, found {{found}}',
    entryConditionsMustDetail: 'Expected conditions: [ value-or-tag, … ]; the entry is applied only when every item is truthy.',
  }),
  permissions: def('AKB1042', 'error', 'Entry permissions invalid', {
    permissionRoleMust: 'permission role must be a role UUID string, found {{found}}',
    permissionRoleMustDetail: 'Expected role: <uuid> (or a tag such as !Find that yields one).',
    permissionUserMust: 'permission user must be an integer user pk, found {{found}}',
    permissionUserMustDetail: 'Expected user: <integer pk> (or a tag such as !Find that yields one).',
    permissionMustString: 'permission must be a string, found {{found}}',
    permissionMustStringDetail: 'Expected a permission codename such as view_flow.',
    permissionNoPermission: 'Permission has no "permission"',
    permissionNoPermissionDetail: 'Expected permission: codename (or app_label.codename).',
    permissionMustMapping: 'Permission must be a mapping, found {{found}}',
    permissionMustMappingDetail: 'Expected {permission: codename, user: pk} or {permission: codename, role: uuid}.',
    entryPermissionsMust: 'Entry permissions must be a list, found {{found}}',
    entryPermissionsMustDetail: 'Expected permissions: [ {permission: codename, user: pk} or {permission: codename, role: uuid}, … ].',
  }),
  unknownEntryKey: def('AKB1043', 'warning', 'Unknown entry key (authentik ignores it)', {
    unknownKeyGuess: 'Unknown entry key "{{k}}" — did you mean "{{guess}}"?',
    unknownKey: 'Unknown entry key "{{k}}"',
    expectedOneAuthentik: 'Expected one of {{known}}; authentik silently ignores "{{k}}".',
  }),
  topLevelTypo: def('AKB1044', 'warning', 'Unknown top-level key that looks like a typo', {
    unknownTopLevel: 'Unknown top-level key "{{k}}" — did you mean "{{guess}}"?',
    unknownTopLevelDetail: 'Expected "{{guess}}"; authentik ignores unknown top-level keys, so this part of the file has no effect.',
  }),
} as const;

export const LOAD_CODES: CodeDef[] = Object.values(C);
