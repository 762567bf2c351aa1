import { NetError } from '../errors.ts';

/**
 * Why a post-quantum handshake or record failed. Every one ends the connection; none says more to
 * the peer than that the connection closed.
 */
export type PqFailure =
  /** A handshake message of the wrong size or layout (including any truncation). */
  | 'ERR_PQ_MALFORMED'
  /** A protocol version this node does not speak. */
  | 'ERR_PQ_VERSION'
  /** A sealed identity or record that does not open: tampering, a replay, or a peer without the keys. */
  | 'ERR_PQ_DECRYPT'
  /** An identity whose ML-DSA or libp2p signature over the transcript does not verify. */
  | 'ERR_PQ_SIGNATURE'
  /** A libp2p key of a type other than Ed25519. */
  | 'ERR_PQ_KEY_TYPE'
  /** The peer is not the peer that was dialled. */
  | 'ERR_PQ_UNEXPECTED_PEER'
  /** An ephemeral key that gives no shared secret, or an ML-KEM key that fails its check. */
  | 'ERR_PQ_KEY_EXCHANGE'
  /** A connection sent as many records under one key as the record layer allows. */
  | 'ERR_PQ_RECORD_LIMIT';

/** A post-quantum handshake or record failure (see `PqFailure`). */
export class PqHandshakeError extends NetError {
  declare readonly code: PqFailure;

  constructor(code: PqFailure, message: string) {
    super(code, message);
  }
}
