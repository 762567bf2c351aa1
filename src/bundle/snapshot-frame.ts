import * as dagCbor from '@ipld/dag-cbor';
import { AES_256_GCM, concatBytes, equalBytes, toHex, type CryptoProvider } from '../crypto/index.ts';
import { decodeBoundedCbor, hasExactKeys, isPlainMap } from '../dag/index.ts';
import type { TopicSnapshotRecord } from '../store/index.ts';
import { ID_BYTES, SNAPSHOT_HEADER_BYTES, TOPIC_BYTES } from './frames.ts';

/*
 * A snapshot frame carries the exporter's materialised CRDT state of one topic: the frontier it
 * was taken at, and each document's encoded state. It is never adopted: state is always rebuilt
 * from the signed vertices, because a snapshot is vouched for only by the exporting device, not
 * by the authors of the operations. The importer compares it with its own snapshot at the same
 * frontier and reports agreement — a check, across devices, that both materialised the same.
 *
 * Body: topic (16) ‖ sealing (u8: 0 plain, 1 sealed) ‖ CBOR, or nonce (12) ‖ AES-256-GCM(CBOR)
 * under the group's snapshot key with the topic as associated data. A group topic's snapshot is
 * always sealed: it is plaintext of messages only members may read. A topic that is no group of
 * the exporter's is plain, because its vertices — the only thing the snapshot derives from — are.
 */

export interface SnapshotDocument {
  readonly id: Uint8Array;
  readonly type: string;
  readonly name: string;
  readonly state: Uint8Array;
}

export interface CarriedSnapshot {
  readonly topic: Uint8Array;
  readonly frontier: readonly Uint8Array[];
  readonly documents: readonly SnapshotDocument[];
}

const SEALED = 1;
const PLAIN = 0;
const MAX_DEPTH = 4;

export function snapshotOf(record: TopicSnapshotRecord): CarriedSnapshot {
  return {
    topic: record.topic.topic,
    frontier: record.topic.frontier,
    documents: record.documents.map((d) => ({ id: d.id, type: d.type, name: d.name, state: d.state })),
  };
}

export function encodeSnapshotFrame(provider: CryptoProvider, snapshot: CarriedSnapshot, key: Uint8Array | undefined): Uint8Array {
  const cbor = dagCbor.encode({
    f: [...snapshot.frontier],
    d: snapshot.documents.map((d) => ({ i: d.id, y: d.type, n: d.name, s: d.state })),
  });
  if (key === undefined) return concatBytes(snapshot.topic, Uint8Array.of(PLAIN), cbor);
  const nonce = provider.randomBytes(AES_256_GCM.nonce);
  return concatBytes(snapshot.topic, Uint8Array.of(SEALED), nonce, provider.aes256Gcm.seal(key, nonce, cbor, snapshot.topic));
}

/** The topic of a snapshot frame (readable without a key). */
export function snapshotTopic(body: Uint8Array): Uint8Array {
  return body.subarray(0, TOPIC_BYTES);
}

/** The carried snapshot, `'sealed'` when it is sealed and `key` is missing or wrong, or a problem string. */
export function decodeSnapshotFrame(provider: CryptoProvider, body: Uint8Array, key: Uint8Array | undefined): CarriedSnapshot | 'sealed' | string {
  const topic = body.slice(0, TOPIC_BYTES);
  let cbor = body.subarray(SNAPSHOT_HEADER_BYTES);
  if (body[TOPIC_BYTES] === SEALED) {
    if (key === undefined || cbor.length < AES_256_GCM.nonce + AES_256_GCM.tag) return 'sealed';
    const opened = provider.aes256Gcm.open(key, cbor.subarray(0, AES_256_GCM.nonce), cbor.subarray(AES_256_GCM.nonce), topic);
    if (opened === undefined) return 'sealed';
    cbor = opened;
  } else if (body[TOPIC_BYTES] !== PLAIN) {
    return `snapshot sealing ${body[TOPIC_BYTES]} is unknown`;
  }
  const decoded = decodeBoundedCbor(cbor, { maxDepth: MAX_DEPTH });
  if (!decoded.ok) return `snapshot: ${decoded.detail}`;
  const v = decoded.value;
  if (!isPlainMap(v) || !hasExactKeys(v, ['f', 'd']) || !Array.isArray(v['f']) || !Array.isArray(v['d'])) return 'snapshot is not {f, d}';
  const frontier = v['f'] as unknown[];
  if (!frontier.every((id) => id instanceof Uint8Array && id.length === ID_BYTES)) return `snapshot frontier ids are not ${ID_BYTES} bytes`;
  const documents: SnapshotDocument[] = [];
  for (const d of v['d'] as unknown[]) {
    if (!isPlainMap(d) || !hasExactKeys(d, ['i', 'y', 'n', 's'])) return 'snapshot document is not {i, y, n, s}';
    const { i, y, n, s } = d as Record<string, unknown>;
    if (!(i instanceof Uint8Array) || typeof y !== 'string' || typeof n !== 'string' || !(s instanceof Uint8Array)) return 'snapshot document fields have wrong types';
    documents.push({ id: i, type: y, name: n, state: s });
  }
  return { topic, frontier: frontier as Uint8Array[], documents };
}

/** Whether two frontiers hold the same ids, in any order. */
export function sameFrontier(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  const key = (ids: readonly Uint8Array[]): string => ids.map(toHex).sort().join();
  return key(a) === key(b);
}

/** Whether two snapshots of the same topic at the same frontier hold the same documents. */
export function sameDocuments(a: CarriedSnapshot, b: CarriedSnapshot): boolean {
  if (a.documents.length !== b.documents.length) return false;
  const mine = new Map(b.documents.map((d) => [toHex(d.id), d]));
  return a.documents.every((d) => {
    const other = mine.get(toHex(d.id));
    return other !== undefined && other.type === d.type && other.name === d.name && equalBytes(other.state, d.state);
  });
}
