// Compile off the daemon's event loop. Evaluation is metered (compile's limits), but a daemon
// must also survive what the meter does not see, so each compile runs in a worker thread with
// its own heap limit and a deadline: /healthz keeps answering meanwhile, and a worker that runs
// out of memory or time fails its source with a diagnostic instead of taking the process down.
// The worker says which file it is compiling as it goes, so that diagnostic names the file it
// died in, and the pipeline leaves out that file (and its dependents) and compiles the rest.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { compileBlueprints, compileCodes, type CompileOptions, type EvalLimits } from '../compile/index.js';
import { diag, msg } from '../diag/index.js';
import type { CompileResult, ParsedBlueprint } from '../model/index.js';
import { readConfinedFile } from '../sources/index.js';

export interface CompileWorkerOptions {
  /** Heap of one compile worker (old generation), in MiB. */
  maxMemoryMb?: number;
  /** Longest a compile may take before the worker is stopped. */
  timeoutMs?: number;
  /** Evaluation limits handed to compile (its defaults otherwise). */
  limits?: Partial<EvalLimits>;
}

export type CompileFn = (bps: ParsedBlueprint[], opts: CompileOptions) => Promise<CompileResult>;

interface Request {
  bps: ParsedBlueprint[];
  opts: Omit<CompileOptions, 'readFile' | 'onFile'>;
  /** Functions do not cross threads: the worker reads !File itself, with the CLI's confined reader. */
  readFiles: boolean;
}

const MARK = 'akbp-compile-worker';

/** The same reader the CLI hands compile: real path inside the real roots, regular files only, capped. */
const readFromDisk: CompileOptions['readFile'] = (path, roots) => readConfinedFile(path, roots);

/**
 * The worker's entry. Run from the TypeScript sources (tests, `tsx`), a worker does not inherit
 * the parent's loader hooks on Node 20, so it registers tsx itself before importing this file.
 */
function bootstrap(): string {
  const self = JSON.stringify(import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return `import(${self})`;
  // An eval'd worker resolves bare specifiers from the working directory, which need not be the
  // project's (a daemon serving another directory): name tsx by the URL this module resolves.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return `import(${tsx}).then((m) => m.register()).then(() => import(${self}))`;
}

/** What the worker posts: the file it starts on (or leaves for work across files), then the result. */
type WorkerMessage = { kind: 'file'; uri: string | undefined } | { kind: 'result'; result: CompileResult };

/** A compile function for `ReconcileDeps.compile` that runs each compile in a fresh worker. */
export function compileInWorker(options: CompileWorkerOptions = {}): CompileFn {
  const maxMemoryMb = options.maxMemoryMb ?? 1024;
  const timeoutMs = options.timeoutMs ?? 120_000;
  return (bps, opts) =>
    new Promise<CompileResult>((resolve) => {
      const { readFile, onFile: _onFile, ...rest } = opts;
      const request: Request = {
        bps,
        opts: { ...rest, ...(options.limits ? { limits: { ...rest.limits, ...options.limits } } : {}) },
        readFiles: readFile !== undefined,
      };
      const worker = new Worker(bootstrap(), {
        eval: true,
        workerData: MARK,
        resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, maxMemoryMb >> 4)) },
        stdout: false,
        stderr: false,
      });
      let settled = false;
      // The file the worker was compiling when it last said so; undefined: between or across files.
      let current: string | undefined;
      const finish = (r: CompileResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void worker.terminate();
        resolve(r);
      };
      const failed = (why: string, detail: string): CompileResult => {
        const file = current === undefined ? undefined : (bps.find((b) => b.uri === current) ?? opts.library?.find((b) => b.uri === current));
        return {
          entries: [],
          dropped: [],
          diagnostics: [
            diag(
              compileCodes.workerFailed,
              file
                ? msg(compileCodes.workerFailed, 'inFile', { file: file.path || file.uri, reason: why })
                : msg(compileCodes.workerFailed, 'noFile', { reason: why }),
              {
                // Blamed on the file it was compiling: that file and its dependents are left out and
                // the rest compiled again. Across files there is nobody to blame: the run stops.
                ...(current !== undefined ? { subject: { uri: current, start: 0, end: 0 } } : {}),
                detail,
              },
            ),
          ],
        };
      };
      const timer = setTimeout(
        () => finish(failed(msg(compileCodes.workerFailed, 'timedOut', { ms: timeoutMs }), msg(compileCodes.workerFailed, 'timedOutDetail', {}))),
        timeoutMs,
      );
      worker.on('message', (m: WorkerMessage) => {
        if (m.kind === 'file') current = m.uri;
        else finish(m.result);
      });
      worker.once('error', (err: Error & { code?: string }) => {
        if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          finish(failed(msg(compileCodes.workerFailed, 'outOfMemory', { mb: maxMemoryMb }), msg(compileCodes.workerFailed, 'outOfMemoryDetail', {})));
        } else finish(failed(msg(compileCodes.workerFailed, 'crashed', {}), err.message));
      });
      worker.once('exit', (code) => finish(failed(msg(compileCodes.workerFailed, 'exited', { code }), msg(compileCodes.workerFailed, 'exitedDetail', {}))));
      worker.postMessage(request);
    });
}

if (!isMainThread && workerData === MARK && parentPort) {
  const port = parentPort;
  port.once('message', (req: Request) => {
    const onFile = (uri: string | undefined): void => port.postMessage({ kind: 'file', uri } satisfies WorkerMessage);
    const result = compileBlueprints(req.bps, { ...req.opts, onFile, ...(req.readFiles ? { readFile: readFromDisk } : {}) });
    port.postMessage({ kind: 'result', result } satisfies WorkerMessage);
  });
}
