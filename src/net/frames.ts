import type { AbortOptions, Stream } from '@libp2p/interface';
import { ByteWriter, MAX_VARINT_BYTES } from '../crypto/index.ts';
import { FrameMalformedError, FrameTooLargeError, StreamClosedError } from './errors.ts';

/*
 * Framing of the Pars stream protocols (`/pars/sync/1.0.0`, `/pars/gossip/1.0.0`):
 *
 *   frame = varint length ‖ length bytes
 *
 * The length is an unsigned LEB128 varint in its shortest form (the libp2p convention, and the
 * varint of the sync wire format), from 1 to the protocol's frame limit. The limit is checked as
 * each prefix byte arrives: once the bytes seen so far force a value above it, the frame is
 * refused, so an announced 2^31-byte frame costs three bytes to refuse and allocates nothing.
 */

/** The varint length prefix of a frame of `length` bytes. */
export function encodeLengthPrefix(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 1) throw new RangeError(`frame length must be a positive integer, got ${length}`);
  const prefix = new ByteWriter(MAX_VARINT_BYTES);
  prefix.varint(length);
  return prefix.finish();
}

/**
 * Reads a length prefix one byte at a time (the bytes may arrive split over chunks). `push`
 * returns the frame length once the prefix is complete, `undefined` while more bytes are needed,
 * and throws a FrameError as soon as the prefix cannot be valid.
 */
export class LengthPrefixParser {
  readonly #limit: number;
  #value = 0;
  #scale = 1;
  #count = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Whether some bytes of a prefix have been read. */
  get started(): boolean {
    return this.#count > 0;
  }

  push(byte: number): number | undefined {
    this.#count++;
    this.#value += (byte & 0x7f) * this.#scale;
    if ((byte & 0x80) === 0) {
      const value = this.#value;
      const count = this.#count;
      this.reset();
      if (byte === 0 && count > 1) throw new FrameMalformedError('length prefix not in shortest form');
      if (value === 0) throw new FrameMalformedError('empty frame');
      if (value > this.#limit) throw new FrameTooLargeError(this.#limit);
      return value;
    }
    this.#scale *= 0x80;
    // A shortest-form varint ends in a non-zero byte, so the value is at least what is read so
    // far plus one unit of the next position: refuse once that passes the limit.
    if (this.#value + this.#scale > this.#limit) throw new FrameTooLargeError(this.#limit);
    return undefined;
  }

  reset(): void {
    this.#value = 0;
    this.#scale = 1;
    this.#count = 0;
  }
}

/**
 * Writes one frame and waits until the stream's send queue is empty again (the muxer took it
 * all). Returns the bytes put on the stream (prefix included). Throws StreamClosedError if the
 * stream cannot take it.
 */
export async function writeFrame(stream: Stream, payload: Uint8Array, options: AbortOptions = {}): Promise<number> {
  const prefix = encodeLengthPrefix(payload.length);
  try {
    stream.send(prefix);
    stream.send(payload);
    // Wait until the whole frame has left the queue. A 'drain' only says the muxer took what the
    // peer's window allowed, so one is not enough: queued frames would pile up until libp2p
    // aborts the stream at its write buffer limit. Not `stream.onDrain()`: in @libp2p/utils 7.4
    // its promise stays resolved after the first drain, so it stops waiting altogether.
    while (stream.writeBufferLength > 0 && stream.writeStatus === 'writable') await nextDrain(stream, options.signal);
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    throw new StreamClosedError(`cannot write to the stream: ${(error as Error).message}`, { cause: error });
  }
  return prefix.length + payload.length;
}

/** The stream's next 'drain' event; rejects when it closes or `signal` aborts. */
function nextDrain(stream: Stream, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const settle = (error?: unknown): void => {
      stream.removeEventListener('drain', onDrain);
      stream.removeEventListener('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = (): void => settle();
    const onClose = (): void => settle(new StreamClosedError('the stream closed while a frame was queued'));
    const onAbort = (): void => settle(signal?.reason);
    stream.addEventListener('drain', onDrain);
    stream.addEventListener('close', onClose);
    signal?.addEventListener('abort', onAbort);
  });
}

/**
 * Queues one frame without waiting, unless the stream already holds `maxQueued` unsent bytes or
 * cannot be written; returns the bytes queued, or 0 when the frame was dropped. For messages that
 * may be lost (gossip: anti-entropy repairs what it misses), so a peer that stops reading cannot
 * make this node buffer without bound.
 */
export function offerFrame(stream: Stream, payload: Uint8Array, maxQueued: number): number {
  if (stream.writeStatus !== 'writable' || stream.writeBufferLength + payload.length > maxQueued) return 0;
  const prefix = encodeLengthPrefix(payload.length);
  try {
    stream.send(prefix);
    stream.send(payload);
  } catch {
    return 0;
  }
  return prefix.length + payload.length;
}
