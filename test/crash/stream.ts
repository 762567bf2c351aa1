import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../../src/crypto/index.ts';
import { createVertex, Dag, type DecodedVertex } from '../../src/dag/index.ts';
import { fastProvider, makeAuthor, prng, randomDag, topicOf } from '../support/fixtures.ts';

/*
 * The deterministic delivery stream of the crash test, generated (and signed) once by the parent
 * and read by every child, so a child does no signing and starts fast.
 *
 * Files in the stream directory:
 *   manifest.json  { version, seed, keys: [public key hex], items, good, tampered }
 *   stream.bin     `items` records in delivery order, each
 *                    u32 big-endian length of the vertex bytes ‖ u8 kind (0 good, 1 tampered) ‖
 *                    32-byte id (SHA3-256 of the bytes) ‖ the vertex bytes
 */

export const MANIFEST_FILE = 'manifest.json';
export const STREAM_FILE = 'stream.bin';

export interface StreamManifest {
  readonly version: 1;
  readonly seed: number;
  /** ML-DSA-65 public keys (hex) of every author in the stream. */
  readonly keys: readonly string[];
  /** Records in stream.bin (duplicates and tampered ones included). */
  readonly items: number;
  /** Distinct valid vertices: what a complete store holds. */
  readonly good: number;
  readonly tampered: number;
}

export interface StreamItem {
  /** 0: a valid vertex; 1: tampered bytes that must be rejected and never stored. */
  readonly kind: 0 | 1;
  readonly id: Uint8Array;
  readonly key: string;
  readonly bytes: Uint8Array;
}

export interface StreamOptions {
  readonly seed: number;
  /** Vertices made by `randomDag` (5 authors, 3 topics); default 3000. */
  readonly vertices?: number;
}

/** What the parent keeps of a generated stream to judge the stores the children leave behind. */
export interface StreamFixture {
  readonly dir: string;
  readonly manifestPath: string;
  readonly manifest: StreamManifest;
  /** Keys (hex ids) of every valid vertex. */
  readonly goodKeys: ReadonlySet<string>;
  /** Keys of the tampered records; none may ever be stored. */
  readonly tamperedKeys: ReadonlySet<string>;
  /** Frontiers of the complete DAG (topic hex → sorted id hex), built in memory from causal order. */
  readonly referenceFrontiers: ReadonlyMap<string, readonly string[]>;
  /** Bytes of the larger-payload vertices included (for the summary). */
  readonly largePayloads: readonly number[];
}

/** Payload sizes of the extra vertices with larger payloads, up to the format's maximum. */
const LARGE_PAYLOADS = [2_048, 8_192, 16_384, 32_768, 49_152, 65_536, 66_560, 40_000];

