// `akbp compile SOURCE...`: everything that does not need the server, evaluated; references to
// server objects (!KeyOf, !Find) shown as deferred values. Secrets print as "(sensitive)".
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CompiledEntry, DesiredValue } from '../../model/index.js';
import { findModel, type Registry } from '../../authentik/registry.js';
import { hasErrors, locate } from '../../diag/index.js';
import { reconcileOnce } from '../../pipeline/index.js';
import { renderDiagnosticsText, SENSITIVE } from '../../report/index.js';
import type { CliContext } from '../context.js';
import { addCompileOptions, parseContextOptions, useColor, type CompileCliOptions } from '../options.js';
import { action, textsOf } from '../run.js';
import { plainYaml } from '../plain-yaml.js';
import { offlineRegistry, pipelineDeps, UsageError } from '../target.js';

interface CompileOptions extends CompileCliOptions {
  format: 'yaml' | 'json';
}

/** Secret fields the server echoes (`client_secret`, `bind_password`) are still in attrs. */
function masked(values: { [k: string]: DesiredValue }, secret: ReadonlySet<string>): { [k: string]: DesiredValue } {
  const out: { [k: string]: DesiredValue } = {};
  for (const [k, v] of Object.entries(values)) out[k] = secret.has(k) ? SENSITIVE : v;
  return out;
}

export function compiledView(entries: CompiledEntry[], texts: (uri: string) => string | undefined, registry?: Registry): object[] {
  return entries.map((e) => {
    const loc = locate(e.origin.range, texts);
    const secret = new Set(registry ? (findModel(registry, e.model)?.secretFields ?? []) : []);
    const secrets: { [k: string]: DesiredValue } = {};
    for (const [k, x] of Object.entries(e.secrets)) secrets[k] = x.secret ? SENSITIVE : x.value;
    return {
      key: e.key,
      ...(e.id ? { id: e.id } : {}),
      model: e.model,
      state: e.state,
      identifiers: masked(e.identifiers, secret),
      attrs: masked(e.attrs, secret),
      ...(Object.keys(secrets).length ? { secrets } : {}),
      ...(e.conditions.length ? { conditions: e.conditions } : {}),
      dependsOn: e.dependsOn,
      wave: e.wave,
      order: e.order,
      origin: loc ? `${loc.uri}:${loc.line}` : e.origin.uri,
    };
  });
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('compile')
    .description('Evaluate context, !Env, !File, !Format, !If, !Condition, !Enumerate…; print the ordered entries')
    .argument('[source...]', 'blueprint files, directories, git::URL//DIR?ref=REF or oci://host:port/repo:tag')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'));
  addCompileOptions(cmd)
    .addHelpText(
      'after',
      '\nExamples:\n  akbp compile examples/blueprints/\n  akbp compile --context team=payments --format json examples/blueprints/10-groups-and-users.yaml\n',
    )
    .action(
      action(ctx, async (sources: string[], opts: CompileOptions) => {
        const { registry, note } = offlineRegistry(opts);
        const context = parseContextOptions(opts.context);
        if (context.errors.length) throw new UsageError(context.errors.join('; '));
        const out = await reconcileOnce(
          { sources, mode: 'compile', context: context.value, strict: opts.strict ?? false, lenient: opts.lenient ?? false },
          pipelineDeps(opts, ctx, registry),
        );
        const texts = textsOf(out.texts);
        if (out.diagnostics.length > 0) ctx.io.stderr(`${renderDiagnosticsText(out.diagnostics, texts, useColor(ctx.io.isTTY, ctx.env))}\n`);
        if (out.compiled) {
          const doc = {
            authentikVersion: registry.authentikVersion,
            entries: compiledView(out.compiled.entries, texts, registry),
            dropped: out.compiled.dropped.map((d) => ({ key: d.key, model: d.model, reason: d.reason })),
          };
          // Plain data written directly: identifiers shared with attrs are not YAML aliases (naming
          // each anchor is a linear search in the yaml package, quadratic over a large compile).
          ctx.io.stdout(opts.format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : plainYaml(doc));
          ctx.io.stderr(`Compiled ${out.compiled.entries.length} entries (${out.compiled.dropped.length} dropped by conditions) for ${note}.\n`);
        }
        ctx.exitCode = hasErrors(out.diagnostics) ? 1 : 0;
      }),
    );
}
