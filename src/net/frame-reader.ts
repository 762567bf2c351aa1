import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface';
import { FrameTimeoutError, FrameTruncatedError, StreamClosedError, StreamIdleError } from './errors.ts';
import { LengthPrefixParser } from './frames.ts';

export interface FrameReaderOptions {
  /** Largest frame accepted; a prefix above it is refused before anything is allocated. */
  readonly maxFrameBytes: number;
  /** A frame must be complete this long after its first byte arrived (slowloris). */
  readonly frameTimeoutMs: number;
  /** While `next()` waits and no frame has begun, fail after this long; default: wait forever. */
  readonly idleTimeoutMs?: number;
  /** Sees the size of every chunk received (traffic accounting). */
  readonly onBytes?: (bytes: number) => void;
}

interface Waiter {
  readonly resolve: (frame: Uint8Array | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Reads length-prefixed frames (see frames.ts) from a libp2p stream with bounded memory: it holds
 * at most about one frame limit of received bytes, and pauses the stream (which stops the yamux
 * window updates, so the peer stops sending) until the consumer takes frames. The peer's bytes
 * in flight are then bounded by the stream window, which the host keeps below the stream's read
 * buffer limit.
 *
 * Failures end the reader for good and reject `next()`: a FrameError for a broken frame (too
 * large, malformed, truncated by the end of the stream, not complete within `frameTimeoutMs`,
 * or none begun within `idleTimeoutMs`), after which the stream is aborted; StreamClosedError
 * when the stream was reset under it. The end of the stream between frames is a clean end:
 * `next()` returns `undefined`.
 */
export class FrameReader {
  readonly #stream: Stream;
  readonly #o: FrameReaderOptions;
  readonly #prefix: LengthPrefixParser;
  readonly #chunks: Uint8Array[] = [];
  #buffered = 0;
  /** Body length of the frame being read, once its prefix is complete. */
  #need: number | undefined;
  readonly #ready: Uint8Array[] = [];
  #readyBytes = 0;
  #highWater = 0;
  #paused = false;
  /** While `stream.resume()` runs (see `#maybeResume`). */
  #resuming = false;
  #ended = false;
  #failure: unknown;
  #waiter: Waiter | undefined;
  #frameTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #onMessage = (evt: StreamMessageEvent): void => this.#take(evt.data);
  readonly #onEnd = (): void => this.#end();
  readonly #onClose = (evt: StreamCloseEvent): void => {
    if (evt.error !== undefined) this.#fail(new StreamClosedError(`stream closed: ${evt.error.message}`, { cause: evt.error }), false);
    else this.#end();
  };

  constructor(stream: Stream, options: FrameReaderOptions) {
    this.#stream = stream;
    this.#o = options;
    this.#prefix = new LengthPrefixParser(options.maxFrameBytes);
    stream.addEventListener('message', this.#onMessage);
    stream.addEventListener('end', this.#onEnd);
    stream.addEventListener('close', this.#onClose);
    if (stream.status === 'aborted' || stream.status === 'reset') this.#fail(new StreamClosedError(`stream ${stream.status} before reading began`), false);
    else if (stream.readableEnded) this.#end();
  }

  /** Most received bytes this reader held at once (buffered and complete frames not yet taken). */
  get highWater(): number {
    return this.#highWater;
  }

  /** The next frame, or `undefined` at a clean end of the stream. One call at a time. */
  next(signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const frame = this.#ready.shift();
    if (frame !== undefined) {
      this.#readyBytes -= frame.length;
      this.#maybeResume();
      return Promise.resolve(frame);
    }
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve(undefined);
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise<Uint8Array | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiter = undefined;
        this.#clearIdle();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiter = {
        resolve: (f) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(f);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      this.#armIdle();
    });
  }

  /** Stops reading: listeners and timers are removed; the stream itself is left as it is. */
  detach(): void {
    this.#stream.removeEventListener('message', this.#onMessage);
    this.#stream.removeEventListener('end', this.#onEnd);
    this.#stream.removeEventListener('close', this.#onClose);
    this.#clearFrameTimer();
    this.#clearIdle();
    this.#chunks.length = 0;
    this.#ready.length = 0;
    this.#buffered = 0;
    this.#readyBytes = 0;
  }

  #take(data: Uint8Array | Iterable<Uint8Array>): void {
    if (this.#failure !== undefined || this.#ended) return;
    const parts = data instanceof Uint8Array ? [data] : data;
    for (const part of parts) {
      if (part.length === 0) continue;
      this.#chunks.push(part);
      this.#buffered += part.length;
      this.#o.onBytes?.(part.length);
    }
    try {
      this.#parse();
    } catch (error) {
      this.#fail(error, true);
      return;
    }
    this.#highWater = Math.max(this.#highWater, this.#buffered + this.#readyBytes);
    if (!this.#paused && this.#buffered + this.#readyBytes >= this.#o.maxFrameBytes) this.#pause();
    this.#deliver();
  }

  #parse(): void {
    for (;;) {
      if (this.#need === undefined) {
        while (this.#need === undefined && this.#buffered > 0) {
          if (!this.#prefix.started) this.#armFrameTimer();
          this.#need = this.#prefix.push(this.#takeByte());
        }
        if (this.#need === undefined) return;
      }
      if (this.#buffered < this.#need) return;
      const frame = this.#takeBytes(this.#need);
      this.#need = undefined;
      this.#clearFrameTimer();
      this.#ready.push(frame);
      this.#readyBytes += frame.length;
    }
  }

  #takeByte(): number {
    const head = this.#chunks[0] as Uint8Array;
    const byte = head[0] as number;
    if (head.length === 1) this.#chunks.shift();
    else this.#chunks[0] = head.subarray(1);
    this.#buffered--;
    return byte;
  }

  #takeBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const head = this.#chunks[0] as Uint8Array;
      const k = Math.min(head.length, n - at);
      out.set(head.subarray(0, k), at);
      at += k;
      if (k === head.length) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(k);
    }
    this.#buffered -= n;
    return out;
  }

  #deliver(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    const frame = this.#ready.shift();
    if (frame !== undefined) {
      this.#waiter = undefined;
      this.#clearIdle();
      this.#readyBytes -= frame.length;
      this.#maybeResume();
      waiter.resolve(frame);
      return;
    }
    if (this.#failure !== undefined || this.#ended) {
      this.#waiter = undefined;
      this.#clearIdle();
      if (this.#failure !== undefined) waiter.reject(this.#failure);
      else waiter.resolve(undefined);
      return;
    }
    // Bytes of a new frame arrived: the frame timer now watches it instead of the idle timer.
    if (this.#frameTimer !== undefined) this.#clearIdle();
  }

  #end(): void {
    if (this.#ended || this.#failure !== undefined) return;
    if (this.#need !== undefined || this.#prefix.started) {
      this.#fail(new FrameTruncatedError(this.#need === undefined ? 0 : this.#need - this.#buffered), true);
      return;
    }
    this.#ended = true;
    this.#clearFrameTimer();
    this.#deliver();
  }

  #fail(error: unknown, abortStream: boolean): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#clearFrameTimer();
    this.#chunks.length = 0;
    this.#buffered = 0;
    if (abortStream && error instanceof Error) this.#stream.abort(error);
    this.#deliver();
  }

  #pause(): void {
    this.#paused = true;
    // Our own slowness must not count against the peer: the frame clock stops while paused.
    this.#clearFrameTimer();
    // Asked for while resume() dispatches: made once it returns (see #maybeResume).
    if (this.#resuming) return;
    try {
      this.#stream.pause();
    } catch {
      // closing already: nothing more will arrive
    }
  }

  #maybeResume(): void {
    if (this.#resuming || !this.#paused || this.#buffered + this.#readyBytes >= this.#o.maxFrameBytes) return;
    this.#paused = false;
    if (this.#need !== undefined || this.#prefix.started) this.#armFrameTimer();
    // libp2p's resume() first dispatches what it buffered while paused (which may fill this reader
    // again) and only then lets yamux grant window updates: a pause made inside that dispatch
    // would be undone, and the peer could then fill the stream's read buffer until libp2p resets
    // it. So a pause asked for meanwhile is made after resume() returns.
    this.#resuming = true;
    try {
      this.#stream.resume();
    } catch {
      // closing already
    } finally {
      this.#resuming = false;
    }
    if (this.#paused) {
      try {
        this.#stream.pause();
      } catch {
        // closing already
      }
    }
  }

  #armFrameTimer(): void {
    if (this.#frameTimer !== undefined || this.#paused) return;
    this.#frameTimer = setTimeout(() => {
      this.#frameTimer = undefined;
      this.#fail(new FrameTimeoutError(this.#o.frameTimeoutMs), true);
    }, this.#o.frameTimeoutMs);
    this.#frameTimer.unref();
  }

  #clearFrameTimer(): void {
    if (this.#frameTimer !== undefined) clearTimeout(this.#frameTimer);
    this.#frameTimer = undefined;
  }

  #armIdle(): void {
    const ms = this.#o.idleTimeoutMs;
    if (ms === undefined || !Number.isFinite(ms) || this.#idleTimer !== undefined || this.#frameTimer !== undefined) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      this.#fail(new StreamIdleError(ms), true);
    }, ms);
    this.#idleTimer.unref();
  }

  #clearIdle(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }
}
