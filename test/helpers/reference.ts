// Where authentik's reference data is (OpenAPI documents, blueprints, model maps): the directory
// in AKBP_AUTHENTIK_REFERENCE (scripts/fetch-reference.sh fills one), else ../shared/authentik
// beside the repository. Tests that need it skip with a message when it is absent, except in CI
// (CI=true), where a missing reference is a failure: a suite that silently skips 115 conformance
// tests has not tested conformance.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REFERENCE: string = process.env.AKBP_AUTHENTIK_REFERENCE
  ? resolve(process.env.AKBP_AUTHENTIK_REFERENCE)
  : fileURLToPath(new URL('../../../shared/authentik', import.meta.url));

/** The same directory as a file: URL ending in a slash, for `new URL(rel, REFERENCE_URL)`. */
export const REFERENCE_URL: URL = pathToFileURL(REFERENCE.endsWith('/') ? REFERENCE : `${REFERENCE}/`);

/** Absolute path of a file or folder inside the reference data. */
export function reference(...parts: string[]): string {
  return join(REFERENCE, ...parts);
}

/**
 * `false` when the reference path exists, else the skip message; in CI a missing reference
 * throws, so the test file fails instead of skipping.
 */
export function referenceSkip(...parts: string[]): false | string {
  const p = reference(...parts);
  if (existsSync(p)) return false;
  const why = `authentik reference data not found at ${p} (set AKBP_AUTHENTIK_REFERENCE or run scripts/fetch-reference.mjs)`;
  if (process.env.CI === 'true') throw new Error(`${why}; CI must run the conformance tests`);
  return why;
}
