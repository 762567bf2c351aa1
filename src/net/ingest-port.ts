import type { CryptoProvider } from '../crypto/index.ts';
import type { AuthorKey, Dag, DecodedVertex, KeyRing, RejectionReason } from '../dag/index.ts';
import type { SqliteStore } from '../store/index.ts';

/*
 * What the network layer needs of the node's ingest path. The node's `Ingester` (src/node)
 * satisfies it; it is declared here so that imports keep pointing down the layer table.
 */

export interface NetIngestReport {
  /** Vertices durably stored by this call, parents first. */
  readonly stored: readonly DecodedVertex[];
  readonly duplicates: number;
  readonly quarantined: number;
  /** Parents to ask for. */
  readonly missing: readonly Uint8Array[];
  readonly rejected: readonly { readonly id: Uint8Array | undefined; readonly reason: RejectionReason; readonly detail: string }[];
}

/** Error code `addKey` throws for a key that is not a well-formed ML-DSA-65 key. */
export const BAD_AUTHOR_KEY = 'ERR_BAD_AUTHOR_KEY';

export interface NetIngester {
  readonly provider: CryptoProvider;
  readonly dag: Dag;
  readonly store: SqliteStore;
  readonly keys: KeyRing;
  /** Learns an author key; throws an error with code BAD_AUTHOR_KEY for a bad one. */
  addKey(key: AuthorKey): Uint8Array;
  /** Verifies, places and durably stores; `source` names the peer. */
  ingest(items: readonly Uint8Array[], source: string): Promise<NetIngestReport>;
  /** Called after each durable commit with its vertices and the source; returns an unsubscribe. */
  onStored(listener: (vertices: readonly DecodedVertex[], source: string) => void): () => void;
}
