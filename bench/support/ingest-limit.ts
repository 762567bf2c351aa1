import { availableParallelism } from 'node:os';
import type { CryptoProvider } from '../../src/crypto/index.ts';
import type { DecodedVertex } from '../../src/dag/index.ts';
import { Ingester } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { streamBatches } from './stream-batches.ts';

export interface IngestLimitOptions {
  readonly provider: CryptoProvider;
  readonly vertices: readonly DecodedVertex[];
  readonly keys: readonly Uint8Array[];
  /** A new SQLite file for the run. */
  readonly path: string;
  /** Vertices per ingest call. */
  readonly batch: number;
}

/**
 * A fresh node's Ingester on the SQLite file `path` (one verify worker per core), knowing `keys`,
 * whose workers were given time to start and load their provider, so a clock started now does not
 * count their start-up.
 */
export async function startedIngester(provider: CryptoProvider, path: string, keys: readonly Uint8Array[] = []): Promise<Ingester> {
  const ingester = new Ingester({ provider, store: SqliteStore.open(path), workers: availableParallelism() });
  for (const k of keys) ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: k });
  await ingester.ingest([]);
  await new Promise((r) => setTimeout(r, 300));
  return ingester;
}

/**
 * The node's normal ingest path on the same vertices, the limit of the bundle and net-sync
 * benchmarks: a fresh node (Ingester, one verify worker per core, durable SQLite commits) fed
 * batches with two in flight, so workers verify the next batch while the main thread commits one.
 * Vertices per second; no network or bundle can deliver vertices into a node faster than this.
 */
export async function ingestLimitPerSecond(o: IngestLimitOptions): Promise<number> {
  const ingester = await startedIngester(o.provider, o.path, o.keys);
  const { seconds, done: stored } = await streamBatches(o.vertices, o.batch, 2, async (chunk) => (await ingester.ingest(chunk, 'bench')).stored.length);
  await ingester.close();
  ingester.store.close();
  if (stored !== o.vertices.length) throw new Error(`ingest stored ${stored} of ${o.vertices.length}`);
  return o.vertices.length / seconds;
}
