// A sandbox in its own thread, for benches that measure akbp's scheduling: authentik runs in
// another process, so the emulator's CPU must not queue behind akbp's on one event loop.
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';

interface Start {
  version: string;
  token: string;
  latencyMs: number;
}

export interface ThreadSandbox {
  url: string;
  /** Requests the sandbox answered, by method, since the last call. */
  takeCounts(): Promise<Record<string, number>>;
  /** CPU ms the sandbox's thread has used so far (Linux; NaN elsewhere). */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

export async function startThreadSandbox(start: Start): Promise<ThreadSandbox> {
  const worker = new Worker(new URL(import.meta.url), { workerData: start });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { url: string }) => resolve(m.url));
    worker.once('error', reject);
  });
  return {
    url,
    takeCounts: () =>
      new Promise((resolve) => {
        worker.once('message', (m: { counts: Record<string, number> }) => resolve(m.counts));
        worker.postMessage('counts');
      }),
    cpuMs: () =>
      new Promise((resolve) => {
        worker.once('message', (m: { cpuMs: number }) => resolve(m.cpuMs));
        worker.postMessage('cpu');
      }),
    close: async () => {
      await worker.terminate();
    },
  };
}

/**
 * CPU ms of the calling thread alone (process.cpuUsage counts every thread of the process), from
 * /proc/thread-self/stat (utime + stime, in clock ticks of 10 ms); NaN where there is no /proc.
 */
export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses: state is field 3.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const start = workerData as Start;
  const sandbox = await createSandbox({ registry: bundledRegistry(start.version), token: start.token, latencyMs: start.latencyMs });
  const server = await sandbox.listen('127.0.0.1', 0);
  port.on('message', (m: string) => {
    if (m === 'cpu') {
      port.postMessage({ cpuMs: threadCpuMs() });
      return;
    }
    const counts: Record<string, number> = {};
    for (const r of sandbox.requestLog) counts[r.method] = (counts[r.method] ?? 0) + 1;
    sandbox.clearLog();
    port.postMessage({ counts });
  });
  port.postMessage({ url: server.url });
}
