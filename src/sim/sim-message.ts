/** A message between simulated nodes: gossip, or one message of a reconciliation session's stream. */
export type SimMessage =
  | { readonly channel: 'gossip'; readonly bytes: Uint8Array }
  | {
      readonly channel: 'sync';
      readonly bytes: Uint8Array;
      /** Node that opened the session and its session number: together they name the stream. */
      readonly initiator: number;
      readonly session: number;
      /** Position in the stream (per direction), so the receiver can drop duplicates and reorder. */
      readonly seq: number;
    };

/**
 * Bytes of framing counted on top of each protocol message: a 4-byte length prefix, plus an
 * 8-byte stream id and 4-byte sequence number for session streams (what a stream multiplexer
 * spends).
 */
export function envelopeBytes(message: SimMessage): number {
  return message.channel === 'gossip' ? 4 : 16;
}

export interface Outgoing {
  readonly to: number;
  readonly message: SimMessage;
}
