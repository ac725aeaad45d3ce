// `akbp oci push` / `akbp oci pull`: publish blueprints as an OCI artifact authentik can pull
// (instance path oci://…), and fetch one back, through the sources stage's own client.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SourceError } from '../../model/errors.js';
import { ociPull, ociPush, sourceCodes, writePulledFiles, type OciOptions } from '../../sources/index.js';
import type { CliContext } from '../context.js';
import { cacheDir } from '../target.js';
import { escapeControls } from '../../diag/index.js';

interface RegistryFlags {
  registryAuth?: string;
  registryCa?: string;
  insecureRegistry?: string[];
  cacheDir?: string;
  maxBlobBytes?: string;
  maxTotalBytes?: string;
  timeout?: string;
}

function collect(value: string, prev: string[] = []): string[] {
  return [...prev, value];
}

function withRegistryFlags(cmd: Command): Command {
  return cmd
    .option('--registry-auth <user:pass>', 'registry credentials (prefer env AKBP_REGISTRY_AUTH: argv is visible to other users)')
    .option('--registry-ca <file>', 'PEM file of a CA to trust for the registry, in addition to the system roots')
    .option('--insecure-registry <host>', 'allow plain http to this host[:port] (loopback hosts always may); repeatable', collect)
    .option('--cache-dir <dir>', 'blob cache directory (default $AKBP_CACHE_DIR, else ~/.cache/akbp)')
    .option('--timeout <seconds>', 'give up when the whole transfer takes longer (default 600; one request at most 60)');
}

function positive(flag: string, value: string, example: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new SourceError(sourceCodes.ociTooLarge.code, `${flag} ${value} is not a positive whole number`, `Expected e.g. ${flag} ${example}.`);
  }
  return n;
}

function optionsFrom(flags: RegistryFlags, ctx: CliContext): OciOptions {
  const o: OciOptions = { env: ctx.env, cacheDir: cacheDir(flags, ctx) };
  if (flags.registryAuth) o.registryAuth = flags.registryAuth;
  if (flags.registryCa) {
    try {
      o.registryCa = readFileSync(resolve(ctx.cwd, flags.registryCa), 'utf8');
    } catch {
      throw new SourceError(
        sourceCodes.readFailed.code,
        `--registry-ca ${flags.registryCa}: cannot be read`,
        'Expected a PEM file with the CA certificate(s) that signed the registry certificate.',
      );
    }
  }
  if (flags.insecureRegistry?.length) o.insecureRegistries = flags.insecureRegistry;
  if (flags.maxBlobBytes !== undefined) o.maxBlobBytes = positive('--max-blob-bytes', flags.maxBlobBytes, '33554432');
  if (flags.maxTotalBytes !== undefined) o.maxTotalBytes = positive('--max-total-bytes', flags.maxTotalBytes, '134217728');
  if (flags.timeout !== undefined) {
    const s = Number(flags.timeout);
    if (!Number.isFinite(s) || s <= 0)
      throw new SourceError(sourceCodes.ociTimeout.code, `--timeout ${flags.timeout} is not a positive number of seconds`, 'Expected e.g. --timeout 120.');
    o.deadlineMs = Math.round(s * 1000);
  }
  return o;
}

async function run(ctx: CliContext, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    ctx.io.stderr(escapeControls(`error ${err.code}: ${err.message}\n${err.detail ? `  ${err.detail}\n` : ''}`));
    ctx.exitCode = 1;
  }
}

export function register(program: Command, ctx: CliContext): void {
  const oci = program.command('oci').description('publish blueprints to / fetch them from an OCI registry');

  withRegistryFlags(
    oci
      .command('push')
      .description('push blueprint files or directories as an OCI artifact (ORAS-compatible, pullable by authentik)')
      .argument('<file...>', 'blueprint files or directories (walked like a directory source), then the target oci://host[:port]/repository:tag'),
  )
    .addHelpText(
      'after',
      '\nExample:\n  akbp oci push flows.yaml oci://registry.example.com:5000/blueprints/flows:v1\n' +
        '  then in authentik: a blueprint instance with path oci://registry.example.com:5000/blueprints/flows:v1\n' +
        '\n  akbp oci push blueprints/ oci://registry.example.com:5000/blueprints/all:v1\n' +
        '  a directory becomes one layer per file: akbp reads them all, but authentik applies only\n' +
        '  the last layer, so give authentik one file per tag (or one file that uses metaapplyblueprint).\n',
    )
    .action(async (args: string[], flags: RegistryFlags) =>
      run(ctx, async () => {
        const ref = args[args.length - 1]!;
        const files = args.slice(0, -1).map((f) => resolve(ctx.cwd, f));
        if (files.length === 0 || !ref.startsWith('oci://')) {
          ctx.io.stderr('error: expected FILE... oci://host[:port]/repository:tag\n');
          ctx.exitCode = 1;
          return;
        }
        const r = await ociPush(files, ref, optionsFrom(flags, ctx));
        if (r.titles.length > 1) {
          ctx.io.stderr(
            `warning ${sourceCodes.ociManyLayers.code}: pushed ${r.titles.length} blueprint layers; an authentik instance with this path applies only the last (${r.titles.at(-1)})\n` +
              '  akbp reads every layer. For authentik, push one file per tag or combine them with metaapplyblueprint.\n',
          );
        }
        ctx.io.stdout(`pushed ${r.uri}\ndigest: ${r.digest}\n`);
      }),
    );

  withRegistryFlags(
    oci
      .command('pull')
      .description('pull the blueprint layers of an OCI artifact into a directory (digests verified)')
      .argument('<ref>', 'oci://host[:port]/repository[:tag|@sha256:digest]')
      .option('--out <dir>', 'directory to write the files to', '.')
      .option('--force', 'replace files that already exist in --out (symbolic links are replaced, never followed)')
      .option('--max-blob-bytes <n>', 'largest layer accepted (default 16 MiB)')
      .option('--max-total-bytes <n>', 'most bytes of all layers together (default 64 MiB)'),
  )
    .addHelpText('after', '\nExample:\n  akbp oci pull oci://registry.example.com:5000/blueprints/core:v1 --out ./pulled\n')
    .action(async (ref: string, flags: RegistryFlags & { out: string; force?: boolean }) =>
      run(ctx, async () => {
        const r = await ociPull(ref, optionsFrom(flags, ctx));
        const outDir = resolve(ctx.cwd, flags.out);
        await writePulledFiles(outDir, r.files, { force: flags.force ?? false });
        for (const f of r.files) ctx.io.stdout(`${f.origin.digest}  ${escapeControls(f.path, true)}\n`);
        ctx.io.stdout(`digest: ${r.digest}\n`);
      }),
    );
}
