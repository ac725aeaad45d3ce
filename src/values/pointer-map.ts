// JSON pointer → source range for every node of one file (ParsedBlueprint.pointers), kept small:
// a file of 50,000 entries has ~720,000 of them, and as a Map of range objects they were ~90 MB,
// most of a loaded blueprint. Here a mapping key's `<pointer>#key` shares one slot with
// `<pointer>`, and the offsets of a slot sit in one Int32Array; ranges are built when read.
// Load builds it; compile revives one that crossed to its worker thread (`revivePointerMap`).
import type { SourceRange } from '../model/types.js';

const KEY = '#key';
/** Int32s per slot: value start, value end, key start, key end (-1: none). */
const WIDTH = 4;

export class PointerMap implements ReadonlyMap<string, SourceRange> {
  private readonly slots = new Map<string, number>();
  private offsets = new Int32Array(256 * WIDTH);
  private used = 0;
  private count = 0;
  /** Ranges in another file (never made by load; kept so the map stays a faithful Map). */
  private foreign: Map<string, SourceRange> | undefined;

  constructor(readonly uri: string) {}

  get size(): number {
    return this.count + (this.foreign?.size ?? 0);
  }

  /** The range of the node at `pointer`. */
  put(pointer: string, start: number, end: number): void {
    // A key may itself end in `#key`: its value's pointer then names the same place a Map would.
    const [base, at] = split(pointer);
    this.write(base, at, start, end);
  }

  /** The range of the mapping key whose value is at `pointer` (read back as `<pointer>#key`). */
  putKey(pointer: string, start: number, end: number): void {
    this.write(pointer, 2, start, end);
  }

  set(pointer: string, range: SourceRange): this {
    const [base, at] = split(pointer);
    if (range.uri !== this.uri) {
      this.clear(base, at);
      (this.foreign ??= new Map()).set(pointer, range);
    } else this.write(base, at, range.start, range.end);
    return this;
  }

  get(pointer: string): SourceRange | undefined {
    const foreign = this.foreign?.get(pointer);
    if (foreign) return foreign;
    const [base, at] = split(pointer);
    const slot = this.slots.get(base);
    if (slot === undefined) return undefined;
    const i = slot * WIDTH + at;
    const start = this.offsets[i]!;
    return start < 0 ? undefined : { uri: this.uri, start, end: this.offsets[i + 1]! };
  }

  has(pointer: string): boolean {
    return this.get(pointer) !== undefined;
  }

  *keys(): MapIterator<string> {
    for (const [base, slot] of this.slots) {
      if (this.offsets[slot * WIDTH + 2]! >= 0) yield base + KEY;
      if (this.offsets[slot * WIDTH]! >= 0) yield base;
    }
    if (this.foreign) yield* this.foreign.keys();
  }

  *entries(): MapIterator<[string, SourceRange]> {
    for (const k of this.keys()) yield [k, this.get(k)!];
  }

  *values(): MapIterator<SourceRange> {
    for (const k of this.keys()) yield this.get(k)!;
  }

  [Symbol.iterator](): MapIterator<[string, SourceRange]> {
    return this.entries();
  }

  forEach(fn: (value: SourceRange, key: string, map: ReadonlyMap<string, SourceRange>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  private write(base: string, at: number, start: number, end: number): void {
    this.foreign?.delete(at === 0 ? base : base + KEY);
    let slot = this.slots.get(base);
    if (slot === undefined) {
      slot = this.used++;
      if (this.used * WIDTH > this.offsets.length) {
        const grown = new Int32Array(this.offsets.length * 2);
        grown.set(this.offsets);
        this.offsets = grown;
      }
      this.offsets.fill(-1, slot * WIDTH, slot * WIDTH + WIDTH);
      this.slots.set(base, slot);
    }
    const i = slot * WIDTH + at;
    if (this.offsets[i]! < 0) this.count++;
    this.offsets[i] = start;
    this.offsets[i + 1] = end;
  }

  private clear(base: string, at: number): void {
    const slot = this.slots.get(base);
    if (slot === undefined) return;
    const i = slot * WIDTH + at;
    if (this.offsets[i]! >= 0) this.count--;
    this.offsets[i] = -1;
    this.offsets[i + 1] = -1;
  }
}

/**
 * A structured clone (postMessage to a worker) keeps the fields of a PointerMap but not its
 * class: this gives it back. Maps and PointerMaps are returned as they are.
 */
export function revivePointerMap(pointers: ReadonlyMap<string, SourceRange>): ReadonlyMap<string, SourceRange> {
  if (typeof (pointers as { get?: unknown }).get === 'function') return pointers;
  return Object.setPrototypeOf(pointers, PointerMap.prototype) as PointerMap;
}

function split(pointer: string): [string, number] {
  return pointer.endsWith(KEY) ? [pointer.slice(0, -KEY.length), 2] : [pointer, 0];
}
