import { defaultProvider, nativeAvailable, providerByName, type CryptoProvider } from '../../src/crypto/index.ts';
import { createVertex, Dag, KeyRing, type DecodedVertex, type VertexSigner } from '../../src/dag/index.ts';
import { Identity } from '../../src/identity/index.ts';

/** The provider under test (PARS_CRYPTO decides). */
export const provider: CryptoProvider = defaultProvider();

/** The fastest provider, for making fixtures: signatures from either verify with both. */
export const fastProvider: CryptoProvider = nativeAvailable() ? providerByName('native') : providerByName('noble');

export interface TestAuthor extends VertexSigner {
  readonly publicKey: Uint8Array;
}

/** A deterministic author from a small number. */
export function makeAuthor(n: number, p: CryptoProvider = fastProvider): TestAuthor {
  const seed = new Uint8Array(32);
  seed[0] = n & 0xff;
  seed[1] = (n >> 8) & 0xff;
  seed[31] = 0xa5;
  const pair = p.mlDsa65.keyPair(seed);
  return {
    author: p.sha3_256(pair.publicKey),
    publicKey: pair.publicKey,
    sign: (message: Uint8Array, context: Uint8Array): Uint8Array => pair.sign(message, context),
  };
}

/** A deterministic node identity from a small number: a test node, or a bundle's exporting device. */
export function identityOf(n: number): Identity {
  return Identity.fromSeed(new Uint8Array(32).fill(n), provider);
}

export function keyRingFor(authors: readonly TestAuthor[], p: CryptoProvider = provider): KeyRing {
  const ring = new KeyRing(p);
  for (const a of authors) {
    const r = ring.add({ algorithm: 'ml-dsa-65', publicKey: a.publicKey });
    if (!r.ok) throw new Error(r.detail);
  }
  return ring;
}

/** A deterministic 16-byte topic from a number below 65,536. */
export function topicOf(n: number): Uint8Array {
  const t = new Uint8Array(16);
  t[0] = n & 0xff;
  t[1] = n >> 8;
  t[15] = 0x77;
  return t;
}

/** Small deterministic PRNG (mulberry32) so fixtures do not depend on Math.random. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded random bytes from `prng`: for nonces, keys and choices in tests that must be reproducible. */
export function randomSource(seed: number): (n: number) => Uint8Array {
  const r = prng(seed);
  return (n) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

export interface RandomDagOptions {
  readonly vertices: number;
  readonly authors: readonly TestAuthor[];
  readonly topics?: number;
  readonly seed: number;
  readonly payloadBytes?: number;
}

/**
 * A random multi-author DAG with forks and merges: each author keeps its own view of the DAG and
 * now and then merges another author's view (so frontiers fork and rejoin, as in a partitioned
 * group). Returned in creation (causal) order.
 */
export function randomDag(options: RandomDagOptions): DecodedVertex[] {
  const rand = prng(options.seed);
  const topics = Array.from({ length: options.topics ?? 1 }, (_, i) => topicOf(i + 1));
  const views = options.authors.map(() => topics.map(() => new Dag()));
  const out: DecodedVertex[] = [];
  for (let i = 0; i < options.vertices; i++) {
    const a = Math.floor(rand() * options.authors.length);
    const t = Math.floor(rand() * topics.length);
    const view = views[a]?.[t] as Dag;
    if (rand() < 0.3) {
      // learn everything another author has on this topic (a merge after a partition)
      const other = views[Math.floor(rand() * options.authors.length)]?.[t] as Dag;
      for (const v of out) if (other.has(v.key) && !view.has(v.key)) view.add(v);
    }
    const { parents, lamport } = view.nextParents(topics[t] as Uint8Array);
    const payload = new Uint8Array(options.payloadBytes ?? 16 + Math.floor(rand() * 64));
    for (let j = 0; j < payload.length; j++) payload[j] = Math.floor(rand() * 256);
    const v = createVertex({ topic: topics[t] as Uint8Array, parents, lamport, payload }, options.authors[a] as TestAuthor, fastProvider);
    view.add(v);
    out.push(v);
  }
  return out;
}
