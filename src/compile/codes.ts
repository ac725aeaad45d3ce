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
  formatError: def('AKB3004', 'error', '!Format failed as Python %-formatting would'),
  envCredential: def('AKB3005', 'error', "!Env may not read akbp's own credentials"),
  envNotAllowed: def('AKB3006', 'error', '!Env in a blueprint not from local disk reads only allowed variables'),
  fileOutsideRoot: def('AKB3007', 'error', '!File path is outside the blueprint root and --file-root directories'),
  parseJson: def('AKB3008', 'error', '!ParseJSON text is not valid JSON'),
  notIterable: def('AKB3009', 'error', '!Enumerate iterable is not a list, mapping or string'),
  enumerateOutput: def('AKB3010', 'error', '!Enumerate output mode or MAP body is invalid'),
  indexOutside: def('AKB3011', 'error', '!Index / !Value used outside a matching !Enumerate'),
  atIndex: def('AKB3012', 'error', '!AtIndex lookup failed'),
  condition: def('AKB3013', 'error', '!Condition mode or arguments are invalid'),
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
  contextCycle: def('AKB3022', 'error', 'context values refer to each other in a cycle'),
  needsServer: def('AKB3023', 'error', 'value must be known at compile time but depends on the server'),
  duplicateId: def('AKB3024', 'warning', 'two entries of one blueprint share an id (retired: reported as AKB2006 by validate, an error)'),
  findUnknownModel: def('AKB3025', 'error', '!Find / !FindObject model does not exist'),
  tagArgument: def('AKB3026', 'error', 'tag argument has the wrong type'),
  ifShortUnsupported: def('AKB3027', 'warning', 'one-argument !If needs authentik 2023.8 or later (retired: reported as AKB2016 by validate)'),
  metaAttrs: def('AKB3028', 'error', 'metaapplyblueprint attrs are invalid', {
    needsIdentifiers: 'metaapplyblueprint needs attrs.identifiers as a mapping known at compile time',
    needsIdentifiersDetail: 'expected e.g. identifiers: {name: My blueprint} or {path: dir/file.yaml}',
  }),
  fileUnreadable: def('AKB3029', 'info', '!File could not be read; the default is used'),
  dottedContextUnsupported: def(
    'AKB3030',
    'warning',
    '!Context with a dotted path a tag computes, on a version that looks keys up literally (a written one: AKB2016)',
  ),
  fileRefused: def('AKB3031', 'error', '!File names something other than a regular file within the size limit'),
  // Numbered apart from the sequence so concurrent additions to this catalogue cannot collide.
  evalLimit: def('AKB3080', 'error', 'tag evaluation went over a limit (nodes, string length or total output)'),
  workerFailed: def('AKB3081', 'error', 'compile ran out of memory or time in its worker (akbp serve)'),
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
