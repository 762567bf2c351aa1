import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stream } from '@libp2p/interface';
import { encodeLengthPrefix, FrameReader, StreamClosedError, writeFrame } from '../../src/net/index.ts';

/*
 * Two behaviours of libp2p 3 streams that the framing code works around, pinned with fake streams
 * that model only what that code touches (the real ones need a muxer and a peer to misbehave).
 */

/** Lets pending promise callbacks run. */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whether `promise` has settled yet, without waiting for it. */
function track<T>(promise: Promise<T>): { readonly done: () => boolean; readonly promise: Promise<T> } {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  return { done: () => done, promise: watched };
}

/**
 * The write side of a stream: `send` queues bytes; the test plays the muxer, taking some of them
 * (as a peer's window allows) and then dispatching 'drain', or closing the stream.
 */
class FakeWritable extends EventTarget {
  writeBufferLength = 0;
  writeStatus: 'writable' | 'closed' = 'writable';
  /** As in @libp2p/utils 7.4: made once, settled by the first drain or close, never renewed. */
  #drained: { readonly promise: Promise<void>; readonly resolve: () => void; readonly reject: (error: Error) => void } | undefined;

  /**
   * libp2p's `onDrain()`, which writeFrame must not rely on: its promise stays resolved after the
   * first drain. Modelled so that a writeFrame going back to it fails on the assertions below.
   */
  onDrain(): Promise<void> {
    if (this.writeBufferLength === 0) return Promise.resolve();
    if (this.#drained === undefined) {
      const settle: { resolve?: () => void; reject?: (error: Error) => void } = {};
      const promise = new Promise<void>((resolve, reject) => Object.assign(settle, { resolve, reject }));
      this.#drained = { promise, resolve: () => settle.resolve?.(), reject: (error) => settle.reject?.(error) };
    }
    return this.#drained.promise;
  }

  send(bytes: Uint8Array): boolean {
    if (this.writeStatus !== 'writable') throw new Error('stream not writable');
    this.writeBufferLength += bytes.length;
    return false;
  }

  /** The muxer sends `n` queued bytes, then signals a drain. */
  drain(n: number): void {
    this.writeBufferLength = Math.max(0, this.writeBufferLength - n);
    this.#drained?.resolve();
    this.dispatchEvent(new Event('drain'));
  }

  close(): void {
    this.writeStatus = 'closed';
    this.#drained?.reject(new Error('closed'));
    this.dispatchEvent(new Event('close'));
  }
}

test('writeFrame waits for drains until the queue is empty, not just for the first one', async () => {
  const stream = new FakeWritable();
  const payload = new Uint8Array(1000).fill(7);
  const write = track(writeFrame(stream as unknown as Stream, payload));
  await settled();
  assert.equal(stream.writeBufferLength, 1002, 'prefix and payload were queued');
  assert.equal(write.done(), false, 'nothing was sent yet');

  stream.drain(400);
  await settled();
  assert.equal(write.done(), false, 'after the first drain 602 bytes remain queued: still waiting');
  stream.drain(400);
  await settled();
  assert.equal(write.done(), false, 'after the second drain 202 bytes remain: still waiting');
  stream.drain(400);
  assert.equal(await write.promise, 1002, 'resolves with the bytes written once the queue is empty');
  assert.equal(stream.writeBufferLength, 0);
});

test('writeFrame rejects with StreamClosedError when the stream closes while the frame is queued', async () => {
  const stream = new FakeWritable();
  const write = track(writeFrame(stream as unknown as Stream, new Uint8Array(500)));
  stream.drain(100);
  await settled();
  assert.equal(write.done(), false);
  stream.close();
  await assert.rejects(write.promise, (error: unknown) => error instanceof StreamClosedError && error.code === 'ERR_STREAM_CLOSED');
});

test('writeFrame returns at once when the muxer took the whole frame', async () => {
  const stream = new FakeWritable();
  stream.send = (bytes: Uint8Array): boolean => bytes.length > 0; // sent straight through, nothing queued
  assert.equal(await writeFrame(stream as unknown as Stream, new Uint8Array(10)), 11);
});

/**
 * The read side of a libp2p 3 stream over yamux, as `AbstractMessageStream` and the yamux stream
 * behave: `pause()` does nothing when the read status is already 'paused', else it marks it and
 * stops window updates; `resume()` marks it 'readable', *then dispatches* what arrived while
 * paused, and only then re-opens the window — so a pause made during that dispatch leaves the
 * read status 'paused' but the window open, and a later `pause()` is a no-op.
 */
class FakeReadable extends EventTarget {
  readonly status = 'open';
  readonly readableEnded = false;
  readStatus: 'readable' | 'paused' = 'readable';
  /** Whether yamux withholds window updates (the peer must stop sending). */
  windowClosed = false;
  readonly #pausedBuffer: Uint8Array[] = [];

  /** Bytes from the peer: dispatched now, or buffered while paused. */
  arrive(bytes: Uint8Array): void {
    if (this.readStatus === 'paused') this.#pausedBuffer.push(bytes);
    else this.#dispatch([bytes]);
  }

  pause(): void {
    if (this.readStatus === 'paused') return;
    this.readStatus = 'paused';
    this.windowClosed = true;
  }

  resume(): void {
    if (this.readStatus === 'readable') return;
    this.readStatus = 'readable';
    const buffered = this.#pausedBuffer.splice(0);
    if (buffered.length > 0) this.#dispatch(buffered);
    this.windowClosed = false;
  }

  abort(error: Error): void {
    throw error;
  }

  #dispatch(chunks: Uint8Array[]): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data: chunks.length === 1 ? chunks[0] : chunks }));
  }
}

/** A frame of `n` bytes of `fill`, prefix included. */
function frame(n: number, fill: number): Uint8Array {
  const prefix = encodeLengthPrefix(n);
  const out = new Uint8Array(prefix.length + n).fill(fill);
  out.set(prefix);
  return out;
}

const join = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

test('FrameReader: a pause asked for while resume() dispatches takes effect after resume() returns', async () => {
  const stream = new FakeReadable();
  const reader = new FrameReader(stream as unknown as Stream, { maxFrameBytes: 100, frameTimeoutMs: 60_000 });

  // Two 60-byte frames: 120 bytes held ≥ the 100-byte limit, so the reader pauses the stream.
  stream.arrive(join(frame(60, 1), frame(60, 2)));
  assert.equal(stream.readStatus, 'paused');
  assert.equal(stream.windowClosed, true);

  // Bytes in flight when the window closed land in libp2p's paused buffer.
  stream.arrive(join(frame(60, 3), frame(60, 4)));

  // Taking one frame leaves 60 bytes: the reader resumes, resume() dispatches the buffered 120
  // bytes, which fills the reader again (180 bytes) while resume() is still running.
  assert.deepEqual((await reader.next())?.[0], 1);
  assert.equal(stream.readStatus, 'paused', 'the reader holds 180 bytes: it must stay paused');
  assert.equal(stream.windowClosed, true, 'the window must stay closed, or the peer fills the read buffer until libp2p resets the stream');

  // It still delivers every frame, in order, and resumes once it has room.
  assert.deepEqual((await reader.next())?.[0], 2);
  assert.deepEqual((await reader.next())?.[0], 3);
  assert.equal(stream.readStatus, 'readable');
  assert.equal(stream.windowClosed, false);
  assert.deepEqual((await reader.next())?.[0], 4);
  reader.detach();
});
