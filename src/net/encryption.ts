import type { Libp2pInit } from 'libp2p';
import { Identity } from '../identity/index.ts';
import { pqEncrypter, type PqEncrypterInit } from './pq/index.ts';

/** A libp2p connection encrypter as libp2p takes it (`connectionEncrypters` option). */
export type ConnectionEncrypterFactory = NonNullable<Libp2pInit['connectionEncrypters']>[number];

/** The identity a host authenticates its connections with. */
export type ConnectionIdentity = PqEncrypterInit['identity'];

/**
 * The connection security of every host: the one place that chooses it. Only the post-quantum
 * encrypter (hybrid X25519 + ML-KEM-768, ML-DSA-65 identities) is offered, so no peer can
 * negotiate a connection down to Noise or to anything else that a quantum computer breaks later.
 * A host given no identity (tests, benchmarks) authenticates with a fresh one, as libp2p gives it
 * a fresh peer key.
 */
export function connectionEncrypters(identity: ConnectionIdentity | undefined): ConnectionEncrypterFactory[] {
  return [pqEncrypter({ identity: identity ?? Identity.generate() }) as ConnectionEncrypterFactory];
}
