// A blueprint instance's inline `content` is dry-run imported by authentik when the instance is
// created or its content changed (test_v1_api.test_api_content): a blueprint the importer would
// refuse is a 400 on `content`, in each version's message shape, and the dry run writes nothing.
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { flowBody, serve, type Served } from './util.js';

const flowEntry = (slug: string, attrs: string) => `  - model: authentik_flows.flow
    identifiers: {slug: ${slug}}
    attrs: {${attrs}}
`;

describe('blueprint instance content is dry-run validated on create as authentik does, 2023.6', () => {
  let s: Served;
  before(async () => {
    s = await serve('2023.6');
  });
  after(() => s.close());

  test('a blueprint of version 3 is refused with the importer’s one-line message', async () => {
    const r = await s.req('POST', '/managed/blueprints/', { name: 'v3', content: '{"version": 3}' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { content: ['Failed to validate blueprint: Invalid blueprint version'] });
    assert.equal((await s.req('GET', '/managed/blueprints/?name=v3')).json.pagination.count, 0);
  });

  test('an entry the serializer refuses is a 400 naming the field; nothing of the dry run is written', async () => {
    const r = await s.req('POST', '/managed/blueprints/', {
      name: 'half',
      content: `version: 1\nentries:\n${flowEntry('dry-a', 'name: a, title: a, designation: authentication')}${flowEntry('dry-b', 'name: b')}`,
    });
    assert.equal(r.status, 400);
    assert.match(r.json.content[0], /^Failed to validate blueprint: .*Serializer errors .*'title': \['This field is required\.'\]/s);
    assert.equal((await s.req('GET', '/flows/instances/?slug=dry-a')).json.pagination.count, 0, 'the first entry was rolled back');
  });

  test("content authentik's importer cannot even parse crashes it: 500 with Django's error page, nothing created", async () => {
    const crashing = [
      'version: 1\nentries: [\n',
      'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: !NoSuchTag x}\n',
      'version: "1"\nentries: []\n',
      'version: 1\nentries:\n  - model: authentik_core.group\n    state: gone\n    identifiers: {name: x}\n',
      'version: 1\nentries:\n  - identifiers: {name: x}\n',
      '- just\n- a list\n',
    ];
    for (const content of crashing) {
      const r = await s.req('POST', '/managed/blueprints/', { name: 'crash', content });
      assert.equal(r.status, 500, content);
      assert.match(r.text, /Server Error \(500\)/);
    }
    assert.equal((await s.req('GET', '/managed/blueprints/?name=crash')).json.pagination.count, 0);
  });

  test('a model the version does not know is refused', async () => {
    const r = await s.req('POST', '/managed/blueprints/', {
      name: 'unknown-model',
      content: 'version: 1\nentries:\n  - model: authentik_core.nosuchmodel\n    identifiers: {name: x}\n',
    });
    assert.equal(r.status, 400);
    assert.match(r.json.content[0], /app or model does not exist/i);
  });

  test('an entry without identifiers is refused', async () => {
    const r = await s.req('POST', '/managed/blueprints/', {
      name: 'no-ids',
      content: 'version: 1\nentries:\n  - model: authentik_core.group\n    attrs: {name: x}\n',
    });
    assert.equal(r.status, 400);
    assert.match(r.json.content[0], /No or invalid identifiers/);
  });

  test('valid content is accepted and writes nothing: a full create, a partial update of an existing object, a later entry updating an earlier one, tags', async () => {
    assert.equal((await s.req('POST', '/flows/instances/', flowBody('dry-live'))).status, 201);
    const content = `version: 1
entries:
${flowEntry('dry-new', 'name: n, title: n, designation: authentication')}${flowEntry('dry-live', 'title: retitled')}${flowEntry('dry-new', 'title: again')}  - model: authentik_core.group
    identifiers: {name: !Format ['%s-group', x]}
    attrs: {parent: !Find [authentik_core.group, [name, nothing]]}
  - model: authentik_flows.flow
    conditions: [false]
    identifiers: {slug: skipped}
`;
    const r = await s.req('POST', '/managed/blueprints/', { name: 'ok', content });
    assert.equal(r.status, 201, r.text);
    assert.equal((await s.req('GET', '/flows/instances/?slug=dry-new')).json.pagination.count, 0);
    assert.equal((await s.req('GET', '/flows/instances/dry-live/')).json.title, 'dry-live');
  });

  test("apply/ records the content's SHA-512 and the blueprint's metadata, as authentik's apply task does", async () => {
    const content = 'version: 1\nmetadata:\n  name: hashed\n  labels: {team: blue}\nentries: []\n';
    const bp = (await s.req('POST', '/managed/blueprints/', { name: 'hashed', content })).json;
    const applied = await s.req('POST', `/managed/blueprints/${bp.pk}/apply/`);
    // The hash is over the content as stored: DRF trims the text field's surrounding whitespace.
    assert.equal(bp.content, content.trim());
    assert.equal(applied.json.last_applied_hash, createHash('sha512').update(content.trim()).digest('hex'));
    assert.deepEqual(applied.json.metadata, { name: 'hashed', labels: { team: 'blue' } });
    const bare = (await s.req('POST', '/managed/blueprints/', { name: 'bare', content: 'version: 1\nentries: []\n' })).json;
    const metaBefore = bare.metadata;
    assert.deepEqual(
      (await s.req('POST', `/managed/blueprints/${bare.pk}/apply/`)).json.metadata,
      metaBefore,
      'no metadata block: the instance keeps what it had',
    );
  });

  test('changing the content of an instance validates the new content', async () => {
    const bp = (await s.req('POST', '/managed/blueprints/', { name: 'patched', content: 'version: 1\nentries: []\n' })).json;
    const r = await s.req('PATCH', `/managed/blueprints/${bp.pk}/`, { content: 'version: 2\n' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { content: ['Failed to validate blueprint: Invalid blueprint version'] });
  });
});

describe('blueprint instance content is dry-run validated on create as authentik does, 2026.5', () => {
  let s: Served;
  before(async () => {
    s = await serve('2026.5');
  });
  after(() => s.close());

  test('a blueprint of version 3 is refused with a header line and one `- event` line per event', async () => {
    const r = await s.req('POST', '/managed/blueprints/', { name: 'v3', content: '{"version": 3}' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { content: ['Failed to validate blueprint', '- Invalid blueprint version'] });
  });

  test('entries as sections are read; a refused entry in a later section is found', async () => {
    const content = `version: 1\nentries:\n  first:\n${flowEntry('sec-a', 'name: a, title: a, designation: authentication')}  second:\n${flowEntry('sec-b', 'name: b')}`;
    const r = await s.req('POST', '/managed/blueprints/', { name: 'sections', content });
    assert.equal(r.status, 400);
    assert.equal(r.json.content[0], 'Failed to validate blueprint');
    assert.match(r.json.content[1], /^- Entry invalid: .*'title': \['This field is required\.'\]/);
  });
});
