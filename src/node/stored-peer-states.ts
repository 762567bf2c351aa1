import { MemoryPeerStates, type PeerStateStore } from '../net/index.ts';
import type { NetTables } from '../store/index.ts';
import { SyncPeerState } from '../sync/index.ts';

/**
 * Per-peer sync state kept in the store (schema v5, `net_sync_states`) behind a bounded memory
 * cache, so the first session with a peer after a restart reconciles only what changed since the
 * last one. A stored state that no longer parses is dropped: losing it only costs a full session.
 */
export class StoredPeerStates implements PeerStateStore {
  readonly #tables: NetTables;
  readonly #cache = new MemoryPeerStates();
  readonly #now: () => number;
  readonly #warn: (message: string) => void;

  constructor(tables: NetTables, now: () => number, warn: (message: string) => void) {
    this.#tables = tables;
    this.#now = now;
    this.#warn = warn;
  }

  get(peer: string): SyncPeerState | undefined {
    const cached = this.#cache.get(peer);
    if (cached !== undefined) return cached;
    const bytes = this.#tables.syncState(peer);
    if (bytes === undefined) return undefined;
    const parsed = SyncPeerState.fromBytes(bytes);
    if (!parsed.ok) {
      this.#warn(`dropped the stored sync state of peer ${peer}: ${parsed.failure.detail}`);
      this.#tables.deleteSyncState(peer);
      return undefined;
    }
    this.#cache.set(peer, parsed.state);
    return parsed.state;
  }

  set(peer: string, state: SyncPeerState): void {
    this.#cache.set(peer, state);
    try {
      this.#tables.putSyncState(peer, state.toBytes(), this.#now());
    } catch (error) {
      // The session itself succeeded; without the stored state the next start only syncs longer.
      this.#warn(`could not store the sync state of peer ${peer}: ${(error as Error).message}`);
    }
  }
}
