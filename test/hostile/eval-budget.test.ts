// Hostile blueprints against tag evaluation: contexts that double per level, !Format chains and
// nested !Enumerate that would take minutes and gigabytes, widths that overflow V8's strings.
// Each must end quickly with a located AKB3080 naming the limit, never a crash or a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, compile, load } from '../compile/helpers.js';
import type { Diagnostic } from '../../src/model/types.js';
import { LineIndex } from '../../src/diag/index.js';

function doublingContext(levels: number, leaf = "'ab'", step = (p: string) => `[!Context ${p}, !Context ${p}]`): string {
  const lines = ['version: 1', 'context:', `  c0: ${leaf}`];
  for (let i = 1; i <= levels; i++) lines.push(`  c${i}: ${step(`c${i - 1}`)}`);
  lines.push(
    'entries:',
    '  - model: authentik_core.group',
    '    identifiers:',
    '      name: g',
    '    attrs:',
    '      attributes:',
    `        v: !Context c${levels}`,
  );
  return `${lines.join('\n')}\n`;
}

function limitError(res: { diagnostics: Diagnostic[] }): Diagnostic {
  const d = res.diagnostics.find((x) => x.code === 'AKB3080');
  assert.ok(d, `expected AKB3080, got ${JSON.stringify(res.diagnostics.map((x) => `${x.code} ${x.summary}`))}`);
  assert.equal(d.severity, 'error');
  assert.ok(d.subject, 'the limit error names where it happened');
  return d;
}

function lineOf(text: string, d: Diagnostic): string {
  return new LineIndex(text).lineText(new LineIndex(text).lineCol(d.subject!.start).line);
}

test('a context that doubles per level stops at the node limit, at a !Context in the context block', () => {
  const text = doublingContext(22);
  const t0 = Date.now();
  const res = compile([load('a.yaml', text)]);
  const ms = Date.now() - t0;
  const d = limitError(res);
  // It took 42 s and 3.8 GB before evaluation was metered; now it stops after a few seconds.
  assert.ok(ms < 20000, `took ${ms} ms`);
  assert.match(lineOf(text, d), /^ {2}c\d+: \[!Context c\d+, !Context c\d+\]$/);
  assert.match(d.summary, /limit/);
  assert.match(`${d.summary} ${d.detail ?? ''}`, /maxNodes|maxOutput/);
  assert.equal(res.entries.length, 0);
});

test('evaluation limits are configurable and the message names the limit and its value', () => {
  const res = compile([load('a.yaml', doublingContext(8))], { limits: { maxNodes: 300 } });
  const d = limitError(res);
  assert.match(d.summary, /maxNodes/);
  assert.match(d.summary, /300/);
  // The same file passes with the defaults.
  const ok = compile([load('a.yaml', doublingContext(8))]);
  assert.deepEqual(codes(ok), []);
  assert.equal((ok.entries[0]!.attrs.attributes as { v: unknown[] }).v.length, 2);
});

test('a context value referenced many times is evaluated once (one !File read)', () => {
  const lines = ['version: 1', 'context:', '  cert: !File [cert.pem, none]', 'entries:'];
  for (let i = 0; i < 50; i++)
    lines.push('  - model: authentik_core.group', `    identifiers: {name: g${i}}`, '    attrs:', '      attributes: {a: !Context cert, b: !Context cert}');
  let reads = 0;
  const res = compile([load('a.yaml', `${lines.join('\n')}\n`)], {
    readFile: () => {
      reads++;
      return 'PEM';
    },
  });
  assert.deepEqual(codes(res), []);
  assert.equal(res.entries.length, 50);
  assert.deepEqual(res.entries[49]!.attrs.attributes, { a: 'PEM', b: 'PEM' });
  assert.equal(reads, 1);
});

