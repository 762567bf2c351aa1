import type { ProviderName } from '../crypto/index.ts';
import type { AuthorKey, DecodedVertex, RejectionReason } from '../dag/index.ts';

/**
 * Messages between the verify pool and its workers. A batch travels as one transferred
 * ArrayBuffer plus offsets, and ids come back the same way: cloning many small views would copy
 * whatever large buffer each one sits in, which cost more than the verification it feeds.
 */
export type ToWorker =
  | { readonly type: 'keys'; readonly keys: readonly AuthorKey[] }
  | {
      readonly type: 'verify';
      readonly job: number;
      /** Item i is bytes[offsets[i], offsets[i + 1]); the buffer may be longer (a reused one). */
      readonly bytes: ArrayBuffer;
      readonly offsets: Uint32Array;
    };

export interface Failure {
  readonly index: number;
  /** The id of the refused bytes when they decoded far enough to be hashed. */
  readonly id: Uint8Array | undefined;
  readonly reason: RejectionReason;
  readonly detail: string;
}

export type FromWorker =
  | {
      readonly type: 'result';
      readonly job: number;
      /** The job's `bytes`, handed back for the pool to reuse. */
      readonly bytes: ArrayBuffer;
      /** 32 bytes per item: the id of every item that passed; zeros where it failed. */
      readonly ids: ArrayBuffer;
      /** LAYOUT_WORDS float64s per item: where the fields of every item that passed sit (see `packLayout`). */
      readonly layouts: ArrayBuffer;
      readonly failures: readonly Failure[];
    }
  | { readonly type: 'fatal'; readonly message: string };

export type Verdict =
  | { readonly ok: true; readonly vertex: DecodedVertex }
  | { readonly ok: false; readonly id: Uint8Array | undefined; readonly reason: RejectionReason; readonly detail: string };

/**
 * Pack buffers are sized in steps of this, so batches of similar size fit the same buffer. A
 * smaller batch (one pushed vertex, say) gets the next power of two from 8 KiB instead: a quarter
 * megabyte for every pushed vertex was a fresh mapping of its own (a burst of single-vertex calls
 * spent most of its main-thread time in the kernel).
 */
export const PACK_ROUNDING = 256 * 1024;
const MIN_PACK_BYTES = 8 * 1024;

/** The size of a new pack buffer for `total` bytes. */
export function packBufferSize(total: number): number {
  if (total > PACK_ROUNDING / 2) return Math.ceil(total / PACK_ROUNDING) * PACK_ROUNDING;
  let size = MIN_PACK_BYTES;
  while (size < total) size *= 2;
  return size;
}

export interface WorkerConfig {
  readonly provider: ProviderName;
}

/**
 * Packs byte strings into one buffer with offsets (for transfer to a worker): into the buffer
 * `spareFor(total)` hands over when it is large enough, otherwise a new one, rounded up so that it
 * can be reused for later batches.
 */
export function pack(items: readonly Uint8Array[], spareFor?: (total: number) => ArrayBuffer | undefined): { bytes: ArrayBuffer; offsets: Uint32Array } {
  const offsets = new Uint32Array(items.length + 1);
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    offsets[i] = total;
    total += (items[i] as Uint8Array).length;
  }
  offsets[items.length] = total;
  const spare = spareFor?.(total);
  const bytes = spare !== undefined && spare.byteLength >= total ? new Uint8Array(spare) : new Uint8Array(packBufferSize(total));
  for (let i = 0; i < items.length; i++) bytes.set(items[i] as Uint8Array, offsets[i] as number);
  return { bytes: bytes.buffer, offsets };
}
