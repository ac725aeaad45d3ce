// GitOps drivers: every trigger (file change, webhook, timer, hook) → one queue → reconcile once.
export * from './types.js';
export type { AcquireOptions } from './lock.js';
export { startWatchLoop } from './watch-loop.js';
export { cachedReadSources, parseCache } from './cache.js';
export { startDaemon, type Daemon } from './daemon.js';
export { parseDuration, revisionCheck } from './poll.js';
export { renderGraph, type GraphFormat } from './graph.js';
export { compileInWorker } from './compile-worker.js';
export { jsonLogger } from './log.js';
export { parseSourceRef } from './source-ref.js';
