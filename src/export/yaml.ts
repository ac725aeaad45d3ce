// Export entries → blueprint YAML text. Keys sorted, tags in authentik's spelling (`!KeyOf id`,
// `!Find [model, [field, value]]`, `!Env NAME`), YAML 1.1 quoting (the loader reads files as
// PyYAML does, so `yes`, `0755` and date-like strings must stay strings), no line folding.
import { Document, Scalar, YAMLMap, YAMLSeq, type Node as YamlNode } from 'yaml';
import { EnvRef, FindRef, KeyOfRef, type ExportEntry, type ExportFile, type OutValue } from './build.js';

export interface RenderOptions {
  /** `# yaml-language-server: $schema=…` target; no line when absent. */
  schemaUrl?: string;
  /** authentik version the file was exported from, stated in the header. */
  authentikVersion: string;
}

export function renderFile(file: ExportFile, opts: RenderOptions): string {
  const doc = new Document(undefined, { version: '1.1' });
  const root = new YAMLMap();
  root.add(doc.createPair('version', 1));
  const metadata = new YAMLMap();
  metadata.add(doc.createPair('name', file.title));
  const labels = new YAMLMap();
  labels.add(doc.createPair('blueprints.goauthentik.io/description', `Exported by akbp from authentik ${opts.authentikVersion}`));
  metadata.add(doc.createPair('labels', labels));
  root.add(doc.createPair('metadata', metadata));
  const entries = new YAMLSeq();
  for (const e of file.entries) entries.items.push(entryNode(doc, e));
  root.add(doc.createPair('entries', entries));
  doc.contents = root;
  const body = doc.toString({ lineWidth: 0, minContentWidth: 0, directives: false, indentSeq: true, flowCollectionPadding: false });
  const head = opts.schemaUrl ? `# yaml-language-server: $schema=${opts.schemaUrl}\n` : '';
  return head + body;
}

function entryNode(doc: Document, e: ExportEntry): YAMLMap {
  const m = new YAMLMap();
  m.add(doc.createPair('model', e.model));
  m.add(doc.createPair('id', e.id));
  m.add(doc.createPair('identifiers', node(doc, e.identifiers)));
  if (Object.keys(e.attrs).length > 0) m.add(doc.createPair('attrs', node(doc, e.attrs)));
  if (e.comment) m.commentBefore = ` ${e.comment}`;
  return m;
}

function node(doc: Document, v: OutValue, flow = false): YamlNode {
  if (v instanceof KeyOfRef) return tagged(new Scalar(v.id), '!KeyOf');
  if (v instanceof EnvRef) return tagged(new Scalar(v.name), '!Env');
  if (v instanceof FindRef) {
    const seq = new YAMLSeq();
    seq.flow = true;
    seq.items.push(node(doc, v.model, true));
    for (const [k, x] of v.query) {
      const pair = new YAMLSeq();
      pair.flow = true;
      pair.items.push(node(doc, k, true), node(doc, x, true));
      seq.items.push(pair);
    }
    return tagged(seq, '!Find');
  }
  if (Array.isArray(v)) {
    const seq = new YAMLSeq();
    seq.flow = flow || v.length === 0;
    for (const x of v) seq.items.push(node(doc, x, flow));
    return seq;
  }
  if (v !== null && typeof v === 'object') {
    const m = new YAMLMap();
    m.flow = flow || Object.keys(v).length === 0;
    for (const k of Object.keys(v).sort()) m.add(doc.createPair(k, node(doc, v[k]!, flow)));
    return m;
  }
  const s = doc.createNode(v) as Scalar;
  // Multi-line text (expressions, templates) reads best as a literal block.
  // PyYAML refuses tabs in plain scalars (and around block text); quoted, a tab is just a character.
  if (typeof v === 'string' && v.includes('\t')) s.type = 'QUOTE_DOUBLE';
  else if (typeof v === 'string' && v.includes('\n') && !flow) s.type = 'BLOCK_LITERAL';
  return s;
}

function tagged<T extends YamlNode>(n: T, tag: string): T {
  n.tag = tag;
  return n;
}
