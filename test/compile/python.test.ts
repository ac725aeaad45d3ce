// Python %-formatting and str()/repr() as authentik's `!Format` applies them. Expected strings
// were produced by CPython 3 (`fmt % tuple(args)`) and pasted here; Python is not needed to run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pyPercentFormat, pyTruthy } from '../../src/values/index.js';
import type { Json } from '../../src/model/types.js';

const ok: [string, Json[], string][] = [
  ['%s', ['abc'], 'abc'],
  ['%s-%s', ['a', 1], 'a-1'],
  ['%s', [null], 'None'],
  ['%s', [true], 'True'],
  ['%s', [['a', 'b']], "['a', 'b']"],
  ['%s', [{ k: [1, null, false] }], "{'k': [1, None, False]}"],
  ['%r', ["it's"], '"it\'s"'],
  ['%r', ['say "hi"'], '\'say "hi"\''],
  ['%r', ['both \' "'], "'both \\' \"'"],
  ['%d', [3.7], '3'],
  ['%i', [-3.7], '-3'],
  ['%d', [true], '1'],
  ['%5d|%-5d|%05d', [42, 42, 42], '   42|42   |00042'],
  ['%+d % d', [5, 5], '+5  5'],
  ['%.3d', [5], '005'],
  ['%x %X %#x %#o %o', [255, 255, 255, 8, 8], 'ff FF 0xff 0o10 10'],
  ['%x', [-31], '-1f'],
  ['%f', [1.5], '1.500000'],
  ['%.2f', [3.14159], '3.14'],
  ['%.0f %.0f %.0f', [0.5, 1.5, 2.5], '0 2 2'],
  ['%.2f', [0.125], '0.12'],
  ['%.1f', [0.25], '0.2'],
  ['%e', [12345.678], '1.234568e+04'],
  ['%.2E', [0.000123], '1.23E-04'],
  ['%g', [0.0001], '0.0001'],
  ['%g', [1e-5], '1e-05'],
  ['%g', [123456789.5], '1.23457e+08'],
  ['%g', [100], '100'],
  ['%#g', [1], '1.00000'],
  ['%.3g', [3.14159], '3.14'],
  ['%10s|%-10s|', ['hi', 'hi'], '        hi|hi        |'],
  ['%.2s', ['abcdef'], 'ab'],
  ['%c%c', [65, 'b'], 'Ab'],
  ['100%%', [], '100%'],
  ['%*d', [5, 42], '   42'],
  ['%-*d|', [5, 42], '42   |'],
  ['%.*f', [2, 3.14159], '3.14'],
  ['%s', [0.1], '0.1'],
  ['%s', [1.5e-7], '1.5e-07'],
  ['%s', [123.456], '123.456'],
  ['%a', ['é'], "'\\xe9'"],
  ['%r', ['é\n'], "'é\\n'"],
  ['%010.3f', [-3.14159], '-00003.142'],
  ['%+.1e', [0], '+0.0e+00'],
  ['%5.1f%%', [99.44], ' 99.4%'],
  ['%ld|%hs', [5, 'x'], '5|x'],
  ['%r', ['a\u00a0b\u200b'], "'a\\xa0b\\u200b'"],
  ['%s', [['\u2028 x']], "['\\u2028 x']"],
];

test('pyPercentFormat matches CPython output', () => {
  for (const [fmt, args, want] of ok) {
    assert.deepEqual(pyPercentFormat(fmt, args), { ok: true, value: want }, `${fmt} % ${JSON.stringify(args)}`);
  }
});

const errors: [string, Json[], string][] = [
  ['%d', ['x'], '%d format: a real number is required, not str'],
  ['%s %s', ['a'], 'not enough arguments for format string'],
  ['%s', ['a', 'b'], 'not all arguments converted during string formatting'],
  ['%', [], 'incomplete format'],
  ['%y', [1], "unsupported format character 'y' (0x79) at index 1"],
  ['%x', [1.5], '%x format: an integer is required, not float'],
  ['%f', ['x'], 'must be real number, not str'],
  ['%(a)s', ['x'], 'format requires a mapping'],
  ['%d', [null], '%d format: a real number is required, not NoneType'],
  ['%c', ['ab'], '%c requires int or char'],
  ['%d', [[1]], '%d format: a real number is required, not list'],
  ['%lld', [5], "unsupported format character 'l' (0x6c) at index 2"],
];

test('pyPercentFormat fails with the messages CPython raises', () => {
  for (const [fmt, args, want] of errors) {
    assert.deepEqual(pyPercentFormat(fmt, args), { ok: false, error: want }, `${fmt} % ${JSON.stringify(args)}`);
  }
});

test('pyTruthy follows Python bool()', () => {
  const rows: [Json, boolean][] = [
    [null, false],
    [false, false],
    [0, false],
    ['', false],
    [[], false],
    [{}, false],
    [true, true],
    [1, true],
    [-1, true],
    ['0', true],
    ['false', true],
    [[0], true],
    [{ a: null }, true],
    [Number.NaN, true],
  ];
  for (const [v, want] of rows) assert.equal(pyTruthy(v), want, JSON.stringify(v));
});
