import { ML_DSA_65, ML_KEM_768, utf8, type CryptoProvider } from '../crypto/index.ts';
import { compareIds } from '../dag/index.ts';
import { checkArgumentBytes } from './errors.ts';

/*
 * A safety number lets two members check, out of band (read aloud, compared on screens), that
 * each holds the other's real keys. It follows Signal's numeric fingerprints: per party, a hash
 * iterated 1024 times over the keys (so grinding a key pair whose number collides with a victim's
 * costs 1024 hashes per try), shown as 30 decimal digits; the two halves are ordered by node id
 * so both sides compute the same 60 digits.
 *
 *   h₀ = SHA3-256("pars-mesh/safety/v1" ‖ nodeId ‖ signingKey ‖ kemKey)
 *   hᵢ = SHA3-256(hᵢ₋₁ ‖ signingKey ‖ kemKey)            for i = 1 … 1024
 *   digits = for each of the first six 5-byte big-endian chunks of h₁₀₂₄: (chunk mod 100000), 5 digits
 */

export interface SafetyParty {
  /** 32-byte node id. */
  readonly nodeId: Uint8Array;
  /** ML-DSA-65 public key. */
  readonly signingKey: Uint8Array;
  /** The member's current ML-KEM-768 public key in the group. */
  readonly kemKey: Uint8Array;
}

const LABEL = utf8('pars-mesh/safety/v1');
const NODE_ID_BYTES = 32;
const HASH_BYTES = 32;
const ITERATIONS = 1024;
const CHUNKS = 6;
const CHUNK_BYTES = 5;

function check(party: SafetyParty, which: string): void {
  checkArgumentBytes(party.nodeId, NODE_ID_BYTES, `${which} nodeId`);
  checkArgumentBytes(party.signingKey, ML_DSA_65.publicKey, `${which} signingKey`);
  checkArgumentBytes(party.kemKey, ML_KEM_768.publicKey, `${which} kemKey`);
}

/** The 30 digits of one party. */
function fingerprint(provider: CryptoProvider, party: SafetyParty): string {
  const first = new Uint8Array(LABEL.length + NODE_ID_BYTES + ML_DSA_65.publicKey + ML_KEM_768.publicKey);
  first.set(LABEL, 0);
  first.set(party.nodeId, LABEL.length);
  first.set(party.signingKey, LABEL.length + NODE_ID_BYTES);
  first.set(party.kemKey, LABEL.length + NODE_ID_BYTES + ML_DSA_65.publicKey);
  let hash = provider.sha3_256(first);
  // One buffer for all rounds: the keys stay in place and only the previous hash is rewritten.
  const round = new Uint8Array(HASH_BYTES + ML_DSA_65.publicKey + ML_KEM_768.publicKey);
  round.set(party.signingKey, HASH_BYTES);
  round.set(party.kemKey, HASH_BYTES + ML_DSA_65.publicKey);
  for (let i = 0; i < ITERATIONS; i++) {
    round.set(hash, 0);
    hash = provider.sha3_256(round);
  }
  let digits = '';
  for (let c = 0; c < CHUNKS; c++) {
    let chunk = 0;
    for (let b = 0; b < CHUNK_BYTES; b++) chunk = chunk * 256 + (hash[c * CHUNK_BYTES + b] as number);
    digits += String(chunk % 100000).padStart(5, '0');
  }
  return digits;
}

/**
 * The safety number of two members: 60 digits in twelve space-separated groups of five, the same
 * whichever side computes it, different when either party's signing or KEM key differs. Throws
 * GroupError `ERR_GROUP_ARGUMENT` on a wrong size.
 */
export function safetyNumber(provider: CryptoProvider, a: SafetyParty, b: SafetyParty): string {
  check(a, 'first party');
  check(b, 'second party');
  const fa = fingerprint(provider, a);
  const fb = fingerprint(provider, b);
  // Node ids decide the order; a tie (one node checking its own keys) falls back to the digits.
  const order = compareIds(a.nodeId, b.nodeId) || (fa < fb ? -1 : 1);
  const digits = order < 0 ? fa + fb : fb + fa;
  return (digits.match(/\d{5}/g) as string[]).join(' ');
}
