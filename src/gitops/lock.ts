// The apply lock lives in src/state (each state backend has its own); the file lock is re-exported
// here for the drivers that still import it from gitops.
export * from '../state/lock.js';
