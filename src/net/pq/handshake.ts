import { publicKeyFromProtobuf } from '@libp2p/crypto/keys';
import { AES_256_GCM, concatBytes, CryptoInputError, equalBytes, ML_KEM_768, utf8, X25519_SIZES, type CryptoProvider, type KemKeyPair, type X25519KeyPair } from '../../crypto/index.ts';
import { nodeIdOf } from '../../identity/index.ts';
import { LABEL_INITIATOR, LABEL_RESPONDER, MAX_HANDSHAKE_MESSAGE_BYTES, MESSAGE1_BYTES, MESSAGE2_FIXED_BYTES, PQ_VERSION, SIGNATURE_CONTEXT, TAG_BYTES } from './constants.ts';
import { PqHandshakeError } from './errors.ts';
import { decodeIdentityBlock, encodeClaim, encodeIdentityBlock } from './identity-block.ts';
import { handshakeKeys, libp2pSignedBytes, signedDigest, trafficKeys, transcriptHash, type DirectionKeys } from './transcript.ts';

/*
 * The handshake as two sans-I/O state machines (docs/PROTOCOL.md, "Post-quantum connections"):
 *
 *   1  I → R  version ‖ e_i (X25519) ‖ ek_i (ML-KEM-768 encapsulation key)
 *   2  R → I  e_r ‖ ct (encapsulated to ek_i) ‖ AEAD(k_r, identity_r)
 *   3  I → R  AEAD(k_i, identity_i)
 *
 * Both ephemeral keys are fresh per connection, so every session key is forward secret, and each
 * side proves its ML-DSA-65 identity and its libp2p key by signing the transcript that contains
 * both ephemerals. The caller moves the bytes and enforces the timeout.
 */

const NONCE_ZERO = new Uint8Array(AES_256_GCM.nonce);
const CONTEXT = utf8(SIGNATURE_CONTEXT);

/** What a node proves about itself in the handshake. */
export interface HandshakeIdentity {
  /** The node's ML-DSA-65 identity key pair. */
  readonly signer: { readonly publicKey: Uint8Array; sign(message: Uint8Array, context?: Uint8Array): Uint8Array };
  /** The node's libp2p key (Ed25519): its public key as protobuf, and signing. */
  readonly libp2pKey: { readonly publicKey: Uint8Array; sign(data: Uint8Array): Uint8Array | Promise<Uint8Array> };
}

export interface HandshakeOptions {
  readonly provider: CryptoProvider;
  readonly identity: HandshakeIdentity;
  /** Stream muxers this side offers for early negotiation, preferred first. */
  readonly muxers: readonly string[];
  /** Source of the ephemeral secrets; default `provider.randomBytes` (tests inject their own). */
  readonly random?: (length: number) => Uint8Array;
}

/** The authenticated peer. */
export interface RemoteIdentity {
  readonly nodeId: Uint8Array;
  readonly signingPublicKey: Uint8Array;
  /** libp2p public key as protobuf (Ed25519). */
  readonly libp2pPublicKey: Uint8Array;
  readonly muxers: readonly string[];
}

export interface HandshakeResult {
  readonly remote: RemoteIdentity;
  /** Key of the records this side sends. */
  readonly sendKey: Uint8Array;
  /** Key of the records this side receives. */
  readonly receiveKey: Uint8Array;
  /** The first of the initiator's muxers the responder also offered; undefined: negotiate after. */
  readonly muxer: string | undefined;
}

function agreedMuxer(initiator: readonly string[], responder: readonly string[]): string | undefined {
  return initiator.find((m) => responder.includes(m));
}

function randomSource(o: HandshakeOptions): (length: number) => Uint8Array {
  return o.random ?? ((n: number): Uint8Array => o.provider.randomBytes(n));
}

/** ikm = X25519 shared secret ‖ ML-KEM-768 shared secret; both halves are wiped once joined. */
function hybridSecret(dh: Uint8Array, kem: Uint8Array): Uint8Array {
  const ikm = concatBytes(dh, kem);
  dh.fill(0);
  kem.fill(0);
  return ikm;
}

function keyExchangeFailed(err: unknown): never {
  if (err instanceof CryptoInputError) throw new PqHandshakeError('ERR_PQ_KEY_EXCHANGE', err.message);
  throw err;
}

