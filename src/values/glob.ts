// Shell-style name patterns (`*` any run of characters, `?` one), matched against a whole string:
// `--env-allow` variable names (case-sensitive) and `akbp export --model/--match` (case-insensitive).
export function globMatch(pattern: string, s: string, opts: { ignoreCase?: boolean } = {}): boolean {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, opts.ignoreCase ? 'i' : '').test(s);
}
