import { assertBytes, utf8, type CryptoProvider } from '../crypto/index.ts';

/** Length of a group's DHT session id. */
export const SESSION_ID_BYTES = 32;

const SESSION_LABEL = utf8('pars-mesh/group/session/v1');

/**
 * The DHT session id of a group (PIP-4 "DHT for Session Discovery"): where its members announce
 * themselves and look each other up. It is derived from the group secret, one step down the key
 * hierarchy:
 *
 *   session id = HKDF-SHA3-256(ikm = GroupKeys.bundleKey, salt = empty, info = "pars-mesh/group/session/v1", L = 32)
 *
 * Only members hold the bundle key (itself HKDF of the group secret), so an outsider cannot tell
 * which group a DHT key belongs to, nor link it to the group's topic tag or id, which come from
 * the secret by labels of their own. It starts from the bundle key rather than the secret because
 * the node hands the bundle key to the layers that work for the whole group; HKDF with a label of
 * its own keeps the two keys independent.
 */
export function deriveSessionId(provider: CryptoProvider, bundleKey: Uint8Array): Uint8Array {
  assertBytes(bundleKey, 32, 'group bundle key');
  return provider.hkdfSha3_256(bundleKey, new Uint8Array(0), SESSION_LABEL, SESSION_ID_BYTES);
}
