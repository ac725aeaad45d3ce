// `apply PLAN.json` reads the file `plan --out` wrote and trusts nothing in it it has not checked:
// the file must match the committed schemas/plan.schema.json (the published contract) and have
// this akbp's formatVersion. The pipeline then recomputes its changes before writing anything.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic, Plan } from '../model/index.js';
import { diagnose, msg } from '../diag/index.js';
import { PIPELINE_CODES } from '../pipeline/codes.js';

const PLAN_FORMAT_VERSION: Plan['formatVersion'] = 2;

// ajv-formats is CommonJS; its default export arrives as the module object under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

let validator: ValidateFunction | undefined;

function planValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(schema);
  }
  return validator;
}

export type SavedPlanRead = { plan: Plan } | { diagnostics: Diagnostic[]; text: string };

/** Reads and checks a saved plan; `shown` is the name the user gave, used in diagnostics. */
export function readSavedPlan(path: string, shown: string): SavedPlanRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
    return {
      text: '',
      diagnostics: [
        diagnose(PIPELINE_CODES.planInvalid, 'unreadable', { file: shown, why }, { detail: msg(PIPELINE_CODES.planInvalid, 'unreadableDetail', {}) }),
      ],
    };
  }
  const at = (start: number) => ({ subject: { uri: shown, start, end: start } });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    return {
      text,
      diagnostics: [
        diagnose(
          PIPELINE_CODES.planInvalid,
          'notJson',
          {},
          { ...at(pos ? Math.min(Number(pos[1]), text.length) : 0), detail: msg(PIPELINE_CODES.planInvalid, 'notJsonDetail', {}) },
        ),
      ],
    };
  }
  const version = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as { formatVersion?: unknown }).formatVersion : undefined;
  if (typeof version === 'number' && version !== PLAN_FORMAT_VERSION) {
    return {
      text,
      diagnostics: [
        diagnose(
          PIPELINE_CODES.planVersion,
          'version',
          { version, age: version < PLAN_FORMAT_VERSION ? 'an older' : 'a newer' },
          { ...at(0), detail: msg(PIPELINE_CODES.planVersion, 'versionDetail', { supported: PLAN_FORMAT_VERSION }) },
        ),
      ],
    };
  }
  const validate = planValidator();
  if (!validate(doc)) {
    const errors = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    return {
      text,
      diagnostics: [
        diagnose(
          PIPELINE_CODES.planInvalid,
          'schema',
          { errors: errors.join('; ') },
          { ...at(0), detail: msg(PIPELINE_CODES.planInvalid, 'schemaDetail', {}) },
        ),
      ],
    };
  }
  return { plan: doc as Plan };
}
