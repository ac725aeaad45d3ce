// Every validation rule, in the order they run (the output is sorted afterwards anyway).
import type { Rule } from '../context.js';
import { attrFields } from './attr-fields.js';
import { attrTypes } from './attr-types.js';
import { duplicateId } from './duplicate-id.js';
import { entryPermissions } from './entry-permissions.js';
import { enumerateContext } from './enumerate-context.js';
import { findQuery } from './find-query.js';
import { formatArgs } from './format-args.js';
import { identifierField } from './identifier-field.js';
import { identifierPk } from './identifier-pk.js';
import { invalidState } from './invalid-state.js';
import { keyofTarget } from './keyof-target.js';
import { metaAttrs } from './meta-attrs.js';
import { noIdentifiers } from './no-identifiers.js';
import { referenceCycle } from './reference-cycle.js';
import { requiredFields } from './required-fields.js';
import { sections } from './sections.js';
import { tagVersion } from './tag-version.js';
import { unknownModel } from './unknown-model.js';

export const RULES: readonly Rule[] = [
  sections,
  unknownModel,
  duplicateId,
  invalidState,
  noIdentifiers,
  identifierField,
  identifierPk,
  attrFields,
  attrTypes,
  requiredFields,
  metaAttrs,
  entryPermissions,
  keyofTarget,
  referenceCycle,
  tagVersion,
  formatArgs,
  enumerateContext,
  findQuery,
];
