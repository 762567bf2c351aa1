import type { AuthorKey } from '../dag/index.ts';
import { SYNC_SIZES } from './limits.ts';
import { ByteWriter, varintSize } from '../crypto/index.ts';
import { encodeRecord, frameHeaderSize, verticesRecordSize, writeFrameHeader, writeRecord } from './wire-encode.ts';
import { authorKeyWireBytes } from './author-key-wire.ts';
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
 * Splits `items` into runs that fit in one record of `room` bytes: `overhead` for the record's own
 * fields, then `size(item)` per item. An item too big on its own still gets a run of its own.
 */
function runs<T>(items: readonly T[], overhead: number, room: number, size: (item: T) => number): T[][] {
  const out: T[][] = [];
  let run: T[] = [];
  let used = overhead;
  for (const item of items) {
    const s = size(item);
    if (run.length > 0 && used + s > room) {
      out.push(run);
      run = [];
      used = overhead;
    }
    run.push(item);
    used += s;
  }
  if (run.length > 0) out.push(run);
  return out;
}

/**
 * A record as the flight holds it: its exact size and how to write it into its frame. Most
 * records are encoded on `add`; vertices (most of a flight's bytes) are written once, straight
 * into the frame.
 */
interface Pending {
  readonly size: number;
  write(w: ByteWriter): void;
}

/**
 * The records of one outgoing flight, cut into frames of at most `frameBytes`. Long lists (ranges,
 * wants, vertices, keys) are split into several records of the same type, each small enough to
 * fit in a frame of its own; the receiver joins them back per topic.
 */
export class FlightBuilder {
  readonly #records: Pending[] = [];
  readonly #frameBytes: number;
  readonly #recordBytes: number;
  #bytes = 0;

  constructor(frameBytes: number) {
    this.#frameBytes = frameBytes;
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
    if (record.type === 'vertices') return this.#push({ size: verticesRecordSize(record), write: (w) => writeRecord(w, record) });
    const bytes = encodeRecord(record);
    this.#push({ size: bytes.length, write: (w) => w.bytes(bytes) });
  }

  addRanges(topic: Uint8Array, ranges: readonly WireRange[]): void {
    for (const run of runs(ranges, 32, this.#recordBytes, rangeSize)) this.add({ type: 'ranges', topic, ranges: run });
  }

  addWants(topic: Uint8Array, ids: readonly Uint8Array[]): void {
    const per = Math.floor((this.#recordBytes - 32) / SYNC_SIZES.id);
    for (let i = 0; i < ids.length; i += per) this.add({ type: 'want', topic, ids: ids.slice(i, i + per) });
  }

  addKeys(keys: readonly AuthorKey[]): void {
    for (const run of runs(keys, 16, this.#recordBytes, authorKeyWireBytes)) this.add({ type: 'keys', keys: run });
  }

  addVertices(topic: Uint8Array, vertices: readonly Uint8Array[]): void {
    const size = (v: Uint8Array): number => varintSize(v.length) + v.length;
    for (const run of runs(vertices, 32, this.#recordBytes, size)) this.add({ type: 'vertices', topic, vertices: run });
  }

  #push(record: Pending): void {
    this.#records.push(record);
    this.#bytes += record.size;
  }

  /** The frames: `more` on all but the last, `await` / `owe` on the last. */
  frames(opening: FlightOpening, flags: { await: boolean; owe: boolean }): Uint8Array[] {
    const frameBytes = this.#frameBytes;
    // The hello's or welcome's author filter sits in the first frame's header.
    const filterBytes = opening.kind === 'data' ? 0 : (opening.authorFilter?.length ?? 0);
    const groups: Pending[][] = [[]];
    let room = frameBytes - HEADER_ROOM - filterBytes;
    for (const r of this.#records) {
      if (r.size > room) {
        // The first frame may stay a bare header (hello with a large author filter).
        groups.push([r]);
        room = frameBytes - HEADER_ROOM - r.size;
      } else {
        (groups[groups.length - 1] as Pending[]).push(r);
        room -= r.size;
      }
    }
    return groups.map((records, i) => {
      const last = i === groups.length - 1;
      const f = { more: !last, await: last && flags.await, owe: last && flags.owe };
      const header = (i === 0 ? { ...opening, ...f } : { kind: 'data', ...f }) as FrameHeader;
      const w = new ByteWriter(records.reduce((s, r) => s + r.size, frameHeaderSize(header)));
      writeFrameHeader(w, header);
      for (const r of records) r.write(w);
      return w.finish();
    });
  }
}
