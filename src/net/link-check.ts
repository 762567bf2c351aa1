import { peerIdFromString } from '@libp2p/peer-id';
import { FrameTruncatedError, isAbortOrTimeout } from './errors.ts';
import type { Libp2pNode } from './libp2p-node.ts';
import { streamBlame } from './peer-guard.ts';

/**
 * Tells a peer that stalls or breaks off a frame on purpose from a link that went away under it.
 * Both look alike on the stream: a frame cut short, or silence. The connection tells them apart:
 * a crashed peer's connection closes, and a peer out of radio range (or frozen, or unplugged)
 * answers no ping. Such a peer is not charged, so it is welcome back as soon as it returns; a peer
 * whose connection still answers pings chose to stall, and pays for it.
 *
 * Whether the stream's own status says "reset" or "aborted" cannot decide it: our own abort on a
 * timeout marks the stream aborted too.
 */
export interface LinkCheck {
  /**
   * Whether `failure`, on a stream from `peer`, is the link's loss rather than the peer's doing.
   * Only a truncated frame or a timeout can be; anything else resolves false at once.
   */
  lostLink(peer: string, failure: unknown): Promise<boolean>;
}

/** A failure a dead link can cause: a frame cut short, or a silence (a stall, to `streamBlame`). */
function linkFailure(failure: unknown): boolean {
  return failure instanceof FrameTruncatedError || streamBlame(failure) === 'timeout';
}

/**
 * The check against a libp2p node: no open connection to the peer means the link is gone; with
 * one, a ping must come back within `timeoutMs`. A peer that answers the ping in any way, even by
 * refusing the protocol, is alive. A connection that stays silent is closed (the redialer brings
 * the peer back once it answers again).
 */
export function libp2pLinkCheck(libp2p: Libp2pNode, timeoutMs: number): LinkCheck {
  return {
    async lostLink(peer: string, failure: unknown): Promise<boolean> {
      if (!linkFailure(failure)) return false;
      const peerId = peerIdFromString(peer);
      const connected = (): boolean => libp2p.getConnections(peerId).some((c) => c.status === 'open');
      if (!connected()) return true;
      try {
        await libp2p.services.ping.ping(peerId, { signal: AbortSignal.timeout(timeoutMs) });
        return false;
      } catch (error) {
        // Only silence counts: a refused or failed protocol negotiation is an answer.
        const silent = isAbortOrTimeout(error);
        if (silent) await libp2p.hangUp(peerId, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => undefined);
        return silent || !connected();
      }
    },
  };
}
