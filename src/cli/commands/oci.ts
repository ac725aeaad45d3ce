// `akbp oci push` / `akbp oci pull`: publish blueprints as an OCI artifact authentik can pull
// (instance path oci://…), and fetch one back, through the sources stage's own client.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { SourceError } from '../../model/errors.js';
import { defaultCacheDir, ociPull, ociPush, sourceCodes, type OciOptions } from '../../sources/index.js';
import type { CliContext } from '../context.js';
import { escapeControls } from '../../diag/index.js';

interface RegistryFlags {
  registryAuth?: string;
  registryCa?: string;
  insecureRegistry?: string[];
  cacheDir?: string;
  maxBlobBytes?: string;
}

function collect(value: string, prev: string[] = []): string[] {
  return [...prev, value];
}

function withRegistryFlags(cmd: Command): Command {
  return cmd
    .option('--registry-auth <user:pass>', 'registry credentials (prefer env AKBP_REGISTRY_AUTH: argv is visible to other users)')
    .option('--registry-ca <file>', 'PEM file of a CA to trust for the registry, in addition to the system roots')
    .option('--insecure-registry <host>', 'allow plain http to this host[:port] (loopback hosts always may); repeatable', collect)
    .option('--cache-dir <dir>', 'blob cache directory (default ~/.cache/akbp)');
}

function optionsFrom(flags: RegistryFlags, ctx: CliContext): OciOptions {
  const o: OciOptions = { env: ctx.env, cacheDir: flags.cacheDir ? resolve(ctx.cwd, flags.cacheDir) : defaultCacheDir(ctx.env) };
  if (flags.registryAuth) o.registryAuth = flags.registryAuth;
  if (flags.registryCa) {
    try {
      o.registryCa = readFileSync(resolve(ctx.cwd, flags.registryCa), 'utf8');
    } catch {
      throw new SourceError(sourceCodes.readFailed.code, `--registry-ca ${flags.registryCa}: cannot be read`, 'Expected a PEM file with the CA certificate(s) that signed the registry certificate.');
    }
  }
  if (flags.insecureRegistry?.length) o.insecureRegistries = flags.insecureRegistry;
  if (flags.maxBlobBytes !== undefined) {
    const n = Number(flags.maxBlobBytes);
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new SourceError(sourceCodes.ociTooLarge.code, `--max-blob-bytes ${flags.maxBlobBytes} is not a positive whole number`, 'Expected a byte count, e.g. --max-blob-bytes 33554432.');
    }
    o.maxBlobBytes = n;
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
      .description('push blueprint files as an OCI artifact (ORAS-compatible, pullable by authentik)')
      .argument('<file...>', 'blueprint files, then the target oci://host[:port]/repository:tag'),
  )
    .addHelpText('after', '\nExample:\n  akbp oci push flows.yaml users.yaml oci://registry.example.com:5000/blueprints/core:v1\n  then in authentik: a blueprint instance with path oci://registry.example.com:5000/blueprints/core:v1\n')
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
        ctx.io.stdout(`pushed ${r.uri}\ndigest: ${r.digest}\n`);
      }),
    );

  withRegistryFlags(
    oci
      .command('pull')
      .description('pull the blueprint layers of an OCI artifact into a directory (digests verified)')
      .argument('<ref>', 'oci://host[:port]/repository[:tag|@sha256:digest]')
      .option('--out <dir>', 'directory to write the files to', '.')
      .option('--max-blob-bytes <n>', 'largest layer accepted (default 16 MiB)'),
  )
    .addHelpText('after', '\nExample:\n  akbp oci pull oci://registry.example.com:5000/blueprints/core:v1 --out ./pulled\n')
    .action(async (ref: string, flags: RegistryFlags & { out: string }) =>
      run(ctx, async () => {
        const r = await ociPull(ref, optionsFrom(flags, ctx));
        const outDir = resolve(ctx.cwd, flags.out);
        for (const f of r.files) {
          // Paths were checked to be relative without '..' when the manifest was read.
          const target = join(outDir, ...f.path.split('/'));
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, f.bytes);
          ctx.io.stdout(`${f.origin.digest}  ${escapeControls(f.path, true)}\n`);
        }
        ctx.io.stdout(`digest: ${r.digest}\n`);
      }),
    );
}
