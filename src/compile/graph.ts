// Dependency graph over compiled entries: cycles (reported, then cut so the rest still orders),
// waves (longest dependency path) and one total order — wave, then file uri, then entry index —
// so the same sources give the same plan on every run.

export interface GraphNode {
  key: string;
  uri: string;
  /** Position of the entry's blueprint instance (see instanceOrder); ties between waves by it. */
  rank?: number;
  index: number;
  deps: Set<string>;
}

export interface GraphResult {
  waves: Map<string, number>;
  order: string[];
  /** Each cycle as the keys along it (first key repeated at the end is left to the printer). */
  cycles: string[][];
}

export function analyseGraph(nodes: readonly GraphNode[]): GraphResult {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  for (const n of nodes) for (const d of [...n.deps]) if (!byKey.has(d)) n.deps.delete(d);

  const cycles = findCycles(nodes, byKey);
  for (const scc of cycles) {
    const members = new Set(scc);
    for (const k of scc) {
      const n = byKey.get(k)!;
      for (const d of [...n.deps]) if (members.has(d)) n.deps.delete(d);
    }
  }

  // Kahn's algorithm; dependants are released in key order so the walk itself is deterministic.
  const waves = new Map<string, number>();
  const remaining = new Map<string, number>();
  const dependants = new Map<string, string[]>();
  for (const n of nodes) {
    remaining.set(n.key, n.deps.size);
    for (const d of n.deps) {
      let l = dependants.get(d);
      if (!l) dependants.set(d, (l = []));
      l.push(n.key);
    }
  }
  const queue = nodes.filter((n) => n.deps.size === 0).map((n) => n.key);
  for (const k of queue) waves.set(k, 0);
  for (let i = 0; i < queue.length; i++) {
    const k = queue[i]!;
    const w = waves.get(k)!;
    for (const dep of dependants.get(k) ?? []) {
      waves.set(dep, Math.max(waves.get(dep) ?? 0, w + 1));
      const r = remaining.get(dep)! - 1;
      remaining.set(dep, r);
      if (r === 0) queue.push(dep);
    }
  }

  const order = [...nodes]
    .sort((a, b) => {
      const wa = waves.get(a.key) ?? 0;
      const wb = waves.get(b.key) ?? 0;
      if (wa !== wb) return wa - wb;
      if ((a.rank ?? 0) !== (b.rank ?? 0)) return (a.rank ?? 0) - (b.rank ?? 0);
      if (a.uri !== b.uri) return a.uri < b.uri ? -1 : 1;
      if (a.index !== b.index) return a.index - b.index;
      return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    })
    .map((n) => n.key);
  return { waves, order, cycles };
}

/** Tarjan's strongly connected components (iterative); returns components that form cycles. */
function findCycles(nodes: readonly GraphNode[], byKey: Map<string, GraphNode>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  const sorted = [...nodes].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const start of sorted) {
    if (index.has(start.key)) continue;
    const work: { key: string; deps: string[]; i: number }[] = [];
    const push = (k: string): void => {
      index.set(k, counter);
      low.set(k, counter);
      counter++;
      stack.push(k);
      onStack.add(k);
      work.push({ key: k, deps: [...byKey.get(k)!.deps].sort(), i: 0 });
    };
    push(start.key);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (top.i < top.deps.length) {
        const d = top.deps[top.i++]!;
        if (!index.has(d)) push(d);
        else if (onStack.has(d)) low.set(top.key, Math.min(low.get(top.key)!, index.get(d)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.key, Math.min(low.get(parent.key)!, low.get(top.key)!));
      if (low.get(top.key) === index.get(top.key)) {
        const comp: string[] = [];
        let k: string;
        do {
          k = stack.pop()!;
          onStack.delete(k);
          comp.push(k);
        } while (k !== top.key);
        if (comp.length > 1 || byKey.get(top.key)!.deps.has(top.key)) out.push(orderCycle(comp, byKey));
      }
    }
  }
  return out;
}

/** Lists a component as a walk along its edges from its smallest key, for a readable message. */
function orderCycle(comp: string[], byKey: Map<string, GraphNode>): string[] {
  const members = new Set(comp);
  const start = [...comp].sort()[0]!;
  const path = [start];
  const seen = new Set([start]);
  let cur = start;
  for (;;) {
    const next = [...byKey.get(cur)!.deps].filter((d) => members.has(d)).sort();
    const step = next.find((d) => !seen.has(d));
    if (step === undefined) break;
    path.push(step);
    seen.add(step);
    cur = step;
  }
  return path;
}

export interface InstanceNode<T> {
  id: T;
  /** Path inside the source: the last tie-break. */
  name: string;
  /** Instances that must be applied before this one. */
  after: ReadonlySet<T>;
}

/**
 * Order of blueprint instances: each after those it needs, otherwise by name. When what is left
 * forms a cycle, the smallest name goes next, so the order is total and stable.
 */
export function instanceOrder<T>(nodes: readonly InstanceNode<T>[]): Map<T, number> {
  const left = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const placed = new Map<T, number>();
  while (left.length > 0) {
    let i = left.findIndex((n) => [...n.after].every((d) => d === n.id || placed.has(d) || !left.some((m) => m.id === d)));
    if (i < 0) i = 0;
    placed.set(left[i]!.id, placed.size);
    left.splice(i, 1);
  }
  return placed;
}
