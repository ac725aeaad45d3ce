// Longer explanations for `akbp explain` and docs/diagnostics.md, for the codes users meet most.
// The one-line title stays in each stage's catalogue; this adds the why, an example and the fix.
export interface Explanation {
  text: string;
  example?: string;
  fix?: string;
}

export const EXPLANATIONS: Record<string, Explanation> = {
  AKB1031: {
    text: 'authentik reads only blueprints with `version: 1`. Its discovery skips any other version, so the file would never be applied.',
    example: 'version: 2\nentries: []',
    fix: 'Set `version: 1`.',
  },
  AKB1043: {
    text: 'An entry key authentik does not know (a typo such as `identifier` or `attr`) is ignored by authentik without a word, so the entry does less than it seems to.',
    example: 'entries:\n  - model: authentik_core.group\n    identifiers: {name: admins}\n    attr: {is_superuser: true}   # ignored: the key is attrs',
    fix: 'Use one of model, state, id, identifiers, attrs, conditions, permissions.',
  },
  AKB2001: {
    text: "The model is not one of the target authentik version's blueprint models. Models are renamed between versions (e.g. tenants became brands in 2024.2).",
    example: 'entries:\n  - model: authentik_tenants.tenant   # 2023.x; 2024.2 and later: authentik_brands.brand',
    fix: 'Check `--authentik-version` and the model name; the error lists close names.',
  },
  AKB2002: {
    text: "A plain value does not fit the field's type in the target version's API schema (a string where an integer or a list is expected, a value outside an enum). authentik would reject the write with 400.",
    example: 'attrs:\n  order: first   # an integer is expected',
  },
  AKB2004: {
    text: 'The serializer of this model has no such field. authentik drops unknown attributes silently, which usually hides a typo.',
    example: 'attrs:\n  desgnation: authentication   # designation',
    fix: 'Correct the field name; the message suggests the closest known one.',
  },
  AKB3005: {
    text: "`!Env` may not read akbp's own credentials (AUTHENTIK_TOKEN, AKBP_*): a blueprint could otherwise copy the API token into an object another user can read.",
    example: 'attrs:\n  description: !Env AUTHENTIK_TOKEN',
  },
  AKB3006: {
    text: "A blueprint read from git or OCI is code from elsewhere: it may read only environment variables allowed with `--env-allow`, so a pushed file cannot exfiltrate the runner's environment.",
    fix: 'Pass `--env-allow NAME` (or a pattern such as `LDAP_*`) for the variables the blueprints need.',
  },
  AKB3007: {
    text: "`!File` reads only inside the blueprint's own directory and `--file-root` directories, after resolving symbolic links, and only regular files.",
    fix: 'Move the file next to the blueprint or pass `--file-root DIR`.',
  },
  AKB2007: {
    text: '`!KeyOf` refers to an entry `id` of the same blueprint file (authentik resolves it within one blueprint instance). No entry of this file has that id.',
    example: 'entries:\n  - model: authentik_flows.flowstagebinding\n    identifiers: {target: !KeyOf flow, stage: !KeyOf stage}   # no entry has id: flow',
    fix: 'Add `id: flow` to the flow entry, or use `!Find [authentik_flows.flow, [slug, my-flow]]` for an object from another file.',
  },
  AKB2008: {
    text: 'authentik applies entries in document order, so `!KeyOf` can only name an entry above it.',
    fix: 'Move the referenced entry above the one that refers to it.',
  },
  AKB3014: {
    text: 'Retired: validate reports this as AKB2007, before anything is compiled. `!KeyOf` refers to an entry `id` of the same blueprint file (authentik resolves it within one blueprint instance). No entry of this file has that id.',
    example: 'entries:\n  - model: authentik_flows.flowstagebinding\n    identifiers: {target: !KeyOf flow, stage: !KeyOf stage}   # no entry has id: flow',
    fix: 'Add `id: flow` to the flow entry, or use `!Find [authentik_flows.flow, [slug, my-flow]]` for an object from another file.',
  },
  AKB3015: {
    text: 'Retired: validate reports this as AKB2008, before anything is compiled. authentik applies entries in document order, so `!KeyOf` can only name an entry above it.',
    fix: 'Move the referenced entry above the one that refers to it.',
  },
  AKB2022: {
    text: "`identifiers: {pk: …}` looks the object up by its primary key. authentik fails the whole blueprint when the value is of a type the model's key cannot hold (an integer for a UUID key, a word for an integer key), before writing anything.",
    example: 'entries:\n  - model: authentik_core.group\n    identifiers: {pk: 999999}   # groups are keyed by UUID',
    fix: 'Identify the object by a field such as `name` or `slug`, or give the pk the server shows for it.',
  },
  AKB4027: {
    text: "An exported blueprint refers to objects by the pks of the install it came from. authentik rewrites a pk only when an entry earlier in the same file exports it; a pk that no earlier entry exports and no object on this server has cannot be resolved, and authentik's write would fail.",
    fix: 'Export the referenced object too (above the entry that refers to it), or replace the raw pk with `!Find` on a natural key.',
  },
  AKB4028: {
    text: 'Integer pks are numbered per install: the exported pk names an object here whose name differs from the exported one. authentik updates whatever object has that pk, and akbp does the same, but this is rarely what an import means.',
    fix: 'Identify the entry by a natural key (`username`, `name`, `slug`) besides the pk, or drop the pk.',
  },
  AKB4001: {
    text: '`!Find` matched no object where the value is needed, so the write would fail or write null.',
    fix: 'Check the query fields and values, or create the object first (in this or an earlier blueprint).',
  },
  AKB4004: {
    text: 'Prune would delete more objects than `--max-deletes` allows (default 10). This guards against a source that is empty or half-read by mistake.',
    fix: 'Review the plan; if the deletes are intended, raise `--max-deletes`.',
  },
  AKB4014: {
    text: 'Two entries would create the same object (same model and identifiers). authentik would update the first object with the second entry.',
    fix: 'Keep one entry, or give the entries different identifiers.',
  },
  AKB4017: {
    text: "The plan takes the API token's own user out of every superuser group. Every write after that would fail with 403 and leave the server half-applied, so the plan is refused.",
    fix: "Keep the token's user in a superuser group, or run akbp with another token.",
  },
  AKB5002: {
    text: 'Apply re-reads each object before writing it. Someone changed it on the server after the plan was made, so applying the saved plan could overwrite their change.',
    fix: 'Run `akbp plan` again and review the new plan.',
  },
  AKB5009: {
    text: 'The connection broke after a write was sent, so akbp cannot tell whether the server applied it. Apply stops; the next plan shows the true state.',
    fix: 'Run `akbp plan` again; it reads what the server has now.',
  },
  AKB6004: {
    text: 'authentik refused the API token. Tokens expire, and only tokens of intent "API" work for the REST API.',
    fix: 'Create an API token for a superuser (Directory → Tokens) and pass it in AUTHENTIK_TOKEN.',
  },
  AKB6008: {
    text: 'No connection to the authentik server could be made (DNS, refused connection, TLS).',
    fix: 'Check `--server`/AUTHENTIK_URL, and `--ca` or `--insecure` for private certificates.',
  },
  AKB9101: {
    text: 'A saved plan is tied to the exact blueprints it was made from (a digest of every file). They changed since, so the plan no longer describes what apply would do.',
    fix: 'Run `akbp plan --out PLAN.json` again.',
  },
};
