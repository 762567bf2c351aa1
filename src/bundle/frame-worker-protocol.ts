import type { ProviderName } from '../crypto/index.ts';

/* Messages between the import pass and its frame-reading worker (frame-worker.ts). */

export interface FrameWorkerConfig {
  readonly provider: ProviderName;
  readonly path: string;
  readonly fileKey: Uint8Array;
  readonly preamble: Uint8Array;
  readonly salt: Uint8Array;
  readonly kdfLogN: number;
  /** The verified pass's chunk tags, 16 bytes each, concatenated. */
  readonly tags: Uint8Array;
}

/** Asks for the next group of frames. */
export interface NextRequest {
  readonly type: 'next';
}

/** Frames packed into one transferred buffer: body i is `bytes[offsets[i]..offsets[i+1])`. */
export interface FramesReply {
  readonly type: 'frames';
  readonly types: number[];
  readonly offsets: number[];
  readonly bytes: ArrayBuffer;
}

export interface EndReply {
  readonly type: 'end';
}

export interface ErrorReply {
  readonly type: 'error';
  readonly code: string | undefined;
  readonly message: string;
  readonly offset: number | undefined;
}

export type FrameWorkerReply = FramesReply | EndReply | ErrorReply;

/** About this many body bytes per reply: a few chunks' worth, so a message carries real work. */
export const REPLY_BYTES = 256 * 1024;
