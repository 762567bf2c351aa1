// Shared set-up of the post-quantum handshake tests: identities, a recording random source, and a
// whole handshake run in memory.
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys';
import type { Ed25519PrivateKey } from '@libp2p/interface';
import { defaultProvider, type CryptoProvider } from '../../../src/crypto/index.ts';
import { Identity } from '../../../src/identity/index.ts';
import { InitiatorHandshake, ResponderHandshake, type HandshakeIdentity, type HandshakeResult } from '../../../src/net/index.ts';

export const provider: CryptoProvider = defaultProvider();

export interface Party {
  readonly identity: Identity;
  readonly libp2pKey: Ed25519PrivateKey;
  readonly handshakeIdentity: HandshakeIdentity;
}

export async function party(): Promise<Party> {
  const identity = Identity.generate(provider);
  const libp2pKey = await generateKeyPair('Ed25519');
  return {
    identity,
    libp2pKey,
    handshakeIdentity: {
      signer: { publicKey: identity.signingPublicKey, sign: (m, c) => identity.sign(m, c) },
      libp2pKey: { publicKey: publicKeyToProtobuf(libp2pKey.publicKey), sign: (d) => libp2pKey.sign(d) },
    },
  };
}

/** A random source that remembers what it handed out, so a test can play the adversary who later learns it. */
export class RecordingRandom {
  readonly draws: Uint8Array[] = [];
  readonly next = (length: number): Uint8Array => {
    const out = provider.randomBytes(length);
    this.draws.push(Uint8Array.from(out));
    return out;
  };
  /** A source that hands out the same bytes again, in the same order. */
  replay(): (length: number) => Uint8Array {
    let i = 0;
    return (length) => {
      const d = this.draws[i++];
      if (d === undefined || d.length !== length) throw new Error('replay source exhausted');
      return Uint8Array.from(d);
    };
  }
}

export interface Run {
  readonly message1: Uint8Array;
  readonly message2: Uint8Array;
  readonly message3: Uint8Array;
  readonly initiator: HandshakeResult;
  readonly responder: HandshakeResult;
}

export interface RunOptions {
  readonly initiatorRandom?: (length: number) => Uint8Array;
  readonly responderRandom?: (length: number) => Uint8Array;
  readonly initiatorMuxers?: readonly string[];
  readonly responderMuxers?: readonly string[];
}

/** One whole handshake between `i` (dialling) and `r`. */
export async function handshake(i: Party, r: Party, o: RunOptions = {}): Promise<Run> {
  const initiator = new InitiatorHandshake({
    provider,
    identity: i.handshakeIdentity,
    muxers: o.initiatorMuxers ?? ['/yamux/1.0.0'],
    ...(o.initiatorRandom === undefined ? {} : { random: o.initiatorRandom }),
  });
  const responder = new ResponderHandshake({
    provider,
    identity: r.handshakeIdentity,
    muxers: o.responderMuxers ?? ['/yamux/1.0.0'],
    ...(o.responderRandom === undefined ? {} : { random: o.responderRandom }),
  });
  const message1 = initiator.message1();
  const message2 = await responder.readMessage1(message1);
  const { message3, result } = await initiator.readMessage2(message2);
  const responderResult = await responder.readMessage3(message3);
  return { message1, message2, message3, initiator: result, responder: responderResult };
}
