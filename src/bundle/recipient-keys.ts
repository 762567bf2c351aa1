import { utf8, type CryptoProvider } from '../crypto/index.ts';
import { scryptKey } from '../identity/index.ts';
import { BundleOptionError } from './errors.ts';

/**
 * The keys that wrap a bundle's file key. A group member opens a bundle with its group's bundle
 * key (`GroupKeys.bundleKey`), the two ends of an invite with its secret; anyone else — a
 * courier, a stranger with a stick — needs the passphrase the exporter chose. All are stretched
 * with the header salt, so a stanza cannot be matched to a group, invite or passphrase across
 * bundles.
 */
export function groupWrapKey(provider: CryptoProvider, bundleKey: Uint8Array, salt: Uint8Array): Uint8Array {
  return provider.hkdfSha3_256(bundleKey, salt, utf8('pars-mesh/bundle/wrap/group/v1'), 32);
}

/**
 * The wrap key of an invite's two ends: the joiner, who holds the invite code, and the inviter,
 * who issued it. It lets a join request and its welcome travel on a stick before the joiner is a
 * member, with no second secret to agree on.
 */
export function inviteWrapKey(provider: CryptoProvider, inviteSecret: Uint8Array, salt: Uint8Array): Uint8Array {
  return provider.hkdfSha3_256(inviteSecret, salt, utf8('pars-mesh/bundle/wrap/invite/v1'), 32);
}

/** scrypt(NFC passphrase, salt, N = 2^kdfLogN, r = 8, p = 1); on the thread pool. */
export async function passphraseWrapKey(passphrase: string, salt: Uint8Array, kdfLogN: number): Promise<Uint8Array> {
  const normalized = passphrase.normalize('NFC');
  if (normalized.length === 0) throw new BundleOptionError('ERR_BUNDLE_PASSPHRASE', 'the bundle passphrase is empty');
  return await scryptKey(utf8(normalized), salt, 2 ** kdfLogN, 8, 1);
}

/** Key of the snapshot frames of one group's topic: only its members read CRDT state. */
export function snapshotKey(provider: CryptoProvider, bundleKey: Uint8Array): Uint8Array {
  return provider.hkdfSha3_256(bundleKey, new Uint8Array(0), utf8('pars-mesh/bundle/snapshot/v1'), 32);
}
