// Diagnostic catalogue of the compile stage (AKB3xxx). Codes are stable: never reuse or renumber.
import { codeDef } from '../diag/index.js';

const def = codeDef;

export const C = {
  // One owner per check: what the text shows is validate's (AKB2xxx); compile reports only what
  // evaluation reveals. Retired codes stay listed so their numbers are never reused.
  unknownModel: def('AKB3001', 'error', 'model computed by a tag does not exist in the target authentik version (a written one: AKB2001)', {
    unknown: 'unknown model {{model}} for authentik {{version}}',
    unknownDetail:
      'expected `app_label.model` of a model this version has (model name case-insensitive); authentik aborts the whole blueprint even when the entry is disabled by conditions',
  }),
  modelNotString: def('AKB3002', 'error', 'model must evaluate to an `app_label.model` string at compile time', {
    notString: 'model must be an `app_label.model` string known at compile time',
    dependsOnServerDetail: 'it depends on the server (!Find/!KeyOf), which authentik cannot resolve for a model either',
    gotNullDetail: 'got null',
    gotListDetail: 'got a list',
    gotTypeDetail: 'got {{type}}',
  }),
  invalidState: def('AKB3003', 'error', 'state computed by a tag is not one the target version accepts (a written one: AKB2011)', {
    notValid: 'state {{state}} is not valid for authentik {{version}}',
    notValidDetail: 'expected one of {{states}}',
  }),
  formatError: def('AKB3004', 'error', '!Format failed as Python %-formatting would', {
    failed: '!Format: {{why}}',
    argumentsDetail: 'format {{format}} was given {{count}} argument(s); %s takes any value, %d/%i/%f need numbers, %% is a literal percent',
  }),
  envCredential: def('AKB3005', 'error', "!Env may not read akbp's own credentials", {
    refused: '!Env {{name}} is refused: akbp does not hand its own credentials to blueprints',
    refusedDetail: 'AKBP_* variables, AUTHENTIK_TOKEN and AUTHENTIK_* secrets are never readable; export the value under another name',
  }),
  envNotAllowed: def('AKB3006', 'error', '!Env in a blueprint not from local disk reads only allowed variables', {
    refused: '!Env {{name}} is refused for a blueprint from {{kind}} source {{uri}}',
    refusedDetail: "blueprints not from local disk read only allowed variables; allow it with --env-allow '{{name}}' (patterns like 'AK_*' work)",
  }),
  fileOutsideRoot: def('AKB3007', 'error', '!File path is outside the blueprint root and --file-root directories', {
    outside: '!File {{path}} is outside the permitted directories',
    outsideDetail:
      'permitted: {{roots}}. authentik reads any file its server can; akbp runs on your machine, so blueprints may read only below their own root or a --file-root directory',
    noRootDetail:
      'this source has no local root. authentik reads any file its server can; akbp runs on your machine, so blueprints may read only below their own root or a --file-root directory',
    refused: '!File {{path}} {{reason}}',
    symlinkDetail: 'permitted: {{roots}}; symbolic links may point only inside them',
  }),
  parseJson: def('AKB3008', 'error', '!ParseJSON text is not valid JSON', {
    notJson: '!ParseJSON text is not valid JSON',
    notJsonDetail: 'expected a JSON document in the scalar text',
  }),
  notIterable: def('AKB3009', 'error', '!Enumerate iterable is not a list, mapping or string', {
    cannotIterate: '!Enumerate cannot iterate {{type}}',
    cannotIterateNull: '!Enumerate cannot iterate null',
    cannotIterateDetail: 'expected a list, a mapping or a string',
  }),
  enumerateOutput: def('AKB3010', 'error', '!Enumerate output mode or MAP body is invalid', {
    badOutput: '!Enumerate output {{mode}} is not SEQ or MAP',
    badOutputDetail: 'expected SEQ (a list) or MAP (a mapping)',
    mapKey: '!Enumerate MAP key must be a string, number, boolean or null',
    mapKeyServerDetail: 'the key depends on the server; keys must be known at compile time',
    mapKeyDetail: 'expected [key, value] with a scalar key',
    mapBody: '!Enumerate MAP body must give a [key, value] pair or a mapping',
    mapBodyDetail: 'expected each item to produce [key, value] or a mapping to merge',
  }),
  indexOutside: def('AKB3011', 'error', '!Index / !Value used outside a matching !Enumerate', {
    ownItem: "!Enumerate iterable !{{tag}} 0 refers to this tag's own item",
    ownItemDetail: 'use depth 1 or more to iterate an outer !Enumerate item',
    noItem: '!{{tag}} {{depth}} has no !Enumerate item at depth {{depth}}',
    notInsideDetail: 'it is not inside any !Enumerate body; depth 0 is the innermost !Enumerate',
    fewItemsDetail: 'only {{count}} enclosing !Enumerate item(s) are available here; depth 0 is the innermost !Enumerate',
  }),
  atIndex: def('AKB3012', 'error', '!AtIndex lookup failed', {
    lookupDetail: 'give a third argument as default, or an index/key that exists',
  }),
  condition: def('AKB3013', 'error', '!Condition mode or arguments are invalid', {
    invalid: '!Condition: invalid',
    failed: '!Condition: {{why}}',
    modesDetail: 'expected [MODE, value, …] with MODE one of {{modes}}',
  }),
  keyOfUndefined: def('AKB3014', 'error', '!KeyOf names an id no entry defines (retired: reported as AKB2007 by validate)'),
  keyOfLater: def('AKB3015', 'error', '!KeyOf names an entry that is processed later (retired: reported as AKB2008 by validate)'),
  keyOfUnusable: def('AKB3016', 'error', '!KeyOf names an entry its conditions skip, or whose computed model or state records no object', {
    skipped: '!KeyOf {{id}}: the entry at line {{line}} is skipped because its conditions are false',
    metaEntry: '!KeyOf {{id}}: the entry at line {{line}} is a meta model entry, which records no object',
    stateAbsent: '!KeyOf {{id}}: the entry at line {{line}} has state absent, which records no object',
    recordsNothing: '!KeyOf {{id}}: the entry at line {{line}} records no object',
    noRecordedObjectDetail: 'authentik fails the blueprint when !KeyOf finds no recorded object',
  }),
  keyOfCreated: def('AKB3017', 'warning', '!KeyOf to a `created` entry fails on authentik before 2023.10 when the object exists', {
    createdEntry: '!KeyOf {{id}} points at a `created` entry: authentik {{version}} records no object for it when the object already exists',
    createdEntryDetail: 'the server would fail this blueprint on every apply after the first; use state: present or target a newer version',
  }),
  dependencyCycle: def('AKB3018', 'error', 'entries depend on each other in a cycle', {
    cycle: 'entries depend on each other in a cycle: {{path}}',
    cycleDetail: 'no order can satisfy these references; remove one !KeyOf/!Find or split the object',
  }),
  metaCycle: def('AKB3019', 'error', 'metaapplyblueprint references form a cycle', {
    cycle: 'metaapplyblueprint cycle: {{chain}}',
    cycleDetail: 'blueprints that apply each other can never finish; remove one of the references',
  }),
  metaNotFound: def('AKB3020', 'warning', 'metaapplyblueprint target is not among the sources', {
    notAmongSources: 'metaapplyblueprint target {{identifiers}} is not among the sources',
    notAmongSourcesDetail:
      'apply will ask the server to apply its blueprint instance of that name/path; add the file to the sources to compile it in, or set required: false',
  }),
  tagUnavailable: def('AKB3021', 'warning', 'tag is not available in the target authentik version (retired: reported as AKB2016 by validate)'),
  contextCycle: def('AKB3022', 'error', 'context values refer to each other in a cycle', {
    refersBack: 'context value {{key}} refers back to itself',
    refersBackDetail: 'break the chain of !Context references through {{chain}} → {{key}}',
  }),
  needsServer: def('AKB3023', 'error', 'value must be known at compile time but depends on the server', {
    argument: '!{{tag}} {{what}} depends on the server',
    argumentDetail: 'expected a {{what}} known at compile time',
    iterable: '!Enumerate iterable depends on the server',
    iterableDetail: 'expected a list, mapping or string known at compile time',
  }),
  duplicateId: def('AKB3024', 'warning', 'two entries of one blueprint share an id (retired: reported as AKB2006 by validate, an error)'),
  findUnknownModel: def('AKB3025', 'error', '!Find / !FindObject model does not exist', {
    unknown: '!{{tag}}: unknown model {{model}} for authentik {{version}}',
    unknownDetail: 'expected `app_label.model` of a model this version has',
  }),
  tagArgument: def('AKB3026', 'error', 'tag argument has the wrong type', {
    notString: '!{{tag}} {{what}} must be a string',
    notStringDetail: 'expected a string {{what}}',
  }),
  ifShortUnsupported: def('AKB3027', 'warning', 'one-argument !If needs authentik 2023.8 or later (retired: reported as AKB2016 by validate)'),
  metaAttrs: def('AKB3028', 'error', 'metaapplyblueprint attrs are invalid', {
    needsIdentifiers: 'metaapplyblueprint needs attrs.identifiers as a mapping known at compile time',
    needsIdentifiersDetail: 'expected e.g. identifiers: {name: My blueprint} or {path: dir/file.yaml}',
  }),
  fileUnreadable: def('AKB3029', 'info', '!File could not be read; the default is used', {
    unreadable: '!File {{path}} could not be read; using the default',
  }),
  dottedContextUnsupported: def(
    'AKB3030',
    'warning',
    '!Context with a dotted path a tag computes, on a version that looks keys up literally (a written one: AKB2016)',
    {
      literalKey: '!Context {{key}} is looked up as one literal key by authentik {{version}}, so it gets the default',
      literalKeyDetail:
        'dotted paths into context values need authentik 2026.5; on this version read !Context {{head}} and pick the item with !AtIndex or !Enumerate',
    },
  ),
  fileRefused: def('AKB3031', 'error', '!File names something other than a regular file within the size limit', {
    refused: '!File {{path}} {{reason}}',
    refusedDetail: 'expected a regular file of at most 1 MiB (a certificate, key or template)',
  }),
  // Numbered apart from the sequence so concurrent additions to this catalogue cannot collide.
  evalLimit: def('AKB3080', 'error', 'tag evaluation went over a limit (nodes, string length or total output)', {
    overLimit: 'tag evaluation went over the {{name}} limit of {{value}} {{unit}}',
    overLimitDetail:
      'blueprints whose tags expand past this (contexts or !Format referring to each other several times, nested !Enumerate) are refused whole; simplify the blueprint or raise {{name}} (compile option limits.{{name}})',
  }),
  workerFailed: def('AKB3081', 'error', 'compile ran out of memory or time in its worker (akbp serve)', {
    inFile: 'compile of {{file}} {{reason}}',
    noFile: 'compile {{reason}}',
    timedOut: 'took longer than {{ms}} ms and was stopped',
    timedOutDetail: 'simplify the blueprints (tags that expand a lot, very large files) or split the source',
    outOfMemory: 'ran out of memory (limit {{mb}} MiB)',
    outOfMemoryDetail: 'the blueprints build more than the compile worker may hold; simplify them or split the source',
    crashed: 'failed in its worker',
    exited: 'worker exited (code {{code}}) without a result',
    exitedDetail: 'this is a bug in akbp; the other sources are not affected',
  }),
  instanceBlocked: def('AKB3090', 'error', 'blueprint file not applied: it needs a file that failed to load, validate or compile', {
    metaFailed: '{{file}} is not applied this run: it runs {{by}} through metaapplyblueprint, and {{by}} failed to load, validate or compile',
    metaBlocked: '{{file}} is not applied this run: it runs {{by}} through metaapplyblueprint, and {{by}} is blocked itself',
    findFailed: '{{file}} is not applied this run: it has a !Find only {{by}} would answer, and {{by}} failed to load, validate or compile',
    findBlocked: '{{file}} is not applied this run: it has a !Find only {{by}} would answer, and {{by}} is blocked itself',
    unparsedDetail:
      '{{by}} did not parse, so what it declares is unknown; its text mentions what this reference looks for, so the file is held back rather than applied without it. Fix {{by}}; nothing of this file is changed or pruned meanwhile.',
    metaDetail:
      'authentik applies {{by}} first, as part of this instance, and fails it with it. Fix {{by}}; nothing of this file is changed or pruned meanwhile.',
    findDetail:
      'no other file declares what the !Find looks for, so without {{by}} it would find nothing (or an object about to change). Fix {{by}}; nothing of this file is changed or pruned meanwhile.',
    failsHere: '{{by}} fails here ({{code}})',
  }),
} as const;
