// `akbp validate SOURCE...`: load and validate blueprints against the registry of an authentik
// version. Exit 0 when there are no errors (warnings allowed), 1 otherwise.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Diagnostic } from '../../model/index.js';
import { hasErrors, msg } from '../../diag/index.js';
import { loadAndValidate } from '../../pipeline/load.js';
import { ociManifestDigest } from '../../sources/index.js';
import { diagnosticsToJson, renderDiagnosticsText } from '../../report/index.js';
import type { CliContext } from '../context.js';
import { addCompileOptions, useColor, type CompileCliOptions } from '../options.js';
import { action, textsOf } from '../run.js';
import { cacheDir, offlineRegistry, pipelineDeps } from '../target.js';
import { CLI_CODES } from '../codes.js';

interface ValidateOptions extends CompileCliOptions {
  format: 'text' | 'json';
  resolveOci?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('validate')
    .description('Check blueprints against the JSON schema and semantic rules of an authentik version')
    .argument('[source...]', 'blueprint files, directories, git::URL//DIR?ref=REF or oci://host:port/repo:tag')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--resolve-oci', 'check that oci:// paths of blueprint instances exist in their registry');
  addCompileOptions(cmd)
    .addHelpText('after', '\nExamples:\n  akbp validate examples/blueprints/\n  akbp validate --authentik-version 2023.6 --strict blueprints/ --format json\n')
    .action(
      action(ctx, async (sources: string[], opts: ValidateOptions) => {
        const { registry, note } = offlineRegistry(opts);
        const deps = pipelineDeps(opts, ctx, registry);
        const loaded = await loadAndValidate({ sources, mode: 'validate', strict: opts.strict ?? false, lenient: opts.lenient ?? false }, deps);
        const diagnostics: Diagnostic[] = [...loaded.diagnostics];
        if (opts.resolveOci) diagnostics.push(...(await resolveOciPaths(loaded.blueprints, opts, ctx)));
        const texts = textsOf(loaded.texts);
        const errors = diagnostics.filter((d) => d.severity === 'error').length;
        const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
        if (opts.format === 'json') {
          ctx.io.stdout(diagnosticsToJson(diagnostics, texts, { authentikVersion: registry.authentikVersion, files: loaded.blueprints.length }));
        } else {
          if (diagnostics.length > 0) ctx.io.stdout(`${renderDiagnosticsText(diagnostics, texts, useColor(ctx.io.isTTY, ctx.env))}\n\n`);
          ctx.io.stdout(`Validated ${loaded.blueprints.length} blueprint(s) against ${note}: ${errors} error(s), ${warnings} warning(s).\n`);
        }
        ctx.exitCode = hasErrors(diagnostics) ? 1 : 0;
      }),
    );
}

/** `validate --resolve-oci`: an instance whose path names a missing OCI artifact is an error. */
async function resolveOciPaths(
  blueprints: Awaited<ReturnType<typeof loadAndValidate>>['blueprints'],
  opts: ValidateOptions,
  ctx: CliContext,
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const bp of blueprints) {
    for (const e of bp.entries) {
      if (typeof e.model !== 'string' || e.model.toLowerCase() !== 'authentik_blueprints.blueprintinstance') continue;
      const path = e.attrs.path ?? e.identifiers.path;
      if (typeof path !== 'string' || !path.startsWith('oci://')) continue;
      try {
        await ociManifestDigest(path, {
          cacheDir: cacheDir(opts, ctx),
          env: ctx.env,
          ...(opts.registryAuth ? { registryAuth: opts.registryAuth } : {}),
          ...(opts.insecureRegistry ? { insecureRegistries: opts.insecureRegistry } : {}),
        });
      } catch (err) {
        const subject = bp.pointers.get(`${e.pointer}/attrs/path`) ?? bp.pointers.get(`${e.pointer}/identifiers/path`) ?? e.range;
        out.push({
          code: CLI_CODES.ociUnresolved.code,
          severity: 'error',
          summary: msg(CLI_CODES.ociUnresolved, 'unresolved', { path, why: (err as Error).message }),
          detail: msg(CLI_CODES.ociUnresolved, 'unresolvedDetail', {}),
          subject,
        });
      }
    }
  }
  return out;
}
