// Shared helpers for the load tests: load a string, find diagnostics by code and place.
import { LineIndex } from '../../src/diag/index.js';
import { loadBlueprint } from '../../src/load/index.js';
import type { Diagnostic, LoadResult, SourceFile, Value } from '../../src/model/types.js';
import { REFERENCE_URL } from '../helpers/reference.js';

const URI = 'test.yaml';

function fileOf(content: string | Uint8Array, uri = URI): SourceFile {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { uri, path: uri, bytes, origin: { kind: 'file', uri, local: true } };
}

export function load(content: string | Uint8Array, uri = URI): LoadResult {
  return loadBlueprint(fileOf(content, uri));
}

export interface Where {
  code: string;
  severity: string;
  line: number;
  col: number;
  summary: string;
  detail: string;
}

/** Diagnostics as code/line/col, computed from the text the subject points into. */
export function where(content: string, ds: Diagnostic[]): Where[] {
  const ix = new LineIndex(content.replace(/^\uFEFF/, ''));
  return ds.map((d) => {
    const lc = d.subject ? ix.lineCol(d.subject.start) : { line: 0, col: 0 };
    return { code: d.code, severity: d.severity, line: lc.line, col: lc.col, summary: d.summary, detail: d.detail ?? '' };
  });
}

/** A value with tag ranges and pointers removed, for comparing shapes. */
export function strip(v: Value | undefined): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v !== null && typeof v === 'object') {
    const out: { [k: string]: unknown } = {};
    for (const [k, x] of Object.entries(v)) {
      if ('$tag' in v && (k === 'range' || k === 'pointer')) continue;
      out[k] = Array.isArray(x) || (x !== null && typeof x === 'object') ? strip(x as Value) : x;
    }
    return out;
  }
  return v;
}

/** Directory of the shared reference data, or undefined when it is not checked out beside the repo. */
export const SHARED = new URL('../', REFERENCE_URL);
