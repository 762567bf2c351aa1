import { availableParallelism } from 'node:os';
import type { CryptoProvider } from '../../src/crypto/index.ts';
import type { DecodedVertex } from '../../src/dag/index.ts';
import { Ingester } from '../../src/node/index.ts';
import { SqliteStore } from '../../src/store/index.ts';

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
 * The node's normal ingest path on the same vertices, as the bundle benchmark measures it: a
 * fresh node (Ingester, one verify worker per core, durable SQLite commits) fed batches with two
 * in flight, so workers verify the next batch while the main thread commits one. Vertices per
 * second; no network can deliver vertices into a node faster than this.
 */
export async function ingestLimitPerSecond(o: IngestLimitOptions): Promise<number> {
  const ingester = new Ingester({ provider: o.provider, store: SqliteStore.open(o.path), workers: availableParallelism() });
  for (const k of o.keys) ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: k });
  await ingester.ingest([]);
  await new Promise((r) => setTimeout(r, 300));
  const started = performance.now();
  const inFlight: Promise<unknown>[] = [];
  let stored = 0;
  for (let i = 0; i < o.vertices.length; i += o.batch) {
    const chunk = o.vertices.slice(i, i + o.batch).map((v) => v.bytes);
    inFlight.push(ingester.ingest(chunk, 'bench').then((r) => (stored += r.stored.length)));
    if (inFlight.length >= 2) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  await ingester.close();
  ingester.store.close();
  if (stored !== o.vertices.length) throw new Error(`ingest stored ${stored} of ${o.vertices.length}`);
  return o.vertices.length / seconds;
}
