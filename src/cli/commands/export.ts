// `akbp export [target] --out DIR`: the live server as portable blueprints (natural keys, no pks,
// secrets as !Env) that plan to zero changes against the server they came from.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { exportServer } from '../../export/index.js';
import { hasErrors } from '../../diag/index.js';
import { renderDiagnosticsText } from '../../report/index.js';
import type { CliContext } from '../context.js';
import { addTargetOptions, useColor, type TargetCliOptions } from '../options.js';
import { action } from '../run.js';
import { connectTarget } from '../target.js';

interface ExportCliOptions extends TargetCliOptions {
  out: string;
  model?: string[];
  match?: string[];
  singleFile?: boolean;
  allFields?: boolean;
  includeManaged?: boolean;
  schemaUrl?: string;
}

/** Written into every exported file; a re-export removes only files that carry it. */
const MARK = 'Exported by akbp from authentik';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('export').description('Write the live server as portable blueprints (no pks, secrets as !Env) that plan to zero changes');
  addTargetOptions(cmd)
    .option('--out <dir>', 'directory to write the blueprints and .env.example into', 'exported')
    .option(
      '--model <glob>',
      'export only these models (repeatable, e.g. "authentik_flows.*"); naming a runtime model such as authentik_core.token exports it',
      collect,
    )
    .option('--match <glob>', 'export only objects whose natural key matches, with the contents of matching flows and applications (repeatable)', collect)
    .option('--single-file', 'one file, every reference a !KeyOf')
    .option('--all-fields', 'write fields equal to their defaults too')
    .option('--include-managed', 'also declare objects authentik manages itself (identified by `managed`)')
    .option('--schema-url <url>', "target of the `# yaml-language-server: $schema=` line (default: akbp's bundled schema, relative to --out)")
    .addHelpText(
      'after',
      '\nExamples:\n  AUTHENTIK_URL=https://auth.example.com AUTHENTIK_TOKEN=… akbp export --out blueprints/\n  akbp export --server http://127.0.0.1:9000 --token T --match "default-*" --single-file\n  akbp plan blueprints/ --detailed-exitcode   # 0: the export matches the server\n',
    )
    .action(
      action(ctx, async (opts: ExportCliOptions) => {
        const target = await connectTarget(opts, ctx);
        try {
          const outDir = resolve(ctx.cwd, opts.out);
          const schemaFile = fileURLToPath(new URL(`../../../schemas/authentik-${target.registry.version}/blueprint.schema.json`, import.meta.url));
          const schemaUrl = opts.schemaUrl ?? relative(outDir, schemaFile).split(sep).join('/');
          const out = await exportServer(target.client, target.registry, {
            schemaUrl,
            ...(opts.model ? { models: opts.model } : {}),
            ...(opts.match ? { match: opts.match } : {}),
            ...(opts.singleFile ? { singleFile: true } : {}),
            ...(opts.allFields ? { allFields: true } : {}),
            ...(opts.includeManaged ? { includeManaged: true } : {}),
          });
          mkdirSync(outDir, { recursive: true });
          const written = new Set(out.files.map((f) => f.path));
          for (const name of existsSync(outDir) ? readdirSync(outDir) : []) {
            // Files of an earlier export whose objects are gone; anything else is the user's.
            if (!/\.ya?ml$/.test(name) || written.has(name)) continue;
            const old = join(outDir, name);
            if (readFileSync(old, 'utf8').includes(MARK)) rmSync(old);
          }
          for (const f of out.files) {
            const file = join(outDir, f.path);
            mkdirSync(dirname(file), { recursive: true });
            writeFileSync(file, f.text);
          }
          const envFile = join(outDir, '.env.example');
          if (out.env.length > 0) writeFileSync(envFile, out.envExample);
          else if (existsSync(envFile)) rmSync(envFile);
          if (out.diagnostics.length > 0) ctx.io.stderr(`${renderDiagnosticsText(out.diagnostics, () => undefined, useColor(ctx.io.isTTY, ctx.env))}\n`);
          const c = out.counts;
          ctx.io.stdout(
            `Exported ${c.exported} object(s) from ${target.description} into ${out.files.length} file(s) in ${opts.out}.\n` +
              `Left out: ${c.managed} managed by authentik, ${c.runtime} runtime data${c.filtered ? `, ${c.filtered} filtered` : ''} (referenced with !Find).\n` +
              (out.env.length > 0 ? `${out.env.length} secret(s) written as !Env; their names are in ${join(opts.out, '.env.example')}.\n` : '') +
              `Read ${c.objects} object(s) of ${c.models} model(s) in ${out.requests} request(s) (floor ${out.floor}).\n`,
          );
          ctx.exitCode = hasErrors(out.diagnostics) ? 1 : 0;
        } finally {
          await target.close();
        }
      }),
    );
}
