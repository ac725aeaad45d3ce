// Bytes → text the way PyYAML's reader accepts it: strict UTF-8 (a leading BOM is dropped) and
// only the characters YAML calls printable. authentik rejects the whole file otherwise, so these
// are errors that stop loading.
import type { Diagnostic } from '../model/types.js';
import { diag, msg } from '../diag/index.js';
import { C } from './codes.js';

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

// PyYAML's Reader.NON_PRINTABLE, complemented: tab, LF, CR, printable ASCII, NEL and the
// printable ranges of the BMP and above.
const NON_PRINTABLE = /[^\t\n\r\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export type Decoded = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

export function decodeSource(uri: string, bytes: Uint8Array): Decoded {
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    // The prefix before the bad byte is valid, so its decoded length is the text offset a
    // lenient decoder (as used to print code frames) would show.
    const offset = lenient.decode(bytes.subarray(0, at)).replace(/^\uFEFF/, '').length;
    const byte = bytes[at] ?? 0;
    return {
      ok: false,
      diagnostic: diag(C.invalidUtf8, msg(C.invalidUtf8, 'fileNotValid', { byte: byte.toString(16).padStart(2, '0'), at }), {
        detail: msg(C.invalidUtf8, 'fileNotValidDetail', {}),
        subject: { uri, start: offset, end: offset + 1 },
      }),
    };
  }
  const m = NON_PRINTABLE.exec(text);
  if (m) {
    const cp = m[0].codePointAt(0) ?? 0;
    return {
      ok: false,
      diagnostic: diag(C.badCharacter, msg(C.badCharacter, 'characterUNot', { codepoint: cp.toString(16).toUpperCase().padStart(4, '0') }), {
        detail: msg(C.badCharacter, 'characterUNotDetail', {}),
        subject: { uri, start: m.index, end: m.index + m[0].length },
      }),
    };
  }
  return { ok: true, text };
}

/** Byte index of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return n;
}
