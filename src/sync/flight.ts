import type { AuthorKey } from '../dag/index.ts';
import { SYNC_SIZES } from './limits.ts';
import { ByteWriter, varintSize } from './wire-bytes.ts';
import { encodeRecord, writeFrameHeader } from './wire-encode.ts';
import type { FrameHeader, SyncRecord, WireRange } from './wire.ts';

/** Frame header fields of the first frame of a flight (later frames are data frames). */
export type FlightOpening =
  | { readonly kind: 'hello'; readonly mode: 'topics' | 'courier'; readonly nonce: Uint8Array; readonly authorFilter: Uint8Array | undefined }
  | { readonly kind: 'welcome'; readonly nonce: Uint8Array; readonly authorFilter: Uint8Array | undefined }
  | { readonly kind: 'data' };

/** Room kept in every frame for its header (the hello's author filter is counted separately). */
const HEADER_ROOM = 64;

function rangeSize(r: WireRange): number {
  const lamport = r.upper.lamport === Infinity ? 1 : varintSize(r.upper.lamport);
  const head = lamport + 1 + r.upper.prefix.length + 1;
  if (r.mode === 'skip') return head;
  if (r.mode === 'fingerprint') return head + varintSize(r.count) + SYNC_SIZES.fingerprint;
  return head + varintSize(r.ids.length) + r.ids.length * SYNC_SIZES.id;
}

/**
 * The records of one outgoing flight, cut into frames of at most `frameBytes`. Long lists (ranges,
 * wants, vertices, keys) are split into several records of the same type, each small enough to
 * fit in a frame of its own; the receiver joins them back per topic.
 */
export class FlightBuilder {
  readonly #records: Uint8Array[] = [];
  readonly #recordBytes: number;
  #bytes = 0;

  constructor(frameBytes: number) {
    this.#recordBytes = frameBytes - HEADER_ROOM;
  }

  /** Bytes of records so far. */
  get bytes(): number {
    return this.#bytes;
  }

  get empty(): boolean {
    return this.#records.length === 0;
  }

  add(record: SyncRecord): void {
    const bytes = encodeRecord(record);
    this.#records.push(bytes);
    this.#bytes += bytes.length;
  }

  addRanges(topic: Uint8Array, ranges: readonly WireRange[]): void {
    let chunk: WireRange[] = [];
    let size = 32;
    for (const r of ranges) {
      const s = rangeSize(r);
      if (chunk.length > 0 && size + s > this.#recordBytes) {
        this.add({ type: 'ranges', topic, ranges: chunk });
        chunk = [];
        size = 32;
      }
      chunk.push(r);
      size += s;
    }
    this.add({ type: 'ranges', topic, ranges: chunk });
  }

  addWants(topic: Uint8Array, ids: readonly Uint8Array[]): void {
    const per = Math.floor((this.#recordBytes - 32) / SYNC_SIZES.id);
    for (let i = 0; i < ids.length; i += per) this.add({ type: 'want', topic, ids: ids.slice(i, i + per) });
  }

  addKeys(keys: readonly AuthorKey[]): void {
    let chunk: AuthorKey[] = [];
    let size = 16;
    for (const k of keys) {
      const s = 2 + k.algorithm.length + varintSize(k.publicKey.length) + k.publicKey.length;
      if (chunk.length > 0 && size + s > this.#recordBytes) {
        this.add({ type: 'keys', keys: chunk });
        chunk = [];
        size = 16;
      }
      chunk.push(k);
      size += s;
    }
    if (chunk.length > 0) this.add({ type: 'keys', keys: chunk });
  }

  addVertices(topic: Uint8Array, vertices: readonly Uint8Array[]): void {
    let chunk: Uint8Array[] = [];
    let size = 32;
    for (const v of vertices) {
      const s = varintSize(v.length) + v.length;
      if (chunk.length > 0 && size + s > this.#recordBytes) {
        this.add({ type: 'vertices', topic, vertices: chunk });
        chunk = [];
        size = 32;
      }
      chunk.push(v);
      size += s;
    }
    if (chunk.length > 0) this.add({ type: 'vertices', topic, vertices: chunk });
  }

  /** The frames: `more` on all but the last, `await` / `owe` on the last. */
  frames(opening: FlightOpening, frameBytes: number, flags: { await: boolean; owe: boolean }): Uint8Array[] {
    const groups: Uint8Array[][] = [[]];
    const firstRoom = frameBytes - HEADER_ROOM - (opening.kind === 'data' ? 0 : (opening.authorFilter?.length ?? 0));
    let room = firstRoom;
    for (const r of this.#records) {
      if (r.length > room) {
        // The first frame may stay a bare header (hello with a large author filter).
        groups.push([r]);
        room = frameBytes - HEADER_ROOM - r.length;
      } else {
        (groups[groups.length - 1] as Uint8Array[]).push(r);
        room -= r.length;
      }
    }
    return groups.map((records, i) => {
      const last = i === groups.length - 1;
      const f = { more: !last, await: last && flags.await, owe: last && flags.owe };
      const header = (i === 0 ? { ...opening, ...f } : { kind: 'data', ...f }) as FrameHeader;
      const w = new ByteWriter(records.reduce((s, r) => s + r.length, HEADER_ROOM + (i === 0 && opening.kind !== 'data' ? (opening.authorFilter?.length ?? 0) : 0)));
      writeFrameHeader(w, header);
      for (const r of records) w.bytes(r);
      return w.finish();
    });
  }
}
