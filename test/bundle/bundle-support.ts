import { createHash } from 'node:crypto';
import { concatBytes, utf8 } from '../../src/crypto/index.ts';
import {
  BUNDLE_LIMITS,
  BUNDLE_SIGNATURE_CONTEXT,
  BundleWriter,
  ChunkCipher,
  buildPreamble,
  encodeFrame,
  encodeMarker,
  encodeOpen,
  exportBundle,
  FRAME,
  groupWrapKey,
  memorySource,
  openBundle,
  type BundleGroupKey,
  type ExportReport,
  type FrameType,
  type OpenedBundle,
  type Preamble,
} from '../../src/bundle/index.ts';
import type { DecodedVertex } from '../../src/dag/index.ts';
import type { Identity } from '../../src/identity/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { makeAuthor, provider, randomDag, topicOf, type TestAuthor } from '../support/fixtures.ts';

/*
 * Bundles for the adversarial and crash tests, without groups or NodeGroups: a source store filled
 * straight from `randomDag`, and a made-up group key per topic (export and import only need a
 * topic and a bundle key). No node:test import here: test/bundle/crash-child.ts uses it too.
 */

/** A clock reading for `now`: the tests never depend on it. */
export const NOW = Date.UTC(2025, 0, 1);
/** Low scrypt cost for passphrase stanzas; real bundles use 2^17. */
export const KDF = 10;

/** A deterministic group key for the topic `topicOf(n)`. */
export function groupKey(n: number): BundleGroupKey {
  return { topic: topicOf(n), bundleKey: provider.sha3_256(utf8(`bundle test group ${n}`)) };
}

export interface SourceOptions {
  readonly vertices: number;
  readonly seed: number;
  /** Topics `topicOf(1..topics)`; default 1. */
  readonly topics?: number;
  readonly payloadBytes?: number;
}

/** Authors of every source store (the fixtures' deterministic authors 1..3). */
export function sourceAuthors(): TestAuthor[] {
  return [1, 2, 3].map((n) => makeAuthor(n));
}

/** Signed vertices of a random multi-author DAG, causal order. */
export function sourceVertices(options: SourceOptions): DecodedVertex[] {
  return randomDag({
    vertices: options.vertices,
    authors: sourceAuthors(),
    seed: options.seed,
    topics: options.topics ?? 1,
    ...(options.payloadBytes === undefined ? {} : { payloadBytes: options.payloadBytes }),
  });
}

/**
 * A store holding `vertices` and their authors' keys, written directly (these vertices are the
 * fixtures' own, so the ingest path's verification would only cost time).
 */
export function sourceStore(path: string, vertices: readonly DecodedVertex[]): SqliteStore {
  const store = SqliteStore.open(path);
  for (const a of sourceAuthors()) store.putKey(a.author, { algorithm: 'ml-dsa-65', publicKey: a.publicKey });
  for (let i = 0; i < vertices.length; i += 500) store.putVertices(vertices.slice(i, i + 500));
  return store;
}

/** Exports every topic of `store`, opened for the group keys of topics 1..`topics`. */
export async function exportStore(store: SqliteStore, path: string, exporter: Identity, topics = 1, onProgress?: (done: number, total: number) => void): Promise<ExportReport> {
  return await exportBundle({
    ...(onProgress === undefined ? {} : { onProgress }),
    provider,
    store,
    dag: store.loadDag(),
    identity: exporter,
    path,
    groups: Array.from({ length: topics }, (_, i) => groupKey(i + 1)),
    kdfLogN: KDF,
    now: () => NOW,
  });
}

/** What a store holds, in a shape `deepEqual` compares. */
export interface StoreState {
  readonly count: number;
  readonly frontiers: Map<string, string[]>;
}

export function stateOf(store: SqliteStore): StoreState {
  return { count: store.vertexCount, frontiers: store.frontiers() };
}

/** Opens bundle bytes held in memory with a group's key, as an import would with the file. */
export async function openInMemory(bytes: Uint8Array, group: BundleGroupKey): Promise<OpenedBundle> {
  return await openBundle(provider, 'memory', () => memorySource(bytes), [async (p) => [groupWrapKey(provider, group.bundleKey, p.salt)]]);
}