function randomBytes(rand: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

/**
 * Generates the vertices in causal order: a random multi-author DAG plus a few vertices with large
 * payloads placed on the frontier at evenly spaced points (they stay as extra tips, so frontiers
 * fork).
 */
function generateVertices(options: StreamOptions): { vertices: DecodedVertex[]; keys: string[] } {
  const authors = [1, 2, 3, 4, 5].map((n) => makeAuthor(n));
  const base = randomDag({ vertices: options.vertices ?? 3000, authors, topics: 3, seed: options.seed });
  const rand = prng(options.seed ^ 0x1a2b3c4d);
  const every = Math.max(1, Math.floor(base.length / (LARGE_PAYLOADS.length + 1)));
  const dag = new Dag();
  const vertices: DecodedVertex[] = [];
  let large = 0;
  for (let i = 0; i < base.length; i++) {
    if (i > 0 && i % every === 0 && large < LARGE_PAYLOADS.length) {
      const topic = topicOf(1 + (large % 3));
      const { parents, lamport } = dag.nextParents(topic);
      const payload = randomBytes(rand, LARGE_PAYLOADS[large] as number);
      const v = createVertex({ topic, parents, lamport, payload }, authors[large % authors.length] as (typeof authors)[number], fastProvider);
      if (dag.add(v).status !== 'added') throw new Error('large vertex was not placed');
      vertices.push(v);
      large++;
    }
    const v = base[i] as DecodedVertex;
    if (dag.add(v).status !== 'added') throw new Error('randomDag vertex was not placed');
    vertices.push(v);
  }
  return { vertices, keys: authors.map((a) => toHex(a.publicKey)) };
}

/**
 * The delivery order: causal order locally shuffled (each vertex moves up to ~64 places, so many
 * arrive before a parent and wait in the quarantine), ~5% of vertices offered a second time later
 * on, and a few tampered copies (a flipped signature or payload byte) mixed in.
 */
function deliveryOrder(vertices: readonly DecodedVertex[], seed: number): StreamItem[] {
  const rand = prng(seed ^ 0x0badf00d);
  const keyed = vertices.map((v, i) => ({ v, at: i + rand() * 64 }));
  keyed.sort((a, b) => a.at - b.at);
  const items: StreamItem[] = keyed.map(({ v }) => ({ kind: 0, id: v.id, key: v.key, bytes: v.bytes }));
  // duplicates: re-offer ~5% of the vertices up to 500 places later
  const extra: { at: number; item: StreamItem }[] = [];
  for (let i = 0; i < items.length; i++) {
    if (rand() < 0.05) extra.push({ at: i + 1 + Math.floor(rand() * 500), item: items[i] as StreamItem });
  }
  // tampered copies, one bit flipped: in the signature (bytes 8..3316 are `sig`), in the last
  // payload byte (before the 8-byte "version" key and its 1-byte value), or in the version itself
  for (let t = 0; t < 12; t++) {
    const source = vertices[Math.floor(rand() * vertices.length)] as DecodedVertex;
    const bytes = Uint8Array.from(source.bytes);
    const at = t % 3 === 0 ? 8 + Math.floor(rand() * 3000) : t % 3 === 1 ? bytes.length - 10 : bytes.length - 1;
    bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(rand() * 8));
    const id = fastProvider.sha3_256(bytes);
    extra.push({ at: Math.floor(rand() * items.length), item: { kind: 1, id, key: toHex(id), bytes } });
  }
  extra.sort((a, b) => b.at - a.at);
  for (const { at, item } of extra) items.splice(Math.min(at, items.length), 0, item);
  return items;
}

/** Generates the stream once and writes it to `dir`. */
export function writeStream(dir: string, options: StreamOptions): StreamFixture {
  const { vertices, keys } = generateVertices(options);
  const items = deliveryOrder(vertices, options.seed);
  let total = 0;
  for (const it of items) total += 4 + 1 + 32 + it.bytes.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const it of items) {
    view.setUint32(pos, it.bytes.length);
    out[pos + 4] = it.kind;
    out.set(it.id, pos + 5);
    out.set(it.bytes, pos + 37);
    pos += 37 + it.bytes.length;
  }
  writeFileSync(join(dir, STREAM_FILE), out);
  const tamperedKeys = new Set(items.filter((it) => it.kind === 1).map((it) => it.key));
  const manifest: StreamManifest = { version: 1, seed: options.seed, keys, items: items.length, good: vertices.length, tampered: tamperedKeys.size };
  const manifestPath = join(dir, MANIFEST_FILE);
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));

  const reference = new Dag();
  for (const v of vertices) reference.add(v);
  const referenceFrontiers = new Map<string, string[]>();
  for (const t of reference.topics()) referenceFrontiers.set(t, reference.frontier(t).map(toHex));
  return {
    dir,
    manifestPath,
    manifest,
    goodKeys: new Set(vertices.map((v) => v.key)),
    tamperedKeys,
    referenceFrontiers,
    largePayloads: LARGE_PAYLOADS,
  };
}

/** Reads a stream written by `writeStream` (the child's side). */
export function readStream(manifestPath: string): { manifest: StreamManifest; items: StreamItem[] } {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as StreamManifest;
  if (manifest.version !== 1) throw new Error(`unknown stream version ${String(manifest.version)}`);
  const raw = readFileSync(join(manifestPath, '..', STREAM_FILE));
  const all = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  const view = new DataView(all.buffer, all.byteOffset, all.byteLength);
  const items: StreamItem[] = [];
  let pos = 0;
  while (pos < all.length) {
    const length = view.getUint32(pos);
    const kind = all[pos + 4];
    if (kind !== 0 && kind !== 1) throw new Error(`bad record kind at ${pos}`);
    const id = all.subarray(pos + 5, pos + 37);
    items.push({ kind, id, key: toHex(id), bytes: all.subarray(pos + 37, pos + 37 + length) });
    pos += 37 + length;
  }
  if (items.length !== manifest.items) throw new Error(`stream holds ${items.length} records, manifest says ${manifest.items}`);
  return { manifest, items };
}

/** The public keys of a manifest as bytes. */
export function manifestKeys(manifest: StreamManifest): Uint8Array[] {
  return manifest.keys.map(fromHex);
}
