// GitOps drivers: every trigger (file change, webhook, timer, hook) → one queue → reconcile once.
export * from './types.js';
export { codes as gitopsCodes } from './codes.js';
export { createQueue, foldTriggers, type ReconcileQueue, type Settled, type LaneJob } from './queue.js';
export { acquireLock, withLock, readLock, pidAlive, lockPathFor, type LockInfo, type LockHandle, type AcquireOptions, type AcquireResult } from './lock.js';
export { createRunner, classify, type Runner, type RunnerOptions } from './runner.js';
export { watchDir, ignoredPath, type DirWatcher, type DirWatchOptions, type FileChange } from './watch.js';
export { startWatchLoop, type WatchLoop, type WatchLoopOptions } from './watch-loop.js';
export { cachedReadSources, parseCache, type CachedReader, type ParseCache, type ReadSources } from './cache.js';
export { verifySignature, parseEvent, deliveryId, signGeneric, DeliveryLog, providers, type Provider, type PushEvent } from './webhook.js';
export { startDaemon, type Daemon, type DaemonOptions } from './daemon.js';
export { startPoller, parseDuration, revisionCheck, type Poller, type RevisionCheck } from './poll.js';
export { installHook, renderHook, HOOK_MARKER, type HookInstallOptions, type HookInstallResult } from './hook.js';
export { renderGraph, type GraphEntry, type GraphFormat } from './graph.js';
export { Metrics } from './metrics.js';
export { compileInWorker, type CompileFn, type CompileWorkerOptions } from './compile-worker.js';
export { jsonLogger, memoryLogger } from './log.js';
export { parseSourceRef, pinRevision, isImmutable, redactSource, sameRepo, refMatches } from './source-ref.js';
