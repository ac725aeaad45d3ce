// `apply PLAN.json` reads the file `plan --out` wrote and trusts nothing in it it has not checked:
// the file must match the committed schemas/plan.schema.json (the published contract) and have
// this akbp's formatVersion. The pipeline then recomputes its changes before writing anything.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic, Plan } from '../model/index.js';
import { diag } from '../diag/index.js';
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
        diag(PIPELINE_CODES.planInvalid, `${shown}: cannot read the saved plan: ${why}`, { detail: 'expected the file `akbp plan --out FILE` wrote' }),
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
        diag(PIPELINE_CODES.planInvalid, `not a saved akbp plan: the file is not valid JSON`, {
          ...at(pos ? Math.min(Number(pos[1]), text.length) : 0),
          detail: 'expected the file `akbp plan --out FILE` wrote, unchanged',
        }),
      ],
    };
  }
  const version = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as { formatVersion?: unknown }).formatVersion : undefined;
  if (typeof version === 'number' && version !== PLAN_FORMAT_VERSION) {
    return {
      text,
      diagnostics: [
        diag(
          PIPELINE_CODES.planVersion,
          `this plan has formatVersion ${version}: it was written by ${version < PLAN_FORMAT_VERSION ? 'an older' : 'a newer'} akbp`,
          {
            ...at(0),
            detail: `this akbp applies plans of formatVersion ${PLAN_FORMAT_VERSION}; run akbp plan again with this version and apply the new plan`,
          },
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
        diag(PIPELINE_CODES.planInvalid, `not a saved akbp plan: ${errors.join('; ')}`, {
          ...at(0),
          detail: 'expected a file matching schemas/plan.schema.json, as `akbp plan --out FILE` writes it; a blueprint source is YAML, not .json',
        }),
      ],
    };
  }
  return { plan: doc as Plan };
}
