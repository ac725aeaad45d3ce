// One way to fail inside the sources stage: a SourceError carrying a catalogue code.
import { SourceError } from '../model/errors.js';
import { codes, type SourceCode } from './codes.js';

export function fail(code: SourceCode, message: string, detail?: string): never {
  throw new SourceError(codes[code].code, message, detail);
}

/** Node's errno code of a failed fs / socket call, if any. */
export function errnoCode(err: unknown): string | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}
