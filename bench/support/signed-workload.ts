import type { CryptoProvider } from '../../src/crypto/index.ts';
import { createVertex, Dag, type DecodedVertex } from '../../src/dag/index.ts';
import { lcg } from './lcg.ts';

export interface WorkloadOptions {
  readonly count: number;
  readonly authors: number;
  readonly topics: number;
  readonly payloadBytes: number;
  /** Signs the vertices (native where available: generating is not what is measured). */
  readonly signing: CryptoProvider;
}

/**
 * A realistic workload: several groups (topics), authors writing concurrently, parents from each
 * writer's view of the frontier (so there are forks and merges). Deterministic for given options.
 */
export function signedWorkload(options: WorkloadOptions): { vertices: DecodedVertex[]; keys: Uint8Array[]; topics: Uint8Array[] } {
  const { signing } = options;
  const authors = Array.from({ length: options.authors }, (_, i) => {
    const seed = new Uint8Array(32).fill(i + 1);
    const pair = signing.mlDsa65.keyPair(seed);
    return { author: signing.sha3_256(pair.publicKey), publicKey: pair.publicKey, sign: pair.sign };
  });
  const topics = Array.from({ length: options.topics }, (_, i) => new Uint8Array(16).fill(i + 1));
  const dag = new Dag();
  const out: DecodedVertex[] = [];
  const rand = lcg(12345);
  for (let i = 0; i < options.count; i++) {
    const a = authors[Math.floor(rand() * authors.length)] as (typeof authors)[number];
    const topic = topics[Math.floor(rand() * topics.length)] as Uint8Array;
    const { parents, lamport } = dag.nextParents(topic);
    const payload = new Uint8Array(options.payloadBytes);
    for (let j = 0; j < 64; j++) payload[j] = Math.floor(rand() * 256);
    const v = createVertex({ topic, parents, lamport, payload }, a, signing);
    dag.add(v);
    out.push(v);
  }
  return { vertices: out, keys: authors.map((a) => a.publicKey), topics };
}