/** A file key and the preamble that wraps it for `group` (and nobody else). */
export interface BundleKeying {
  readonly fileKey: Uint8Array;
  readonly preamble: Preamble;
}

export function keyingFor(group: BundleGroupKey): BundleKeying {
  const salt = provider.randomBytes(32);
  const fileKey = provider.randomBytes(32);
  return { fileKey, preamble: buildPreamble(provider, fileKey, [groupWrapKey(provider, group.bundleKey, salt)], KDF, salt) };
}

/** One frame of a hand-made bundle; `type` may be any byte (the writer's type is bypassed on purpose). */
export interface RawFrame {
  readonly type: number;
  readonly body: Uint8Array;
}

/**
 * A bundle written by the real BundleWriter, in memory: the frames as given (any type byte: the
 * writer's type is bypassed on purpose) and the signature frame `sign` makes over their digest.
 */
export function writeBundle(keying: BundleKeying, frames: readonly RawFrame[], sign: (digest: Uint8Array) => Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const writer = new BundleWriter(provider, keying.fileKey, keying.preamble, { write: (b) => void parts.push(b.slice()) });
  for (const f of frames) writer.frame(f.type as Exclude<FrameType, typeof FRAME.signature>, f.body);
  writer.finish(sign);
  return concatBytes(...parts);
}

/** The open frame naming `exporter` as the signing device. */
export function openFrame(exporter: Identity): RawFrame {
  return { type: FRAME.open, body: encodeOpen({ created: NOW, devicePublicKey: exporter.signingPublicKey }) };
}

/** A topic's frontier marker (ids sorted, as the format requires). */
export function markerFrame(topic: Uint8Array, frontier: readonly Uint8Array[]): RawFrame {
  return { type: FRAME.marker, body: encodeMarker({ topic, frontier: [...frontier].sort(Buffer.compare) }) };
}

/** Key frames of every source author. */
export function keyFrames(): RawFrame[] {
  return sourceAuthors().map((a) => ({ type: FRAME.key, body: a.publicKey }));
}

export function vertexFrames(vertices: readonly DecodedVertex[]): RawFrame[] {
  return vertices.map((v) => ({ type: FRAME.vertex, body: v.bytes }));
}

/** The device signature as the exporter makes it. */
export function signedBy(exporter: Identity): (digest: Uint8Array) => Uint8Array {
  return (digest) => exporter.sign(digest, BUNDLE_SIGNATURE_CONTEXT);
}

/**
 * Seals an arbitrary plaintext stream with the real chunk cipher, bypassing the writer and its
 * frame encoding entirely: for streams the writer can never produce (bad headers, non-zero
 * padding, no signature frame). The plaintext is zero-padded to whole chunks; the last is marked.
 */
export function sealStream(keying: BundleKeying, plaintext: Uint8Array): Uint8Array {
  const cipher = new ChunkCipher(provider, keying.fileKey, keying.preamble.bytes, keying.preamble.salt);
  const size = BUNDLE_LIMITS.chunkBytes;
  const count = Math.max(1, Math.ceil(plaintext.length / size));
  const parts: Uint8Array[] = [keying.preamble.bytes];
  for (let i = 0; i < count; i++) {
    const chunk = new Uint8Array(size);
    chunk.set(plaintext.subarray(i * size, (i + 1) * size));
    parts.push(cipher.seal(i, i === count - 1, chunk));
  }
  return concatBytes(...parts);
}

/** Frames encoded back to back (any type byte), as the plaintext stream holds them. */
export function encodeRawFrames(frames: readonly RawFrame[]): Uint8Array {
  return concatBytes(
    ...frames.map((f) => {
      const out = encodeFrame(FRAME.vertex, f.body);
      out[0] = f.type;
      return out;
    }),
  );
}

/** A signature frame over `preamble ‖ before`, signed by `exporter`: what the writer would append. */
export function signatureFrame(keying: BundleKeying, before: Uint8Array, exporter: Identity): RawFrame {
  // SHA-256 of preamble and frames (docs/BUNDLE.md), computed independently of the writer.
  const digest = new Uint8Array(createHash('sha256').update(concatBytes(keying.preamble.bytes, before)).digest());
  return { type: FRAME.signature, body: exporter.sign(digest, BUNDLE_SIGNATURE_CONTEXT) };
}
