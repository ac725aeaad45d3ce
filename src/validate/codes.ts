// Diagnostic codes of the validate stage (AKB2xxx). Stable: never renumber or reuse a code.
import { codeDef, type CodeDef } from '../diag/index.js';

const def = codeDef;

export const V = {
  unknownModel: def('AKB2001', 'error', 'Model unknown to the target authentik version'),
  attrType: def('AKB2002', 'error', 'Attribute value does not match the field type'),
  requiredOnCreate: def('AKB2003', 'warning', 'Field required when the object is created is missing'),
  unknownField: def(
    'AKB2004',
    'error',
    'Attribute the serializer does not know (authentik drops it silently): an error when within two edits of a known field (a typo), unless --lenient',
  ),
  readOnlyField: def('AKB2005', 'warning', 'Read-only attribute (authentik ignores it)'),
  duplicateId: def('AKB2006', 'error', 'Two entries of one blueprint share an id'),
  keyOfUnknown: def('AKB2007', 'error', '!KeyOf names an id no entry defines'),
  keyOfLater: def('AKB2008', 'error', '!KeyOf names an entry defined later in the document'),
  referenceCycle: def('AKB2009', 'error', 'Entries reference each other in a cycle'),
  noIdentifiers: def('AKB2010', 'error', 'Entry has no identifiers'),
  invalidState: def('AKB2011', 'error', 'Entry state is not one this authentik version accepts'),
  formatArgs: def('AKB2012', 'error', '!Format argument count or type does not match the format string'),
  enumerateContext: def('AKB2013', 'error', '!Index / !Value outside the !Enumerate it refers to'),
  findQueryField: def('AKB2014', 'error', '!Find query key is not a field of the model'),
  findModel: def('AKB2015', 'error', '!Find model unknown to the target version'),
  tagVersion: def('AKB2016', 'warning', 'Tag or tag form newer than the target authentik version'),
  entryPermissions: def('AKB2017', 'warning', 'Entry permissions are not supported by the target version'),
  identifierField: def('AKB2018', 'error', 'Identifier is not a field of the model'),
  metaAttrs: def('AKB2019', 'error', 'Meta model attribute missing, unknown or of the wrong type'),
  sections: def('AKB2020', 'error', 'Entries as a mapping of sections are not supported by the target version'),
  keyOfTarget: def('AKB2021', 'error', '!KeyOf names an entry that never records an object'),
  identifierPk: def('AKB2022', 'error', "Identifier pk of a type the model's primary key cannot hold"),
} as const;

export const VALIDATE_CODES: CodeDef[] = Object.values(V);
