// The sandbox's database: every object as a record, indexed by model and pk, plus the state file.
// Records keep their values in the shape the API takes them (FK = target pk, M2M = list of pks);
// what only the server knows (password hashes, token keys) lives in `secret` and is never rendered.
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { JsonObject } from '../model/types.js';

export type Pk = string | number;

export interface Rec {
  model: string;
  pk: Pk;
  /** Policy-binding-model uuid; equals pk for applications, sources, notification rules. */
  pbm?: string;
  /** Creation order; the final tie-break of every ordering, as insertion order is in a fresh DB. */
  seq: number;
  created: string;
  /** authentik's internal anonymous user: exists, but no endpoint shows it. */
  hidden?: boolean;
  data: JsonObject;
  /** User who created it through the API (authentik's `created_by`, a device's `user`). */
  creator?: Pk;
  secret: { password?: string; key?: string };
}

export interface StateFile {
  format: 1;
  authentikVersion: string;
  seq: number;
  counters: { [key: string]: number };
  records: Rec[];
}

export class Store {
  private readonly byModel = new Map<string, Map<string, Rec>>();
  private readonly byPbm = new Map<string, Rec>();
  seq = 0;
  counters: { [key: string]: number } = {};

  constructor(readonly authentikVersion: string) {}

  static fromState(s: StateFile): Store {
    const st = new Store(s.authentikVersion);
    st.seq = s.seq;
    st.counters = { ...s.counters };
    for (const r of s.records) st.insert(r);
    return st;
  }

  toState(): StateFile {
    const records: Rec[] = [];
    for (const m of this.byModel.values()) records.push(...m.values());
    records.sort((a, b) => a.seq - b.seq);
    return { format: 1, authentikVersion: this.authentikVersion, seq: this.seq, counters: this.counters, records };
  }

  nextSeq(): number {
    return ++this.seq;
  }

  nextCounter(key: string): number {
    const n = (this.counters[key] ?? 0) + 1;
    this.counters[key] = n;
    return n;
  }

  insert(r: Rec): void {
    let m = this.byModel.get(r.model);
    if (!m) this.byModel.set(r.model, (m = new Map()));
    m.set(String(r.pk), r);
    if (r.pbm) this.byPbm.set(r.pbm, r);
  }

  remove(r: Rec): void {
    this.byModel.get(r.model)?.delete(String(r.pk));
    if (r.pbm) this.byPbm.delete(r.pbm);
  }

  get(model: string, pk: Pk): Rec | undefined {
    return this.byModel.get(model)?.get(String(pk));
  }

  /** Records of one model in creation order, hidden ones included. */
  all(model: string): Rec[] {
    const m = this.byModel.get(model);
    return m ? [...m.values()] : [];
  }

  byPbmUuid(pbm: string): Rec | undefined {
    return this.byPbm.get(pbm);
  }
}

/** Reads a state file; undefined when it does not exist, an error naming the file when it is unusable. */
export async function readStateFile(path: string, expectVersion: string): Promise<StateFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`sandbox state file ${path} cannot be read: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`sandbox state file ${path} is not valid JSON (${(err as Error).message}); move it away to start fresh`);
  }
  const s = parsed as Partial<StateFile> | null;
  if (!s || typeof s !== 'object' || s.format !== 1 || !Array.isArray(s.records) || typeof s.authentikVersion !== 'string') {
    throw new Error(`sandbox state file ${path} is not a sandbox state (format 1); move it away to start fresh`);
  }
  if (s.authentikVersion !== expectVersion) {
    throw new Error(`sandbox state file ${path} holds authentik ${s.authentikVersion} data, but the sandbox emulates ${expectVersion}`);
  }
  return s as StateFile;
}

let tmpCounter = 0;

/**
 * Writes the file so that a reader (or a crash) only ever sees the old or the new content:
 * temp file in the same directory, fsync, rename over the target, fsync the directory.
 */
export async function writeStateFile(path: string, state: StateFile): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tmpCounter}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify(state));
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  try {
    const dh = await open(dirname(path), 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  }
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
