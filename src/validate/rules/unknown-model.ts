// authentik resolves every entry's model before anything else and aborts the whole run when it
// does not exist — even for an entry whose conditions are false (BLUEPRINT-SEMANTICS.md §4.1).
import { V } from '../codes.js';
import { findModel, type Registry } from '../../authentik/registry.js';
import type { Rule } from '../context.js';
import { closest } from '../fields.js';

/** Models renamed between the bundled releases (model-map-diff.json `renamed`): old → new. */
const RENAMED: [string, string][] = [
  ['authentik_stages_authenticator_webauthn.authenticatewebauthnstage', 'authentik_stages_authenticator_webauthn.authenticatorwebauthnstage'],
  ['authentik_sources_ldap.ldappropertymapping', 'authentik_sources_ldap.ldapsourcepropertymapping'],
  ['authentik_sources_plex.plexsourceconnection', 'authentik_sources_plex.userplexsourceconnection'],
  ['authentik_tenants.tenant', 'authentik_brands.brand'],
];

/** The name this registry uses for a model another release knows under a different name. */
function renamedTo(reg: Registry, name: string): string | undefined {
  const key = name.toLowerCase();
  for (const [a, b] of RENAMED) {
    if (key === a && reg.models[b]) return b;
    if (key === b && reg.models[a]) return a;
  }
  return undefined;
}

export const unknownModel: Rule = {
  id: 'unknown-model',
  meta: {
    messages: {
      unknown: {
        code: V.unknownModel,
        summary: 'Unknown model `{{model}}`: authentik {{version}} has no such blueprint model',
        detail: '{{hint}}',
      },
      malformed: {
        code: V.unknownModel,
        summary: 'Model `{{model}}` is not of the form `app_label.model_name`',
        detail: 'authentik splits the model on its one dot, e.g. `authentik_flows.flow`.',
      },
    },
  },
  check(ctx) {
    for (const info of ctx.entries) {
      if (info.modelName === undefined || info.model) continue;
      const name = info.modelName;
      const subject = ctx.range(`${info.entry.pointer}/model`);
      const where = { subject, entry: info };
      if (name.split('.').length !== 2) {
        ctx.report(this, 'malformed', { model: name }, where);
        continue;
      }
      const renamed = renamedTo(ctx.registry, name);
      const base = findModel(ctx.registry, name);
      const near = closest(
        name.toLowerCase(),
        Object.keys(ctx.registry.models).filter((m) => ctx.registry.models[m]!.kind !== 'base'),
      );
      const hint =
        base?.kind === 'base'
          ? `\`${base.model}\` is a polymorphic base model: !Find may query it, but an entry must name a concrete model, e.g. ${
              ctx.registry.families[base.polymorphicFamily ?? '']?.members
                .slice(0, 3)
                .map((m) => `\`${m}\``)
                .join(', ') ?? 'one of its subclasses'
            }.`
          : renamed
            ? `authentik ${ctx.registry.version} knows this model as \`${renamed}\` (it was renamed between releases).`
            : near
              ? `Did you mean \`${near}\`?`
              : `Validated against authentik ${ctx.registry.version}; a newer server's own schema may know it (build a registry from that server).`;
      ctx.report(this, 'unknown', { model: name, version: ctx.registry.version, hint }, where);
    }
  },
};
