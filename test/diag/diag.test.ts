import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex, codeFrame, formatLocation, redactSecrets, renderDiagnostic, sortDiagnostics } from '../../src/diag/index.js';

test('line:col from offsets, 1-based, across CRLF and the last line', () => {
  const ix = new LineIndex('a: 1\r\nbb: 2\nccc: 3');
  assert.deepEqual(ix.lineCol(0), { line: 1, col: 1 });
  assert.deepEqual(ix.lineCol(6), { line: 2, col: 1 });
  assert.deepEqual(ix.lineCol(14), { line: 3, col: 3 });
  assert.equal(ix.lineText(1), 'a: 1');
});

test('code frame points at the range and masks secret values on shown lines', () => {
  const text = 'entries:\n  - attrs:\n      password: hunter2-canary\n      name: x\n';
  const start = text.indexOf('name');
  const texts = () => text;
  const frame = codeFrame({ uri: 'f.yaml', start, end: start + 4 }, texts);
  assert.match(frame, /> 4 \|       name: x\n\s+\|       \^\^\^\^/);
  assert.doesNotMatch(frame, /hunter2/);
  assert.match(frame, /password: \(sensitive\)/);
  assert.equal(formatLocation({ uri: 'f.yaml', start, end: start }, texts), 'f.yaml:4:7');
});

test('secret masking: block, inline and sequence forms; tags and names are kept', () => {
  const rows: [string, string][] = [
    ['      password: hunter2', '      password: (sensitive)'],
    ['  client_secret: "abc" # why', '  client_secret: (sensitive) # why'],
    ['  attrs: {username: a, password: hunter2}', '  attrs: {username: a, password: (sensitive)}'],
    ['  - key: s3cr3t', '  - key: (sensitive)'],
    ['  password: !Env [BOT_PASSWORD, "correct-horse"]', '  password: (sensitive)'],
    ['  attrs: {name: U, password: [canary, x], email: e}', '  attrs: {name: U, password: (sensitive), email: e}'],
    ['  attrs: {key: {a: 1}, intent: api}', '  attrs: {key: (sensitive), intent: api}'],
    ['  bind_password:', '  bind_password:'],
    ['  password: |', '  password: |'],
    ['  name: password-policy', '  name: password-policy'],
  ];
  for (const [input, want] of rows) assert.equal(redactSecrets(input), want, input);
});

test('diagnostics sort by file, position, severity, code', () => {
  const d = (uri: string, start: number, severity: 'error' | 'warning', code: string) => ({
    code,
    severity,
    summary: code,
    subject: { uri, start, end: start },
  });
  const sorted = sortDiagnostics([d('b', 0, 'error', 'X'), d('a', 5, 'warning', 'Y'), d('a', 5, 'error', 'Z'), d('a', 1, 'warning', 'W')]);
  assert.deepEqual(
    sorted.map((x) => x.code),
    ['W', 'Z', 'Y', 'X'],
  );
});

test('rendered diagnostic: file:line:col, severity, code, summary, expected', () => {
  const text = 'version: 2\n';
  const out = renderDiagnostic(
    {
      code: 'AKB1001',
      severity: 'error',
      summary: 'unsupported blueprint version 2',
      detail: 'expected version: 1',
      subject: { uri: 'x.yaml', start: 9, end: 10 },
    },
    () => text,
  );
  assert.match(out, /^x\.yaml:1:10: error AKB1001: unsupported blueprint version 2\n  expected version: 1\n> 1 \| version: 2/);
});
