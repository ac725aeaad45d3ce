// A sandbox in its own thread, for benches that measure akbp's scheduling: authentik runs in
// another process, so the emulator's CPU must not queue behind akbp's on one event loop.
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
    close: async () => {
      await worker.terminate();
    },
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const start = workerData as Start;
  const sandbox = await createSandbox({ registry: bundledRegistry(start.version), token: start.token, latencyMs: start.latencyMs });
  const server = await sandbox.listen('127.0.0.1', 0);
  port.on('message', () => {
    const counts: Record<string, number> = {};
    for (const r of sandbox.requestLog) counts[r.method] = (counts[r.method] ?? 0) + 1;
    sandbox.clearLog();
    port.postMessage({ counts });
  });
  port.postMessage({ url: server.url });
}
