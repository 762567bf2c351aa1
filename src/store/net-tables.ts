import type Database from 'better-sqlite3';
import { toHex } from '../crypto/index.ts';
import { StoreError } from './errors.ts';
import { blobCopy, blobView, type Row } from './row-blobs.ts';
import { writeTransaction } from './write-transaction.ts';

/*
 * The network tables (schema v5): what a node learnt about its peers, kept so that a restarted
 * node redials them by itself and resumes sync where it left off, and when each topic was last
 * reconciled (for the sync lag `pars status` shows). Peer ids are libp2p peer id strings; the
 * store only checks their length, the network layer gives them meaning.
 */

/** A peer to redial after a restart. */
export interface StoredPeer {
  readonly peerId: string;
  /** Dialable multiaddrs without the `/p2p/` suffix, most recently learnt first. */
  readonly addresses: readonly string[];
  /** When the peer was last connected (Unix ms), if ever. */
  readonly lastConnectedAt: number | undefined;
}

/** Bounds of the network tables; rows beyond them are dropped when written, oldest first. */
export const NET_TABLE_LIMITS = Object.freeze({
  /** Peers remembered (the network host keeps 256 in memory). */
  maxPeers: 1_024,
  /** Addresses kept per peer. */
  maxAddressesPerPeer: 16,
  /** Longest peer id or address text kept. */
  maxTextBytes: 512,
  /** Peers whose sync state is kept; the least recently updated go first. */
  maxSyncStates: 1_024,
});

const L = NET_TABLE_LIMITS;

export class NetTables {
  readonly #db: Database.Database;
  readonly #stmt: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#stmt = prepare(db);
  }

  /** The remembered peers, in the order they were last written (most recently connected first). */
  knownPeers(): StoredPeer[] {
    return (this.#stmt.peers.all() as Row[]).map(peerOf);
  }

  /**
   * Replaces the remembered peers with `peers` (in that order) in one transaction. Beyond
   * `maxPeers` the tail is dropped, as are addresses beyond `maxAddressesPerPeer` and texts longer
   * than `maxTextBytes` (a peer with no address left is not kept: it could not be redialled).
   */
  replaceKnownPeers(peers: readonly StoredPeer[]): void {
    const s = this.#stmt;
    const seen = new Set<string>();
    writeTransaction(this.#db, 'storing the known peers', () => {
      s.clearPeers.run();
      let rank = 0;
      for (const p of peers) {
        if (rank >= L.maxPeers) break;
        if (!fits(p.peerId) || seen.has(p.peerId)) continue;
        const addresses = p.addresses.filter(fits).slice(0, L.maxAddressesPerPeer);
        if (addresses.length === 0) continue;
        seen.add(p.peerId);
        s.putPeer.run(p.peerId, rank++, JSON.stringify(addresses), p.lastConnectedAt ?? null);
      }
    });
  }

  /** The serialised sync state (`SyncPeerState.toBytes`) last stored for `peerId`. */
  syncState(peerId: string): Uint8Array | undefined {
    const b = this.#stmt.syncState.get(peerId);
    return b === undefined ? undefined : blobCopy(b);
  }

  /** Stores a peer's sync state (replacing the previous one) and keeps at most `maxSyncStates` peers. */
  putSyncState(peerId: string, state: Uint8Array, at: number): void {
    if (!fits(peerId)) throw new StoreError('ERR_STORE_INPUT', `peer id of ${peerId.length} characters is longer than ${L.maxTextBytes}`);
    writeTransaction(this.#db, `storing the sync state of peer ${peerId}`, () => {
      this.#stmt.putSyncState.run(peerId, state, at);
      this.#stmt.trimSyncStates.run(L.maxSyncStates);
    });
  }

  deleteSyncState(peerId: string): void {
    writeTransaction(this.#db, `deleting the sync state of peer ${peerId}`, () => this.#stmt.deleteSyncState.run(peerId));
  }

  /** When each topic (hex) was last reconciled with any peer (Unix ms). */
  topicSyncs(): Map<string, number> {
    return new Map((this.#stmt.topicSyncs.all() as Row[]).map((r) => [toHex(blobView(r['topic'])), r['reconciled_at'] as number]));
  }

  /** Records that `topics` were reconciled at `at` (an earlier time never replaces a later one). */
  putTopicSyncs(topics: readonly Uint8Array[], at: number): void {
    if (topics.length === 0) return;
    writeTransaction(this.#db, `storing the reconciliation time of ${topics.length} topics`, () => {
      for (const t of topics) this.#stmt.putTopicSync.run(t, at);
    });
  }
}

function fits(text: string): boolean {
  return typeof text === 'string' && text.length > 0 && Buffer.byteLength(text) <= L.maxTextBytes;
}

function prepare(db: Database.Database) {
  return {
    peers: db.prepare('SELECT peer_id, addresses, last_connected_at FROM net_peers ORDER BY rank'),
    clearPeers: db.prepare('DELETE FROM net_peers'),
    putPeer: db.prepare('INSERT INTO net_peers (peer_id, rank, addresses, last_connected_at) VALUES (?, ?, ?, ?)'),
    syncState: db.prepare('SELECT state FROM net_sync_states WHERE peer_id = ?').pluck(),
    putSyncState: db.prepare('INSERT INTO net_sync_states (peer_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (peer_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at'),
    trimSyncStates: db.prepare('DELETE FROM net_sync_states WHERE peer_id NOT IN (SELECT peer_id FROM net_sync_states ORDER BY updated_at DESC, peer_id LIMIT ?)'),
    deleteSyncState: db.prepare('DELETE FROM net_sync_states WHERE peer_id = ?'),
    topicSyncs: db.prepare('SELECT topic, reconciled_at FROM net_topic_syncs ORDER BY topic'),
    putTopicSync: db.prepare('INSERT INTO net_topic_syncs (topic, reconciled_at) VALUES (?, ?) ON CONFLICT (topic) DO UPDATE SET reconciled_at = max(reconciled_at, excluded.reconciled_at)'),
  };
}

function peerOf(r: Row): StoredPeer {
  const peerId = r['peer_id'] as string;
  let addresses: unknown;
  try {
    addresses = JSON.parse(r['addresses'] as string);
  } catch {
    addresses = undefined;
  }
  if (!Array.isArray(addresses) || !addresses.every((a) => typeof a === 'string')) {
    throw new StoreError('ERR_STORE_CORRUPT', `the addresses of peer ${peerId} are not a list of strings`);
  }
  const at = r['last_connected_at'];
  return { peerId, addresses: addresses as string[], lastConnectedAt: typeof at === 'number' ? at : undefined };
}
