import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys';
import {
  serviceCapabilities,
  type AbortOptions,
  type ComponentLogger,
  type ConnectionEncrypter,
  type MessageStream,
  type PeerId,
  type PrivateKey,
  type SecureConnectionOptions,
  type SecuredConnection,
  type StreamMuxerFactory,
} from '@libp2p/interface';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { defaultProvider, type CryptoProvider } from '../../crypto/index.ts';
import type { Identity } from '../../identity/index.ts';
import { NetOptionsError } from '../errors.ts';
import { PqHandshakeError } from './errors.ts';
import { MAX_HANDSHAKE_MESSAGE_BYTES, PQ_PROTOCOL } from './constants.ts';
import { EncryptedStream } from './encrypted-stream.ts';
import { InitiatorHandshake, ResponderHandshake, type HandshakeIdentity, type HandshakeOptions, type HandshakeResult } from './handshake.ts';
import { RecordCipher } from './record-cipher.ts';

/** What a connection secured by the PQ encrypter tells about the peer, besides its peer id. */
export interface PqExtensions {
  /** The peer's node id: SHA3-256 of its ML-DSA-65 key, proven in the handshake. */
  readonly nodeId: Uint8Array;
  readonly signingPublicKey: Uint8Array;
}

export interface PqEncrypterInit {
  /**
   * The node's identity: its ML-DSA-65 key authenticates every connection, and its provider
   * (default: the runtime's) runs the handshake and the records.
   */
  readonly identity: Pick<Identity, 'signingPublicKey' | 'sign'> & { readonly provider?: CryptoProvider };
}

/** The libp2p components the encrypter uses. */
export interface PqEncrypterComponents {
  readonly privateKey: PrivateKey;
  readonly logger: ComponentLogger;
  readonly upgrader: { getStreamMuxers(): Map<string, StreamMuxerFactory> };
}

/**
 * The connection encrypter of every Pars Mesh connection: a hybrid X25519 + ML-KEM-768 key
 * exchange authenticated by both nodes' ML-DSA-65 identities and libp2p keys, then AES-256-GCM
 * records (docs/PROTOCOL.md, "Post-quantum connections").
 */
export class PqEncrypter implements ConnectionEncrypter<PqExtensions> {
  readonly protocol = PQ_PROTOCOL;
  readonly [Symbol.toStringTag] = 'pars-mesh/pq-encrypter';
  readonly [serviceCapabilities]: string[] = ['@libp2p/connection-encryption'];
  readonly #components: PqEncrypterComponents;
  readonly #provider: CryptoProvider;
  readonly #identity: HandshakeIdentity;

  constructor(components: PqEncrypterComponents, init: PqEncrypterInit) {
    this.#components = components;
    this.#provider = init.identity.provider ?? defaultProvider();
    const key = components.privateKey;
    if (key.type !== 'Ed25519') throw new NetOptionsError(`the PQ encrypter needs an Ed25519 libp2p key, got ${key.type}`);
    const identity = init.identity;
    this.#identity = {
      signer: { publicKey: identity.signingPublicKey, sign: (message, context) => identity.sign(message, context) },
      libp2pKey: { publicKey: publicKeyToProtobuf(key.publicKey), sign: (data) => key.sign(data) },
    };
  }

  #options(options: SecureConnectionOptions | undefined): HandshakeOptions {
    const muxers = options?.skipStreamMuxerNegotiation === true ? [] : [...this.#components.upgrader.getStreamMuxers().keys()];
    return { provider: this.#provider, identity: this.#identity, muxers };
  }

  async secureOutbound(connection: MessageStream, options?: SecureConnectionOptions): Promise<SecuredConnection<PqExtensions>> {
    const framed = lpStream(connection, { maxDataLength: MAX_HANDSHAKE_MESSAGE_BYTES });
    const expected = options?.remotePeer?.publicKey === undefined ? undefined : publicKeyToProtobuf(options.remotePeer.publicKey);
    const handshake = new InitiatorHandshake(this.#options(options), expected);
    await framed.write(handshake.message1(), abortable(options));
    const message2 = (await framed.read(abortable(options))).subarray();
    const { message3, result } = await handshake.readMessage2(message2);
    await framed.write(message3, abortable(options));
    return this.#secured(framed.unwrap(), result, remotePeerOf(result), 'outbound');
  }

  async secureInbound(connection: MessageStream, options?: SecureConnectionOptions): Promise<SecuredConnection<PqExtensions>> {
    const framed = lpStream(connection, { maxDataLength: MAX_HANDSHAKE_MESSAGE_BYTES });
    const handshake = new ResponderHandshake(this.#options(options));
    const message1 = (await framed.read(abortable(options))).subarray();
    await framed.write(await handshake.readMessage1(message1), abortable(options));
    const message3 = (await framed.read(abortable(options))).subarray();
    const result = await handshake.readMessage3(message3);
    const remotePeer = remotePeerOf(result);
    if (options?.remotePeer?.publicKey !== undefined && !options.remotePeer.equals(remotePeer)) {
      throw new PqHandshakeError('ERR_PQ_UNEXPECTED_PEER', 'the peer is not the one expected');
    }
    return this.#secured(framed.unwrap(), result, remotePeer, 'inbound');
  }

  #secured(connection: MessageStream, result: HandshakeResult, remotePeer: PeerId, direction: 'inbound' | 'outbound'): SecuredConnection<PqExtensions> {
    const stream = new EncryptedStream(connection, new RecordCipher(this.#provider, result.sendKey), new RecordCipher(this.#provider, result.receiveKey), direction);
    result.sendKey.fill(0);
    result.receiveKey.fill(0);
    const muxer = result.muxer === undefined ? undefined : this.#components.upgrader.getStreamMuxers().get(result.muxer);
    return {
      connection: stream,
      remotePeer,
      remoteExtensions: { nodeId: result.remote.nodeId, signingPublicKey: result.remote.signingPublicKey },
      ...(muxer === undefined ? {} : { streamMuxer: muxer }),
    };
  }
}

function remotePeerOf(result: HandshakeResult): PeerId {
  return peerIdFromPublicKey(publicKeyFromProtobuf(result.remote.libp2pPublicKey));
}

function abortable(options: SecureConnectionOptions | undefined): AbortOptions {
  return options?.signal === undefined ? {} : { signal: options.signal };
}

/** The encrypter as libp2p's `connectionEncrypters` option takes it. */
export function pqEncrypter(init: PqEncrypterInit): (components: PqEncrypterComponents) => ConnectionEncrypter<PqExtensions> {
  return (components) => new PqEncrypter(components, init);
}
