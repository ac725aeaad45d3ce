// plan's one switch, as a table (gitops-engine's sync-task tables): entry state × where the object
// is × whether the desired fields differ → what the plan does (BLUEPRINT-SEMANTICS §5). Every
// combination is a row, so a new state or a changed rule shows up here first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EntryState } from '../../src/model/index.js';
import { decide, type LiveState, type Verdict } from '../../src/plan/decide.js';

const rows: [EntryState, LiveState, 'same' | 'differs', Verdict][] = [
  // present: create, or re-assert the declared fields
  ['present', 'missing', 'same', { action: 'create' }],
  ['present', 'missing', 'differs', { action: 'create' }],
  ['present', 'exists', 'same', { action: 'noop', why: 'up-to-date' }],
  ['present', 'exists', 'differs', { action: 'update' }],
  ['present', 'created-earlier', 'same', { action: 'noop', why: 'declared-again' }],
  ['present', 'created-earlier', 'differs', { action: 'update-created' }],
  // created: create once, never update
  ['created', 'missing', 'same', { action: 'create' }],
  ['created', 'missing', 'differs', { action: 'create' }],
  ['created', 'exists', 'same', { action: 'noop', why: 'created-exists' }],
  ['created', 'exists', 'differs', { action: 'noop', why: 'created-exists' }],
  ['created', 'created-earlier', 'same', { action: 'noop', why: 'created-earlier' }],
  ['created', 'created-earlier', 'differs', { action: 'noop', why: 'created-earlier' }],
  // must_created: the object must not exist, not even by an earlier declaration of this run
  ['must_created', 'missing', 'same', { action: 'create' }],
  ['must_created', 'missing', 'differs', { action: 'create' }],
  ['must_created', 'exists', 'same', { action: 'conflict' }],
  ['must_created', 'exists', 'differs', { action: 'conflict' }],
  ['must_created', 'created-earlier', 'same', { action: 'create', error: 'created-earlier' }],
  ['must_created', 'created-earlier', 'differs', { action: 'create', error: 'created-earlier' }],
  // absent: delete what exists; an object this run creates is not there yet
  ['absent', 'missing', 'same', { action: 'noop', why: 'absent-missing' }],
  ['absent', 'missing', 'differs', { action: 'noop', why: 'absent-missing' }],
  ['absent', 'exists', 'same', { action: 'delete' }],
  ['absent', 'exists', 'differs', { action: 'delete' }],
  ['absent', 'created-earlier', 'same', { action: 'noop', why: 'absent-missing' }],
  ['absent', 'created-earlier', 'differs', { action: 'noop', why: 'absent-missing' }],
];

for (const [state, live, desired, verdict] of rows) {
  test(`decide: state ${state} × object ${live} × fields ${desired} → ${verdict.action}${'why' in verdict ? ` (${verdict.why})` : ''}${'error' in verdict ? ' with an error' : ''}`, () => {
    assert.deepEqual(decide({ state, live, differs: desired === 'differs' }), verdict);
  });
}

test('the table covers every state × object combination', () => {
  const states: EntryState[] = ['present', 'created', 'must_created', 'absent'];
  const lives: LiveState[] = ['missing', 'exists', 'created-earlier'];
  for (const s of states)
    for (const l of lives)
      for (const d of ['same', 'differs'])
        assert.ok(
          rows.some((r) => r[0] === s && r[1] === l && r[2] === d),
          `${s} × ${l} × ${d}`,
        );
});
