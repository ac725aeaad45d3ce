// authentik processes entries strictly in document order and `!KeyOf` only sees entries that
// already recorded an object (§6 `!KeyOf`): a typo, a forward reference, a reference to an
// `absent` entry (before the importer began recording the object an absent entry deletes) or to a
// meta-model entry all fail the run when the tag is resolved.
import type { KeyOfTag } from '../../model/types.js';
import { V } from '../codes.js';
import type { Rule } from '../context.js';
import { closest } from '../fields.js';

export const keyofTarget: Rule = {
  id: 'keyof-target',
  meta: {
    messages: {
      unknown: {
        code: V.keyOfUnknown,
        summary: '!KeyOf `{{id}}`: no entry has this id',
        detail: '{{hint}}',
      },
      later: {
        code: V.keyOfLater,
        summary: '!KeyOf `{{id}}`: the entry is defined later',
        detail: 'authentik applies entries in document order; move the entry with id `{{id}}` above this one.',
      },
      absent: {
        code: V.keyOfTarget,
        summary: '!KeyOf `{{id}}`: that entry has state `absent` and records no object on authentik {{version}}',
        detail:
          'Reference an entry that creates or updates the object, or use !Find; authentik 2026.5 resolves it (to null, the object being deleted by then).',
      },
      meta: {
        code: V.keyOfTarget,
        summary: '!KeyOf `{{id}}`: that entry is a meta model (`{{model}}`) and records no object',
        detail: 'Meta-model entries run an action; there is no primary key to refer to.',
      },
    },
  },
  check(ctx) {
    const byId = ctx.firstById();
    for (const use of ctx.tags()) {
      if (use.tag.$tag !== 'KeyOf') continue;
      const tag = use.tag as KeyOfTag;
      const where = { subject: tag.range, entry: use.entry };
      const target = byId.get(tag.id);
      if (!target) {
        const near = closest(tag.id, byId.keys());
        const misplaced = ctx.entries.find((e) => e.entry.identifiers.id === tag.id || e.entry.attrs.id === tag.id);
        const hint = misplaced
          ? `An entry has \`id: ${tag.id}\` inside identifiers or attrs, where it is a field; move it up to the entry.`
          : near
            ? `Did you mean \`${near}\`?`
            : `Give the entry that creates the object \`id: ${tag.id}\`.`;
        const part = misplaced && misplaced.entry.identifiers.id === tag.id ? 'identifiers' : 'attrs';
        const related = misplaced
          ? [
              {
                range: ctx.range(`${misplaced.entry.pointer}/${part}/id`, misplaced.entry.range)!,
                message: `\`id: ${tag.id}\` is a field of ${part} here, not the entry id`,
              },
            ]
          : [];
        ctx.report(this, 'unknown', { id: tag.id, hint }, { ...where, related });
        continue;
      }
      // Self references are cycles; the reference-cycle rule reports them with the path.
      if (use.entry === target) continue;
      if (use.entry && target.entry.index > use.entry.entry.index) {
        const definedAt = ctx.range(`${target.entry.pointer}/id`, target.entry.range)!;
        ctx.report(this, 'later', { id: tag.id }, { ...where, related: [{ range: definedAt, message: `\`${tag.id}\` is defined here, after the reference` }] });
        continue;
      }
      if (target.state === 'absent') {
        if (!ctx.registry.keyOfAbsent) ctx.report(this, 'absent', { id: tag.id, version: ctx.registry.version }, where);
      } else if (target.model?.kind === 'meta') ctx.report(this, 'meta', { id: tag.id, model: target.model.model }, where);
    }
  },
};