async function sealIdentity(o: HandshakeOptions, role: string, transcript: Uint8Array, key: Uint8Array): Promise<Uint8Array> {
  const claimBytes = encodeClaim({ signingPublicKey: o.identity.signer.publicKey, libp2pPublicKey: o.identity.libp2pKey.publicKey, muxers: o.muxers });
  const digest = signedDigest(o.provider, role, transcript, claimBytes);
  const signature = o.identity.signer.sign(digest, CONTEXT);
  const libp2pSignature = await o.identity.libp2pKey.sign(libp2pSignedBytes(digest));
  return o.provider.aes256Gcm.seal(key, NONCE_ZERO, encodeIdentityBlock(claimBytes, signature, libp2pSignature), transcript);
}

async function openIdentity(provider: CryptoProvider, role: string, transcript: Uint8Array, key: Uint8Array, sealed: Uint8Array): Promise<RemoteIdentity> {
  const plain = provider.aes256Gcm.open(key, NONCE_ZERO, sealed, transcript);
  if (plain === undefined) throw new PqHandshakeError('ERR_PQ_DECRYPT', 'the peer\'s identity does not open under the handshake keys');
  const { block, claimBytes } = decodeIdentityBlock(plain);
  const digest = signedDigest(provider, role, transcript, claimBytes);
  if (!provider.mlDsa65.verify(block.signingPublicKey, digest, block.signature, CONTEXT)) {
    throw new PqHandshakeError('ERR_PQ_SIGNATURE', 'the peer\'s ML-DSA-65 signature over the transcript does not verify');
  }
  let libp2pKey;
  try {
    libp2pKey = publicKeyFromProtobuf(block.libp2pPublicKey);
  } catch {
    throw new PqHandshakeError('ERR_PQ_KEY_TYPE', 'the peer\'s libp2p key does not parse');
  }
  if (libp2pKey.type !== 'Ed25519') throw new PqHandshakeError('ERR_PQ_KEY_TYPE', 'the libp2p key must be Ed25519');
  if (!(await libp2pKey.verify(libp2pSignedBytes(digest), block.libp2pSignature))) {
    throw new PqHandshakeError('ERR_PQ_SIGNATURE', 'the peer\'s libp2p signature over the transcript does not verify');
  }
  return {
    nodeId: nodeIdOf(block.signingPublicKey, provider),
    signingPublicKey: Uint8Array.from(block.signingPublicKey),
    libp2pPublicKey: Uint8Array.from(block.libp2pPublicKey),
    muxers: block.muxers,
  };
}

function checkSize(message: Uint8Array, min: number, max: number, which: string): void {
  if (message.length < min || message.length > max) throw new PqHandshakeError('ERR_PQ_MALFORMED', `${which} of ${message.length} bytes (${min}..${max})`);
}

/** The dialling side. Call `message1()`, send it, then `readMessage2()` and send its `message3`. */
export class InitiatorHandshake {
  readonly #o: HandshakeOptions;
  readonly #x25519: X25519KeyPair;
  readonly #kem: KemKeyPair;
  readonly #message1: Uint8Array;
  /** The libp2p key the dialled peer must have (protobuf), if the dial named one. */
  readonly #expectedLibp2pKey: Uint8Array | undefined;
  #done = false;

  constructor(options: HandshakeOptions, expectedLibp2pKey?: Uint8Array) {
    this.#o = options;
    const random = randomSource(options);
    const x25519Secret = random(X25519_SIZES.secretKey);
    const kemSeed = random(ML_KEM_768.seed);
    this.#x25519 = options.provider.x25519.keyPair(x25519Secret);
    this.#kem = options.provider.mlKem768.keyPair(kemSeed);
    x25519Secret.fill(0);
    kemSeed.fill(0);
    this.#expectedLibp2pKey = expectedLibp2pKey;
    this.#message1 = concatBytes(Uint8Array.of(PQ_VERSION), this.#x25519.publicKey, this.#kem.publicKey);
  }

  message1(): Uint8Array {
    return this.#message1;
  }

