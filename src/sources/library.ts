// A directory walk sorts blueprints authentik would instantiate from those it only lists:
// `blueprints.goauthentik.io/instantiate: "false"` marks a file that is applied solely through
// `metaapplyblueprint`. A peek at metadata.labels is enough; load reports real YAML problems.
import { parseDocument } from 'yaml';

const LABEL = 'blueprints.goauthentik.io/instantiate';

export function isLibraryBlueprint(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes).toString('utf8');
  // Cheap pre-check: most files never mention the label.
  if (!text.includes(LABEL)) return false;
  try {
    const doc = parseDocument(text, { strict: false, uniqueKeys: false, logLevel: 'silent' });
    const value = doc.getIn(['metadata', 'labels', LABEL]);
    // authentik requires string label values (an unquoted `false` is a parse error), so only a
    // string counts; anything else stays in `files` where load reports it.
    return typeof value === 'string' && value.toLowerCase() === 'false';
  } catch {
    return false;
  }
}

/**
 * A directory of blueprints often holds other YAML too (CI workflows, compose files). A file
 * with neither a top-level `version` nor `entries` key cannot be a blueprint, so a directory
 * walk leaves it out; a file named explicitly is always loaded (and diagnosed).
 */
export function looksLikeBlueprint(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes).toString('utf8');
  if (text.trim() === '') return true;
  return /^(?:version|entries)\s*:/m.test(text) || /"(?:version|entries)"\s*:/.test(text);
}