test('a memoised context holding !KeyOf still makes every entry that uses it depend on the target', () => {
  const text = [
    'version: 1',
    'context:',
    '  flow: !KeyOf f',
    'entries:',
    '  - model: authentik_flows.flow',
    '    id: f',
    '    identifiers: {slug: f}',
    '    attrs: {name: f, title: f, designation: authentication}',
    '  - model: authentik_flows.flowstagebinding',
    '    identifiers: {target: !Context flow, order: 1, stage: 1}',
    '  - model: authentik_flows.flowstagebinding',
    '    identifiers: {target: !Context flow, order: 2, stage: 1}',
    '',
  ].join('\n');
  const res = compile([load('a.yaml', text)]);
  assert.deepEqual(codes(res), []);
  const bindings = res.entries.filter((e) => e.model === 'authentik_flows.flowstagebinding');
  assert.equal(bindings.length, 2);
  for (const b of bindings) assert.deepEqual(b.dependsOn, ['a.yaml#f']);
  // Each entry got its own copy: changing one does not change the other.
  assert.notEqual(bindings[0]!.identifiers.target, bindings[1]!.identifiers.target);
});

test('!Format "%s%s" doubling stops at the string limit instead of exhausting the heap', () => {
  const text = doublingContext(40, "'abcdefgh'", (p) => `!Format ["%s%s", !Context ${p}, !Context ${p}]`);
  const t0 = Date.now();
  const res = compile([load('a.yaml', text)]);
  const d = limitError(res);
  assert.ok(Date.now() - t0 < 20000);
  assert.match(d.summary, /maxStringLength|maxOutput/);
  assert.match(lineOf(text, d), /!Format/);
});

test('three nested !Enumerate over 2,000-character strings stop at the node limit', () => {
  const s = 'x'.repeat(2000);
  const text = [
    'version: 1',
    'context:',
    `  s: ${s}`,
    'entries:',
    '  - model: authentik_core.group',
    '    identifiers: {name: g}',
    '    attrs:',
    '      attributes:',
    '        v: !Enumerate [!Context s, SEQ, !Enumerate [!Context s, SEQ, !Enumerate [!Context s, SEQ, !Index 0]]]',
    '',
  ].join('\n');
  const t0 = Date.now();
  const res = compile([load('a.yaml', text)]);
  const d = limitError(res);
  assert.ok(Date.now() - t0 < 30000, `took ${Date.now() - t0} ms`);
  assert.match(d.summary, /maxNodes|maxOutput/);
});

for (const [name, fmt, args] of [
  ['a huge width', '%999999999s', '[x]'],
  ['a huge * width', '%*s', '[999999999, x]'],
  ['a huge precision for %f', '%.999999999f', '[1.5]'],
  ['a huge precision for %d', '%.999999999d', '[7]'],
] as const) {
  test(`!Format with ${name} is a located limit error, not an internal error`, () => {
    const text = `version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: g}\n    attrs:\n      attributes:\n        v: !Format ["${fmt}", ${args.slice(1, -1)}]\n`;
    const res = compile([load('a.yaml', text)]);
    assert.deepEqual(codes(res), ['AKB3080 a.yaml:7:12']);
    assert.match(res.diagnostics[0]!.summary, /maxStringLength/);
  });
}

test('!Format with a precision above 100 prints the exact decimal expansion, as Python does', () => {
  const text = `version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: g}\n    attrs:\n      attributes:\n        v: !Format ["%.120f", 0.1]\n`;
  const res = compile([load('a.yaml', text)]);
  assert.deepEqual(codes(res), []);
  // '%.120f' % 0.1 in CPython
  assert.equal((res.entries[0]!.attrs.attributes as { v: string }).v, `0.1000000000000000055511151231257827021181583404541015625${'0'.repeat(120 - 55)}`);
});

