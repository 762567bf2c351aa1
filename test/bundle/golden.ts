import { readFileSync } from 'node:fs';
import { fromHex } from '../../src/crypto/index.ts';
import { deriveGroupKeys } from '../../src/group/index.ts';
import { Identity } from '../../src/identity/index.ts';
import { SqliteStore, type TopicSnapshotRecord } from '../../src/store/index.ts';
import { decodeWithId, type DecodedVertex } from '../../src/dag/index.ts';
import { provider, randomSource } from '../support/fixtures.ts';

/*
 * The golden bundle (test/vectors/bundle/): its inputs in bundle-v1.json, its bytes in
 * bundle-v1.pars. Everything random in the construction comes from `randomSource(randomSeed)`
 * in the order the exporter asks for it (salt, file key, stanza nonces, slot shuffle, snapshot
 * nonce), and the device signature — hedged, so not reproducible — is recorded.
 */

export const VECTOR_DIR = new URL('../vectors/bundle/', import.meta.url);

export interface GoldenInputs {
  readonly deviceSeed: string;
  readonly groupSecret: string;
  readonly passphrase: string;
  readonly kdfLogN: number;
  readonly randomSeed: number;
  readonly created: number;
  readonly authorKeys: readonly string[];
  /** Vertex bytes (hex), parents first: a group topic and a topic of no group of the device. */
  readonly vertices: readonly string[];
  readonly snapshot: { readonly documentId: string; readonly type: string; readonly name: string; readonly state: string };
}

export interface GoldenVector extends GoldenInputs {
  readonly description: string;
  readonly bundleKey: string;
  readonly topic: string;
  readonly signature: string;
  readonly digest: string;
  readonly marker: string;
  readonly bytes: number;
  readonly fileSha3: string;
  readonly frontiers: Record<string, string[]>;
}

export function readGolden(): { vector: GoldenVector; file: Uint8Array } {
  const vector = JSON.parse(readFileSync(new URL('bundle-v1.json', VECTOR_DIR), 'utf8')) as GoldenVector;
  return { vector, file: new Uint8Array(readFileSync(new URL('bundle-v1.pars', VECTOR_DIR))) };
}

export function goldenDevice(inputs: GoldenInputs): Identity {
  return Identity.fromSeed(fromHex(inputs.deviceSeed), provider);
}

export function goldenGroup(inputs: GoldenInputs): { topic: Uint8Array; bundleKey: Uint8Array } {
  const keys = deriveGroupKeys(provider, fromHex(inputs.groupSecret));
  return { topic: keys.topic, bundleKey: keys.bundleKey };
}

/** The provider with its randomness replaced by the vector's seeded stream. */
export function goldenProvider(inputs: GoldenInputs): typeof provider {
  return { ...provider, randomBytes: randomSource(inputs.randomSeed) };
}

/** A store at `path` holding the vector's keys, vertices and the group topic's snapshot. */
export function goldenStore(inputs: GoldenInputs, path: string): SqliteStore {
  const store = SqliteStore.open(path);
  for (const k of inputs.authorKeys) {
    const publicKey = fromHex(k);
    store.putKey(provider.sha3_256(publicKey), { algorithm: 'ml-dsa-65', publicKey });
  }
  const vertices: DecodedVertex[] = inputs.vertices.map((hex) => {
    const bytes = fromHex(hex);
    const d = decodeWithId(bytes, provider.sha3_256(bytes));
    if (!d.ok) throw new Error(`golden vertex does not decode: ${d.reason}`);
    return d.vertex;
  });
  store.putVertices(vertices);
  const topic = goldenGroup(inputs).topic;
  const frontier = store.frontier(topic);
  const record: TopicSnapshotRecord = {
    topic: { topic, frontier, appliedVertices: frontier.length, ignoredPayloads: 0, unknownTypeEntries: 0, lastProblem: undefined },
    documents: [
      {
        id: fromHex(inputs.snapshot.documentId),
        type: inputs.snapshot.type,
        name: inputs.snapshot.name,
        frontier,
        state: fromHex(inputs.snapshot.state),
        appliedOps: 1,
        rejectedEntries: 0,
        lastRejection: undefined,
      },
    ],
    replace: true,
  };
  store.putSnapshots([record]);
  return store;
}
