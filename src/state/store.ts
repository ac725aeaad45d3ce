// The StateStore port: every backend (a file, the authentik server itself, PostgreSQL) reads and
// writes one workspace's ownership record with a compare-and-swap on its version, and owns the
// apply lock of that workspace. The pipeline and the CLI see only this interface.
import type { OwnershipState } from '../model/types.js';
import type { AcquireOptions, AcquireResult } from './lock.js';

export interface StateSnapshot {
  state: OwnershipState;
  /** 0 when nothing was ever written; every successful write increments it by one. */
  version: number;
  /** Set when the record was in an older format: what changed (say so once, then write it back). */
  migrated?: string[];
}

export type StateLockOptions = Pick<AcquireOptions, 'purpose' | 'onBusy' | 'timeoutMs' | 'pollMs' | 'signal'>;

export interface StateStore {
  readonly kind: 'file' | 'authentik' | 'postgres';
  readonly workspace: string;
  /** Where the record lives, for messages; never a password or token. */
  readonly description: string;
  read(): Promise<StateSnapshot>;
  /**
   * The record as `read` gives it, but possibly the very snapshot an earlier call returned
   * (frozen): for readers that never change it, such as a plan on every save of akbp watch.
   */
  readShared?(): Promise<StateSnapshot>;
  /**
   * Writes the record if its version is still `expectedVersion` and returns the new version;
   * otherwise rejects with a StateError coded AKB9203 and writes nothing.
   */
  write(state: OwnershipState, expectedVersion: number): Promise<number>;
  /** The apply lock of this workspace: one writer at a time across processes and hosts. */
  lock(opts?: StateLockOptions): Promise<AcquireResult>;
  /** The key of the secret digests: AKBP_STATE_KEY, or (file backend only) a key file beside the record. */
  digestKey(): Promise<string>;
  /** Workspaces this backend holds (the file backend holds one). */
  workspaces(): Promise<string[]>;
  close(): Promise<void>;
}

/** Leadership among `akbp serve` replicas; `lost` resolves when it is given up for any reason. */
export interface LeaderHandle {
  readonly lost: Promise<string>;
  /** True until leadership is lost. */
  isLeader(): boolean;
  /** Asks the backend now; false (and leadership given up) when the lock is no longer ours. Called before every write. */
  confirm(): Promise<boolean>;
  release(): Promise<void>;
}
