// The shipped editor schema, checked by the real yaml-language-server over its LSP stdio, with the
// `yaml.customTags` setting README tells users to add: a tag is accepted wherever a value is
// expected, but a plain value is held to the field's type, as `akbp validate` holds it — `!Env X`
// passes in an integer field while `"X"` does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EDITOR_CUSTOM_TAGS } from '../../src/authentik/blueprint-schema.js';
import { KNOWN_TAGS } from '../../src/load/tags.js';

const schemaFile = fileURLToPath(new URL('../../schemas/authentik-2026.5/blueprint.schema.json', import.meta.url));
const serverMain = createRequire(import.meta.url).resolve('yaml-language-server/bin/yaml-language-server');

interface LspDiagnostic {
  range: { start: { line: number; character: number } };
  message: string;
}

/** One language server process; `check` opens a document and returns what the server publishes for it. */
async function languageServer(customTags: readonly string[]) {
  const schemaUri = pathToFileURL(schemaFile).href;
  const settings = { validate: true, customTags: [...customTags], schemas: { [schemaUri]: ['/blueprints/*.yaml'] } };
  let configured: () => void = () => undefined;
  const pulled = new Promise<void>((r) => (configured = r));
  const proc = spawn(process.execPath, [serverMain, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = Buffer.alloc(0);
  let nextId = 1;
  const waiting = new Map<number, (v: unknown) => void>();
  const published = new Map<string, (d: LspDiagnostic[]) => void>();
  const send = (msg: object) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
    proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  };
  proc.stdout.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, end).toString())?.[1]);
      if (buf.length < end + 4 + len) return;
      const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString()) as {
        id?: number;
        method?: string;
        params?: { uri: string; diagnostics: LspDiagnostic[] };
        result?: unknown;
      };
      buf = buf.subarray(end + 4 + len);
      if (msg.method === 'textDocument/publishDiagnostics' && msg.params) published.get(msg.params.uri)?.(msg.params.diagnostics);
      // The server pulls its settings (sections yaml, http, [yaml], editor), as from an editor.
      else if (msg.method === 'workspace/configuration') {
        send({ id: msg.id, result: [settings, {}, {}, {}] });
        configured();
      } else if (msg.id !== undefined && msg.method)
        send({ id: msg.id, result: null }); // registerCapability, …
      else if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
    }
  });
  const request = (method: string, params: object) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      send({ id, method, params });
    });
  await request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  send({ method: 'initialized', params: {} });
  send({ method: 'workspace/didChangeConfiguration', params: { settings: { yaml: settings } } });
  await pulled;
  let n = 0;
  return {
    /** Diagnostics for one document, once the server has validated it against the schema. */
    async check(text: string): Promise<LspDiagnostic[]> {
      const uri = `file:///blueprints/case-${++n}.yaml`;
      const got = new Promise<LspDiagnostic[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri}`)), 20_000);
        published.set(uri, (d) => {
          clearTimeout(timer);
          resolve(d);
        });
      });
      send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'yaml', version: 1, text } } });
      return got;
    },
    close: () => {
      proc.kill('SIGTERM');
    },
  };
}

const binding = (order: string) => `version: 1
entries:
  - model: authentik_flows.flowstagebinding
    identifiers: {target: !KeyOf flow, stage: !KeyOf stage}
    attrs:
      order: ${order}
`;
const user = (groups: string) => `version: 1
entries:
  - model: authentik_core.user
    identifiers: {username: alice}
    attrs:
      groups: ${groups}
`;
/** Problems the server reports on one line (0-based) of the document. */
const on = (ds: LspDiagnostic[], line: number) => ds.filter((d) => d.range.start.line === line).map((d) => d.message);

test('yaml-language-server with akbp customTags: a tag passes where a value is expected, a plain string does not pass for an integer or a list', async (t) => {
  const ls = await languageServer(EDITOR_CUSTOM_TAGS);
  t.after(() => ls.close());
  const ORDER = 5;
  assert.deepEqual(on(await ls.check(binding('!Env BINDING_ORDER')), ORDER), [], '!Env in an integer field');
  assert.deepEqual(on(await ls.check(binding('!Env [BINDING_ORDER, 10]')), ORDER), [], '!Env with a default');
  assert.deepEqual(on(await ls.check(binding('!Context order')), ORDER), []);
  assert.deepEqual(on(await ls.check(binding('10')), ORDER), [], 'a plain integer');
  assert.notDeepEqual(on(await ls.check(binding('"BINDING_ORDER"')), ORDER), [], 'a plain string in an integer field');
  assert.notDeepEqual(on(await ls.check(binding('{a: 1}')), ORDER), [], 'a plain mapping in an integer field');

  assert.deepEqual(on(await ls.check(user('!Find [authentik_core.group, [name, admins]]')), ORDER), [], 'a tag for a whole list');
  assert.deepEqual(on(await ls.check(user('[!Find [authentik_core.group, [name, admins]], !KeyOf staff]')), ORDER), [], 'tags as items');
  assert.notDeepEqual(on(await ls.check(user('"admins"')), ORDER), [], 'a plain string in a list field');

  const tagged = await ls.check('version: 1\nentries:\n  - model: !Format ["authentik_core.%s", group]\n    identifiers: {name: x}\n');
  assert.deepEqual(on(tagged, 2), [], 'a tagged model name');
  const unknown = await ls.check('version: 1\nentries:\n  - model: authentik_core.gruop\n    identifiers: {name: x}\n');
  assert.notDeepEqual(on(unknown, 2), [], 'an unknown model name is still reported');
});

test('without the return types (yaml-language-server before 1.24, or the old setting) a tag is flagged, not silently accepted as its text', async (t) => {
  const ls = await languageServer(EDITOR_CUSTOM_TAGS.map((x) => x.replace(/:object$/, '')));
  t.after(() => ls.close());
  assert.notDeepEqual(on(await ls.check(binding('!Env BINDING_ORDER')), 5), []);
});

test('EDITOR_CUSTOM_TAGS names every tag load knows, and README gives users exactly that setting', () => {
  assert.deepEqual([...new Set(EDITOR_CUSTOM_TAGS.map((x) => x.slice(1, x.indexOf(' '))))].sort(), [...KNOWN_TAGS].sort());
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /"yaml\.customTags": (\[[\s\S]*?\])/.exec(readme)?.[1];
  assert.ok(block, 'README shows a yaml.customTags setting');
  assert.deepEqual(JSON.parse(block) as string[], [...EDITOR_CUSTOM_TAGS]);
});