test('!Enumerate MAP over 30,000 items is linear, not quadratic', () => {
  const text = [
    'version: 1',
    'context:',
    `  n: ${'y'.repeat(30000)}`,
    'entries:',
    '  - model: authentik_core.group',
    '    identifiers: {name: g}',
    '    attrs:',
    '      attributes: !Enumerate [!Context n, MAP, [!Format ["k%s", !Index 0], !Value 0]]',
    '',
  ].join('\n');
  const t0 = Date.now();
  const res = compile([load('a.yaml', text)]);
  const ms = Date.now() - t0;
  assert.deepEqual(codes(res), []);
  assert.equal(Object.keys(res.entries[0]!.attrs.attributes as object).length, 30000);
  // Quadratic merging took minutes here; linear takes well under a second on an idle machine.
  assert.ok(ms < 20000, `took ${ms} ms`);
});

test('the default limits leave room for files of 50,000 entries (2,000 fit a 25th of them)', async () => {
  const { DEFAULT_EVAL_LIMITS } = await import('../../src/compile/index.js');
  const lines = ['version: 1', 'context: {p: team}', 'entries:'];
  for (let i = 0; i < 2000; i++) {
    lines.push(
      '  - model: authentik_core.group',
      `    identifiers: {name: g${i}}`,
      `    attrs: {is_superuser: false, attributes: {team: !Format ["%s-%s", !Context p, ${i}], tags: [a, b, c], n: ${i}, note: "a longer description of what group ${i} is for"}}`,
    );
  }
  const limits = { maxNodes: DEFAULT_EVAL_LIMITS.maxNodes / 25, maxOutput: DEFAULT_EVAL_LIMITS.maxOutput / 25 };
  const res = compile([load('a.yaml', `${lines.join('\n')}\n`)], { limits });
  assert.deepEqual(codes(res), []);
  assert.equal(res.entries.length, 2000);
});

// Found by the fuzz campaign's neighbourhood: evaluation recursed once per link and overflowed the stack.
test('a chain of 5,000 context values each reading the previous one is a located limit error, not a stack overflow', () => {
  const n = 5000;
  const lines = ['version: 1', 'context:', '  c0: x', ...Array.from({ length: n }, (_, i) => `  c${i + 1}: !Context c${i}`)];
  lines.push('entries:', '  - model: authentik_core.group', '    identifiers: {name: g}', `    attrs: {attributes: {v: !Context c${n}}}`);
  const text = `${lines.join('\n')}\n`;
  const res = compile([load('a.yaml', text)]);
  const d = limitError(res);
  assert.match(d.summary, /maxDepth/);
  assert.match(lineOf(text, d), /^ {2}c\d+: !Context c\d+$/);
  // A chain of 200 is fine.
  const short = [
    'version: 1',
    'context:',
    '  c0: x',
    ...Array.from({ length: 200 }, (_, i) => `  c${i + 1}: !Context c${i}`),
    'entries:',
    '  - model: authentik_core.group',
    '    identifiers: {name: g}',
    '    attrs: {attributes: {v: !Context c200}}',
  ];
  const ok = compile([load('b.yaml', `${short.join('\n')}\n`)]);
  assert.deepEqual(codes(ok), []);
  assert.deepEqual(ok.entries[0]!.attrs.attributes, { v: 'x' });
});

// Found by the long fuzz campaign (case 22255 of seed 4242): every use of a memoised context value
// re-recorded its references with push(...refs), which overflowed the stack past ~100k of them.
test('a context doubling a !FindObject reference per line records the reference once, without a stack overflow', () => {
  const lines = ['version: 1', 'context:', '  f0: !FindObject [authentik_flows.flow, [slug, x]]'];
  for (let i = 1; i <= 19; i++) lines.push(`  f${i}: !Format ["%s%s", !Context f${i - 1}, !Context f${i - 1}]`);
  lines.push('entries:', '  - model: authentik_core.group', '    identifiers: {name: g}', '    attrs: {attributes: {v: !Context f19}}');
  const res = compile([load('a.yaml', `${lines.join('\n')}\n`)]);
  assert.deepEqual(
    codes(res).filter((c) => !c.startsWith('AKB3080')),
    [],
  );
});
