// RFC 6901 JSON pointers, the one way every stage names a place inside a blueprint or a body:
// load records them, validate and compile look ranges up by them, plan and apply patch by them.

/** One reference token: `~` → `~0`, `/` → `~1` (in that order, so `~1` in a key survives). */
export function escapePointer(token: string): string {
  return token.includes('~') || token.includes('/') ? token.replace(/~/g, '~0').replace(/\//g, '~1') : token;
}

/** The inverse of escapePointer: `~1` → `/` first, then `~0` → `~`. */
export function unescapePointer(token: string): string {
  return token.includes('~') ? token.replace(/~1/g, '/').replace(/~0/g, '~') : token;
}

/** `base` extended by raw keys or indexes, each escaped. */
export function pointerOf(base: string, ...tokens: (string | number)[]): string {
  let out = base;
  for (const t of tokens) out += `/${escapePointer(String(t))}`;
  return out;
}

/** The raw keys of a pointer: `/a/b~1c` → `['a', 'b/c']`; `''` (the whole document) → `[]`. */
export function pointerTokens(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
}
