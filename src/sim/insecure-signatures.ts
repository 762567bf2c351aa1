import { ML_DSA_65, type CryptoProvider, type MlDsa65, type SignatureVerifier, type SigningKeyPair } from '../crypto/index.ts';
import { CodedError, concatBytes, equalBytes } from '../crypto/index.ts';

/**
 * A signature scheme for the simulator ONLY. It has ML-DSA-65's interface and sizes (1,952-byte
 * public keys, 3,309-byte signatures), so vertices, links and byte counts in a simulation look
 * exactly like the real thing, but a "signature" is a hash anyone holding the public key can
 * compute: it proves nothing. It exists because thousands of simulated nodes cannot afford real
 * ML-DSA. Only tests and benchmarks may use it: eslint refuses imports of `src/sim/` from product
 * code, `VerifyPool` refuses to run with it, and neither `providerByName` nor `PARS_CRYPTO` can
 * name it.
 */
export const INSECURE_SIMULATION_PROVIDER_NAME = 'insecure-simulation' as const;

const KEY_DOMAIN = new TextEncoder().encode('pars-mesh/sim/insecure-key');
const SIG_DOMAIN = new TextEncoder().encode('pars-mesh/sim/insecure-sig');

export class InsecureSimulationError extends CodedError {
  constructor(message: string) {
    super('ERR_INSECURE_SIMULATION', message);
  }
}

/** Wraps a real provider (hashing, AEAD, KEM stay real) with the simulator-only signature scheme. */
export function insecureSimulationProvider(base: CryptoProvider): CryptoProvider {
  const hash = (data: Uint8Array): Uint8Array => base.sha3_256(data);
  const publicKeyOf = (seed: Uint8Array): Uint8Array => {
    if (seed.length !== ML_DSA_65.seed) throw new InsecureSimulationError(`seed must be ${ML_DSA_65.seed} bytes`);
    // Expand the seed to a full-size public key; only its first 32 bytes carry information.
    const key = new Uint8Array(ML_DSA_65.publicKey);
    key.set(hash(concatBytes(KEY_DOMAIN, seed)));
    return key;
  };
  const signatureOf = (publicKey: Uint8Array, message: Uint8Array, context: Uint8Array): Uint8Array => {
    const sig = new Uint8Array(ML_DSA_65.signature);
    sig.set(hash(concatBytes(SIG_DOMAIN, publicKey.subarray(0, 32), Uint8Array.of(context.length), context, message)));
    return sig;
  };
  const verifier = (publicKey: Uint8Array): SignatureVerifier => ({
    publicKey,
    verify(message: Uint8Array, signature: Uint8Array, context: Uint8Array = new Uint8Array(0)): boolean {
      return signature.length === ML_DSA_65.signature && equalBytes(signature, signatureOf(publicKey, message, context));
    },
  });
  const mlDsa65: MlDsa65 = {
    keyPair(seed: Uint8Array): SigningKeyPair {
      const publicKey = publicKeyOf(seed);
      return {
        publicKey,
        sign: (message: Uint8Array, context: Uint8Array = new Uint8Array(0)): Uint8Array => signatureOf(publicKey, message, context),
      };
    },
    verifier,
    verify: (publicKey, message, signature, context) => verifier(publicKey).verify(message, signature, context),
  };
  return { ...base, name: INSECURE_SIMULATION_PROVIDER_NAME, mlDsa65 };
}