  async readMessage2(message2: Uint8Array): Promise<{ message3: Uint8Array; result: HandshakeResult }> {
    if (this.#done) throw new PqHandshakeError('ERR_PQ_MALFORMED', 'message 2 was already read');
    this.#done = true;
    const { provider } = this.#o;
    checkSize(message2, MESSAGE2_FIXED_BYTES + TAG_BYTES, MAX_HANDSHAKE_MESSAGE_BYTES, 'message 2');
    const responderEphemeral = message2.subarray(0, X25519_SIZES.publicKey);
    const cipherText = message2.subarray(X25519_SIZES.publicKey, MESSAGE2_FIXED_BYTES);
    let ikm: Uint8Array;
    try {
      ikm = hybridSecret(this.#x25519.agree(responderEphemeral), this.#kem.decapsulate(cipherText));
    } catch (err) {
      keyExchangeFailed(err);
    }
    try {
      const th2 = transcriptHash(provider, [this.#message1, message2.subarray(0, MESSAGE2_FIXED_BYTES)]);
      const hs = handshakeKeys(provider, ikm, th2);
      const remote = await openIdentity(provider, LABEL_RESPONDER, th2, hs.responder, message2.subarray(MESSAGE2_FIXED_BYTES));
      if (this.#expectedLibp2pKey !== undefined && !equalBytes(this.#expectedLibp2pKey, remote.libp2pPublicKey)) {
        throw new PqHandshakeError('ERR_PQ_UNEXPECTED_PEER', 'the peer is not the one that was dialled');
      }
      const th3 = transcriptHash(provider, [this.#message1, message2]);
      const message3 = await sealIdentity(this.#o, LABEL_INITIATOR, th3, hs.initiator);
      const keys = trafficKeys(provider, ikm, transcriptHash(provider, [this.#message1, message2, message3]));
      wipe(hs);
      return { message3, result: { remote, sendKey: keys.initiator, receiveKey: keys.responder, muxer: agreedMuxer(this.#o.muxers, remote.muxers) } };
    } finally {
      ikm.fill(0);
    }
  }
}

/** The answering side. `readMessage1()` gives message 2; `readMessage3()` ends the handshake. */
export class ResponderHandshake {
  readonly #o: HandshakeOptions;
  #state: { message1: Uint8Array; message2: Uint8Array; ikm: Uint8Array; key: Uint8Array } | 'new' | 'done' = 'new';

  constructor(options: HandshakeOptions) {
    this.#o = options;
  }

  async readMessage1(message1: Uint8Array): Promise<Uint8Array> {
    if (this.#state !== 'new') throw new PqHandshakeError('ERR_PQ_MALFORMED', 'message 1 was already read');
    this.#state = 'done';
    const { provider } = this.#o;
    checkSize(message1, 1, MESSAGE1_BYTES, 'message 1');
    if (message1[0] !== PQ_VERSION) throw new PqHandshakeError('ERR_PQ_VERSION', `version ${message1[0]} (this node speaks ${PQ_VERSION})`);
    checkSize(message1, MESSAGE1_BYTES, MESSAGE1_BYTES, 'message 1');
    const initiatorEphemeral = message1.subarray(1, 1 + X25519_SIZES.publicKey);
    const encapsulationKey = message1.subarray(1 + X25519_SIZES.publicKey);
    const secret = randomSource(this.#o)(X25519_SIZES.secretKey);
    const own = provider.x25519.keyPair(secret);
    secret.fill(0);
    let ikm: Uint8Array;
    let cipherText: Uint8Array;
    try {
      const shared = own.agree(initiatorEphemeral);
      const encapsulation = provider.mlKem768.encapsulate(encapsulationKey);
      cipherText = encapsulation.cipherText;
      ikm = hybridSecret(shared, encapsulation.sharedSecret);
    } catch (err) {
      keyExchangeFailed(err);
    }
    const fixed = concatBytes(own.publicKey, cipherText);
    const th2 = transcriptHash(provider, [message1, fixed]);
    const hs = handshakeKeys(provider, ikm, th2);
    const sealed = await sealIdentity(this.#o, LABEL_RESPONDER, th2, hs.responder);
    const message2 = concatBytes(fixed, sealed);
    this.#state = { message1: Uint8Array.from(message1), message2, ikm, key: hs.initiator };
    hs.responder.fill(0);
    return message2;
  }

  async readMessage3(message3: Uint8Array): Promise<HandshakeResult> {
    const state = this.#state;
    if (typeof state === 'string') throw new PqHandshakeError('ERR_PQ_MALFORMED', 'message 3 before message 1');
    this.#state = 'done';
    const { provider } = this.#o;
    try {
      checkSize(message3, TAG_BYTES, MAX_HANDSHAKE_MESSAGE_BYTES, 'message 3');
      const th3 = transcriptHash(provider, [state.message1, state.message2]);
      const remote = await openIdentity(provider, LABEL_INITIATOR, th3, state.key, message3);
      const keys = trafficKeys(provider, state.ikm, transcriptHash(provider, [state.message1, state.message2, message3]));
      return { remote, sendKey: keys.responder, receiveKey: keys.initiator, muxer: agreedMuxer(remote.muxers, this.#o.muxers) };
    } finally {
      state.ikm.fill(0);
      state.key.fill(0);
    }
  }
}

function wipe(keys: DirectionKeys): void {
  keys.initiator.fill(0);
  keys.responder.fill(0);
}
