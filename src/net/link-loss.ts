import type { Stream } from '@libp2p/interface';
import { FrameTimeoutError, FrameTruncatedError, StreamIdleError } from './errors.ts';

/**
 * Whether a framing failure is the link going away rather than the peer misbehaving: a frame cut
 * short or a silence on a stream that was reset or aborted (the connection dropped: a crashed or
 * unplugged peer) is not held against the peer, so it can come back at once. A stream the peer
 * closed in the middle of a frame, or left open and silent, still costs it the budget.
 */
export function lostWithLink(stream: Pick<Stream, 'status'>, failure: unknown): boolean {
  if (!(failure instanceof FrameTruncatedError || failure instanceof FrameTimeoutError || failure instanceof StreamIdleError)) return false;
  return stream.status === 'reset' || stream.status === 'aborted';
}
