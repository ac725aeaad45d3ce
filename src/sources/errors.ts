// One way to fail inside the sources stage: a SourceError carrying a catalogue code.
import { fillTemplate, type MessageData } from '../diag/index.js';
import { SourceError } from '../model/errors.js';
import { codes, type SourceCode } from './codes.js';

type MessagesOf<K extends SourceCode> = NonNullable<(typeof codes)[K]['messages']>;

/** Message `id` of `code`'s catalogue entry, its placeholders filled from `data`. */
export function text<K extends SourceCode, I extends keyof MessagesOf<K> & string>(code: K, id: I, data: MessageData<MessagesOf<K>[I] & string>): string {
  const messages = codes[code].messages as { [id: string]: string } | undefined;
  return fillTemplate(messages?.[id] ?? '', data as { [k: string]: string | number });
}

/** Throws message `id` of `code`'s catalogue entry, its placeholders filled from `data`. */
export function fail<K extends SourceCode, I extends keyof MessagesOf<K> & string>(
  code: K,
  id: I,
  data: MessageData<MessagesOf<K>[I] & string>,
  detail?: string,
): never {
  throw new SourceError(codes[code].code, text(code, id, data), detail);
}

/** Node's errno code of a failed fs / socket call, if any. */
export function errnoCode(err: unknown): string | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}
