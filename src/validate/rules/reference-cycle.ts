// Entries that reference each other through `!KeyOf` can never all be applied: one of them must
// come first and its reference is then unresolved. Print the whole cycle so it can be broken.
import type { KeyOfTag } from '../../model/types.js';
import { V } from '../codes.js';
import type { EntryInfo, Rule } from '../context.js';

export const referenceCycle: Rule = {
  id: 'reference-cycle',
  meta: {
    messages: {
      cycle: {
        code: V.referenceCycle,
        summary: 'Reference cycle: {{cycle}}',
        detail: 'Each entry needs the object of the next one first; break the cycle (set the field in a later entry, or use !Find).',
      },
    },
  },
  check(ctx) {
    const byId = ctx.firstById();
    // Edges in document order of the referencing tag, so the reported cycle is deterministic.
    const edges = new Map<EntryInfo, { to: EntryInfo; tag: KeyOfTag }[]>();
    for (const use of ctx.tags()) {
      if (use.tag.$tag !== 'KeyOf' || !use.entry) continue;
      const to = byId.get((use.tag as KeyOfTag).id);
      if (!to) continue;
      const list = edges.get(use.entry) ?? [];
      list.push({ to, tag: use.tag as KeyOfTag });
      edges.set(use.entry, list);
    }
    const done = new Set<EntryInfo>();
    const reported = new Set<string>();
    for (const start of ctx.entries) {
      if (done.has(start)) continue;
      // Iterative DFS keeping the current path; a back edge onto the path closes a cycle.
      const path: EntryInfo[] = [];
      const via: KeyOfTag[] = [];
      const onPath = new Set<EntryInfo>();
      const iters: number[] = [];
      path.push(start);
      onPath.add(start);
      iters.push(0);
      while (path.length) {
        const node = path[path.length - 1]!;
        const out = edges.get(node) ?? [];
        const i = iters[iters.length - 1]!;
        if (i >= out.length) {
          path.pop();
          iters.pop();
          via.pop();
          onPath.delete(node);
          done.add(node);
          continue;
        }
        iters[iters.length - 1] = i + 1;
        const { to, tag } = out[i]!;
        if (onPath.has(to)) {
          const from = path.indexOf(to);
          const members = path.slice(from);
          const tags = [...via.slice(from), tag];
          const key = members
            .map((m) => m.entry.index)
            .sort((a, b) => a - b)
            .join(',');
          if (!reported.has(key)) {
            reported.add(key);
            const names = [...members, to].map((m) => m.entry.id ?? `#${m.entry.index}`);
            ctx.report(this, 'cycle', { cycle: names.join(' → ') }, { subject: tags[0]!.range, entry: members[0]! });
          }
          continue;
        }
        if (done.has(to)) continue;
        path.push(to);
        via.push(tag);
        onPath.add(to);
        iters.push(0);
      }
    }
  },
};
