import { CodedError } from '../crypto/index.ts';

/** Base class of every error the network layer throws or uses to end a stream. */
export class NetError extends CodedError {}

/** Bad options given to the host or a protocol (a bug in the caller, not bad network input). */
export class NetOptionsError extends NetError {
  constructor(message: string) {
    super('ERR_NET_OPTIONS', message);
  }
}

/**
 * A peer broke the stream framing. Each subclass has its own stable code; all of them end the
 * stream, and the host counts them against the peer (see `PeerGuard`).
 */
export class FrameError extends NetError {}

/** A length prefix above the stream's frame limit, refused before anything is allocated for it. */
export class FrameTooLargeError extends FrameError {
  constructor(limit: number) {
    super('ERR_FRAME_TOO_LARGE', `length prefix above the frame limit of ${limit} bytes`);
  }
}

/** A length prefix that is not a shortest-form varint, or announces an empty frame. */
export class FrameMalformedError extends FrameError {
  constructor(detail: string) {
    super('ERR_FRAME_MALFORMED', detail);
  }
}

/** The peer closed its end of the stream inside a frame (prefix or body). */
export class FrameTruncatedError extends FrameError {
  constructor(missing: number) {
    super('ERR_FRAME_TRUNCATED', `stream ended ${missing > 0 ? `${missing} bytes short of the end of a frame` : 'inside a length prefix'}`);
  }
}

/** A frame that began did not complete in time (a peer trickling bytes: slowloris). */
export class FrameTimeoutError extends FrameError {
  constructor(ms: number) {
    super('ERR_FRAME_TIMEOUT', `frame not complete ${ms} ms after its first byte`);
  }
}

/** No frame began within the idle timeout while one was awaited. */
export class StreamIdleError extends FrameError {
  constructor(ms: number) {
    super('ERR_STREAM_IDLE', `no frame for ${ms} ms`);
  }
}

/** The stream was reset or aborted underneath a reader or writer. */
export class StreamClosedError extends NetError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('ERR_STREAM_CLOSED', detail, options);
  }
}

/** A sync stream that ran longer than the whole-session timeout. */
export class SessionTimeoutError extends NetError {
  constructor(ms: number) {
    super('ERR_SESSION_TIMEOUT', `sync session still running after ${ms} ms`);
  }
}

/** The host is stopping or stopped; the operation was not (or no longer) carried out. */
export class HostStoppedError extends NetError {
  constructor() {
    super('ERR_HOST_STOPPED', 'the network host is stopped');
  }
}

/** A dial or stream to a peer that is serving a cool-down after misbehaving. */
export class PeerBannedError extends NetError {
  constructor(peer: string) {
    super('ERR_PEER_BANNED', `peer ${peer} is refused for a cool-down period`);
  }
}

/** Whether `error` is an abort or a timeout (an AbortSignal fired), the way libp2p reports silence. */
export function isAbortOrTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}
