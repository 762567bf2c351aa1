import type { SyncPeerState } from '../sync/index.ts';

/**
 * Where the host keeps, per peer (libp2p peer id string), what the last completed sync session
 * left for the next one (`SyncPeerState`). The host reads it when a session starts and writes it
 * when one completes. A node that persists it (`SyncPeerState.toBytes` / `fromBytes`) gives its
 * first session after a restart the same short cut as every later one.
 */
export interface PeerStateStore {
  get(peer: string): SyncPeerState | undefined;
  set(peer: string, state: SyncPeerState): void;
}

/** Peers whose state is kept in memory at most; the least recently used are forgotten first. */
export const MEMORY_PEER_STATES_CAPACITY = 1_024;

/** The default store: in memory, bounded, lost at exit (a lost state only costs a longer session). */
export class MemoryPeerStates implements PeerStateStore {
  readonly #states = new Map<string, SyncPeerState>();
  readonly #capacity: number;

  constructor(capacity = MEMORY_PEER_STATES_CAPACITY) {
    this.#capacity = capacity;
  }

  get(peer: string): SyncPeerState | undefined {
    const state = this.#states.get(peer);
    if (state !== undefined) {
      this.#states.delete(peer);
      this.#states.set(peer, state);
    }
    return state;
  }

  set(peer: string, state: SyncPeerState): void {
    this.#states.delete(peer);
    this.#states.set(peer, state);
    if (this.#states.size > this.#capacity) this.#states.delete(this.#states.keys().next().value as string);
  }
}
