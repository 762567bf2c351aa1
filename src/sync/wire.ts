import type { AuthorKey } from '../dag/index.ts';
import type { SyncFailureCode } from './errors.ts';

/*
 * The messages of wire version 1 as values. A frame is one message on the link; a flight is the
 * frames one side sends before the other speaks (every frame but the last has `more` set). The
 * byte layout is in docs/PROTOCOL.md ("Sync protocol"); wire-encode.ts and wire-decode.ts are its
 * two directions.
 */

export const FRAME_KIND = Object.freeze({ hello: 0x01, welcome: 0x02, data: 0x03, error: 0xff });
export const FRAME_FLAG = Object.freeze({ more: 0x01, await: 0x02, owe: 0x04 });
export const MODE_CODE = Object.freeze({ topics: 0x00, courier: 0x01 });

export const RECORD_TYPE = Object.freeze({
  frontier: 0x01,
  base: 0x02,
  summary: 0x03,
  ranges: 0x04,
  want: 0x05,
  vertices: 0x06,
  covered: 0x07,
  notCarried: 0x08,
  keyWant: 0x09,
  keys: 0x0a,
  courierBound: 0x0b,
});

export const RANGE_MODE = Object.freeze({ skip: 0x00, fingerprint: 0x01, ids: 0x02 });

/** A point in the (lamport, id) order: items >= it have a larger Lamport clock, or the same one and an id >= prefix ‖ 0…. */
export interface Bound {
  /** `Infinity` is the end of the order (encoded as 0: real clocks start at 1). */
  readonly lamport: number;
  readonly prefix: Uint8Array;
}

export const END_BOUND: Bound = Object.freeze({ lamport: Infinity, prefix: new Uint8Array(0) });

/** One range of a RANGES record: it ends at `upper` and starts where the previous one ended. */
export type WireRange =
  | { readonly upper: Bound; readonly mode: 'skip' }
  | { readonly upper: Bound; readonly mode: 'fingerprint'; readonly count: number; readonly fingerprint: Uint8Array }
  | { readonly upper: Bound; readonly mode: 'ids'; readonly ids: readonly Uint8Array[] };

export interface SummaryEntry {
  readonly topic: Uint8Array;
  /** Salted digest of the sender's frontier of the topic. */
  readonly digest: Uint8Array;
  /** Salted digest of the base the sender proposes for this topic, if any. */
  readonly base: Uint8Array | undefined;
}

export type SyncRecord =
  | { readonly type: 'frontier'; readonly topic: Uint8Array; readonly count: number; readonly tooWide: boolean; readonly ids: readonly Uint8Array[] }
  | { readonly type: 'base'; readonly topic: Uint8Array; readonly digest: Uint8Array }
  | { readonly type: 'summary'; readonly after: Uint8Array | undefined; readonly upTo: Uint8Array | undefined; readonly entries: readonly SummaryEntry[] }
  | { readonly type: 'ranges'; readonly topic: Uint8Array; readonly ranges: readonly WireRange[] }
  | { readonly type: 'want'; readonly topic: Uint8Array; readonly ids: readonly Uint8Array[] }
  | { readonly type: 'vertices'; readonly topic: Uint8Array; readonly vertices: readonly Uint8Array[] }
  | { readonly type: 'covered'; readonly topic: Uint8Array }
  | { readonly type: 'not-carried'; readonly topic: Uint8Array }
  | { readonly type: 'key-want'; readonly authors: readonly Uint8Array[] }
  | { readonly type: 'keys'; readonly keys: readonly AuthorKey[] }
  | { readonly type: 'courier-bound'; readonly upTo: Uint8Array };

export interface FrameFlags {
  /** More frames of this flight follow. */
  readonly more: boolean;
  /** The sender expects an answer (it asked something). Meaningful on the last frame of a flight. */
  readonly await: boolean;
  /** The sender has more to send that did not fit in this flight. Meaningful on the last frame. */
  readonly owe: boolean;
}

export type Frame =
  | (FrameFlags & {
      readonly kind: 'hello';
      readonly mode: 'topics' | 'courier';
      readonly nonce: Uint8Array;
      readonly authorFilter: Uint8Array | undefined;
      readonly records: SyncRecord[];
    })
  | (FrameFlags & { readonly kind: 'welcome'; readonly nonce: Uint8Array; readonly authorFilter: Uint8Array | undefined; readonly records: SyncRecord[] })
  | (FrameFlags & { readonly kind: 'data'; readonly records: SyncRecord[] });

/** A frame without its records: what the frame header carries. */
export type FrameHeader = Frame extends infer F ? (F extends Frame ? Omit<F, 'records'> : never) : never;

/** ERROR frames keep one layout in every version, so any version can read why it was refused. */
export interface ErrorFrame {
  readonly kind: 'error';
  readonly version: number;
  readonly code: SyncFailureCode | 'unknown';
  readonly supportedVersions: readonly number[];
  readonly detail: string;
}

/** Wire codes of failures in ERROR frames (stable; unknown codes decode as 'unknown'). */
export const FAILURE_WIRE_CODE: Readonly<Record<SyncFailureCode, number>> = Object.freeze({
  truncated: 1,
  malformed: 2,
  'non-canonical': 3,
  'unknown-version': 4,
  'limit-exceeded': 5,
  'unexpected-frame': 6,
  'bad-vertex': 7,
  'bad-filter': 8,
  'bad-key': 9,
  'peer-error': 10,
  'peer-unsupported-version': 11,
  aborted: 12,
  closed: 13,
});
