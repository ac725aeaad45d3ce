// `akbp sandbox`: the authentik-API emulator as a local HTTP server, for trying akbp (or any
// authentik client) without an authentik. Prints the URL and the token to use — the token is the
// user's own choice or generated for this toy server, so showing it is the point — and runs until
// Ctrl-C.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { bundledRegistry, defaultVersion, isBundledVersion } from '../../authentik/bundled.js';
import { ALL_FAULTS as FAULTS, createSandbox, type FaultKind, type FaultPhase, type SandboxOptions } from '../../sandbox/index.js';
import type { CliContext } from '../context.js';
import { action } from '../run.js';
import { UsageError } from '../target.js';
import { msg } from '../../diag/index.js';
import { CLI_CODES } from '../codes.js';

export interface SandboxCliOptions {
  listen: string;
  token?: string;
  state?: string;
  authentikVersion: string;
  latency?: string;
  jitter?: string;
  faultRate?: string;
  faults?: string;
  faultPhase?: string;
  seed?: string;
  maxPageSize?: string;
}

function number(name: string, v: string | undefined, min: number, max = Number.POSITIVE_INFINITY): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(msg(CLI_CODES.usage, 'numberRange', { name, min, max, value: v }));
  return n;
}

export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(v.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(msg(CLI_CODES.usage, 'sandboxListen', { value: v }));
  return { host: (m[1] ?? m[2])!, port };
}

export function sandboxOptions(opts: SandboxCliOptions, ctx: CliContext): { options: SandboxOptions; tokenGenerated: boolean } {
  const version = opts.authentikVersion;
  if (!isBundledVersion(version)) throw new UsageError(msg(CLI_CODES.usage, 'sandboxVersion', { version }));
  const faults = opts.faults ? opts.faults.split(',').map((f) => f.trim()) : FAULTS;
  for (const f of faults)
    if (!FAULTS.includes(f as FaultKind)) throw new UsageError(msg(CLI_CODES.usage, 'unknownFault', { fault: f, known: FAULTS.join(', ') }));
  if (opts.faultPhase && opts.faultPhase !== 'before' && opts.faultPhase !== 'after') throw new UsageError(msg(CLI_CODES.usage, 'faultPhase', {}));
  const token = opts.token ?? ctx.env.AKBP_SANDBOX_TOKEN ?? randomBytes(24).toString('base64url');
  const options: SandboxOptions = { registry: bundledRegistry(version), token, faults: faults as FaultKind[] };
  if (opts.state) options.statePath = resolve(ctx.cwd, opts.state);
  const latency = number('--latency', opts.latency, 0);
  const jitter = number('--jitter', opts.jitter, 0);
  const rate = number('--fault-rate', opts.faultRate, 0, 1);
  const seed = number('--seed', opts.seed, 0);
  const cap = number('--max-page-size', opts.maxPageSize, 1);
  if (latency !== undefined) options.latencyMs = latency;
  if (jitter !== undefined) options.jitterMs = jitter;
  if (rate !== undefined) options.faultRate = rate;
  if (seed !== undefined) options.seed = Math.floor(seed);
  if (cap !== undefined) options.maxPageSize = Math.floor(cap);
  if (opts.faultPhase) options.faultPhase = opts.faultPhase as FaultPhase;
  return { options, tokenGenerated: opts.token === undefined && ctx.env.AKBP_SANDBOX_TOKEN === undefined };
}

/** Starts the server, prints how to use it, serves until `until` settles, then closes. */
export async function runSandbox(opts: SandboxCliOptions, ctx: CliContext, until: Promise<unknown>): Promise<void> {
  const { host, port } = parseListen(opts.listen);
  const { options, tokenGenerated } = sandboxOptions(opts, ctx);
  let sandbox;
  try {
    sandbox = await createSandbox(options);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  let server;
  try {
    server = await sandbox.listen(host, port);
  } catch (err) {
    throw new UsageError(msg(CLI_CODES.usage, 'sandboxCannotListen', { listen: String(opts.listen), why: (err as Error).message }));
  }
  const tok = options.token;
  const lines = [
    `akbp sandbox: authentik ${sandbox.version} API emulator`,
    `  URL:    ${server.url}   (API base ${server.url}/api/v3/)`,
    `  token:  ${tok}${tokenGenerated ? '   (generated; choose one with --token)' : ''}`,
    `  state:  ${options.statePath ?? 'in memory (lost on exit; keep it with --state FILE)'}`,
    ...(options.faultRate ? [`  faults: ${Math.round(options.faultRate * 100)}% of requests (${options.faults?.join(', ')}), seed ${options.seed ?? 1}`] : []),
    ...(options.latencyMs ? [`  latency: ${options.latencyMs} ms${options.jitterMs ? ` + up to ${options.jitterMs} ms` : ''}`] : []),
    '',
    'Use it:',
    `  AUTHENTIK_URL=${server.url} AUTHENTIK_TOKEN=${tok} akbp plan examples/blueprints/`,
    `  curl -H "Authorization: Bearer ${tok}" ${server.url}/api/v3/core/users/`,
    'Press Ctrl-C to stop.',
    '',
  ];
  ctx.io.stdout(lines.join('\n'));
  try {
    await until;
  } finally {
    await server.close();
    ctx.io.stderr(`akbp sandbox: stopped after ${sandbox.requestLog.length} requests\n`);
  }
}

function untilSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('sandbox')
    .description('Run the authentik API emulator as a local HTTP server (a toy authentik to try akbp on)')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:9000')
    .option('--token <token>', "akadmin's API token the server accepts (or AKBP_SANDBOX_TOKEN; generated when absent)")
    .option('--state <file>', 'persist objects to this JSON file after every write, and load it on start')
    .addOption(new Option('--authentik-version <version>', 'authentik version to emulate').choices(['2023.6', '2026.5']).default(defaultVersion()))
    .option('--latency <ms>', 'delay every response by this many milliseconds')
    .option('--jitter <ms>', 'add up to this many random milliseconds to --latency')
    .option('--fault-rate <p>', 'probability (0..1) that a request fails')
    .option('--faults <list>', `comma-separated faults to draw from: ${FAULTS.join(',')}`)
    .addOption(new Option('--fault-phase <phase>', 'fail writes before applying them, or after (the client loses the answer)').choices(['before', 'after']))
    .option('--seed <n>', 'seed for faults and jitter: the same seed replays the same sequence')
    .option('--max-page-size <n>', "cap page_size (default: the version's, none for 2023.6)")
    .addHelpText(
      'after',
      [
        '',
        'The fresh state is authentik right after installation, before its blueprints ran: user',
        'akadmin (pk 1) in the superuser group "authentik Admins", and akadmin\'s API token',
        '"akbp-sandbox-token" whose key is --token.',
        '',
        'Examples:',
        '  akbp sandbox --listen 127.0.0.1:9000 --token dev-token --state .akbp/sandbox.json',
        '  AUTHENTIK_URL=http://127.0.0.1:9000 AUTHENTIK_TOKEN=dev-token akbp apply examples/blueprints/ --yes',
        '  akbp sandbox --authentik-version 2023.6 --fault-rate 0.1 --faults 503,reset --seed 7',
        '',
      ].join('\n'),
    )
    .action(
      action(ctx, async (opts: SandboxCliOptions) => {
        await runSandbox(opts, ctx, untilSignal());
      }),
    );
}
