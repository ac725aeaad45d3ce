// Which OCI layer titles may become files below `oci pull --out`. Kept apart from the client so
// writing pulled files (and validate of local files) does not load undici.

const MAX_TITLE_BYTES = 1024;
const MAX_COMPONENT_BYTES = 255;

/**
 * Why a layer title cannot become a file below `--out`, or undefined when it can: a relative
 * forward-slash path of `*.yaml`/`*.yml`, no component empty or starting with "." (so neither
 * `..` nor `.git/hooks/…` nor `.bashrc`), lengths any file system accepts.
 */
export function titleProblem(title: unknown): string | undefined {
  if (typeof title !== 'string' || title === '') return 'is empty';
  if (Buffer.byteLength(title) > MAX_TITLE_BYTES) return `is longer than ${MAX_TITLE_BYTES} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(title) || title.startsWith('/') || /^[A-Za-z]:/.test(title)) return 'is not a relative path with forward slashes';
  for (const part of title.split('/')) {
    if (part === '' || part.startsWith('.')) return 'has an empty component or one starting with "." (such as "..", ".git" or ".bashrc")';
    if (Buffer.byteLength(part) > MAX_COMPONENT_BYTES) return `has a component longer than ${MAX_COMPONENT_BYTES} bytes`;
  }
  if (!/\.ya?ml$/.test(title)) return 'does not end in .yaml or .yml';
  return undefined;
}

/** A layer title becomes a path: see titleProblem. */
export function safeTitle(title: string): boolean {
  return titleProblem(title) === undefined;
}
