import { AES_256_GCM, concatBytes, ML_KEM_768, utf8, type CryptoProvider } from '../crypto/index.ts';
import type { EpochSlot } from './control-op.ts';
import { groupOk, groupReject, type GroupResult } from './errors.ts';

/*
 * An epoch slot hands one recipient a sender's new epoch secret. It is sealed under a key derived
 * from up to two ML-KEM-768 encapsulations:
 *  - to the recipient's published group key: only the recipient can open it, so a thief of the
 *    sender's state learns nothing from a slot made after the sender refreshed (post-compromise
 *    security for the sender), and a thief of the recipient's state is locked out once the
 *    recipient rotated its published key (post-compromise security for the recipient);
 *  - to the pair key the same sender handed this recipient inside its previous slot: the
 *    recipient deletes that key's seed as soon as the slot is open and keeps the next one, so
 *    a later thief of the recipient's state cannot reopen any slot it already opened (forward
 *    secrecy). On first contact there is no pair key yet.
 * The box carries the epoch secret and the seed of the next pair key (sender → this recipient).
 */

export const PAIR_SEED_BYTES = ML_KEM_768.seed;
const ZERO_NONCE = new Uint8Array(AES_256_GCM.nonce);

/** HKDF info of an epoch slot: binds the slot key to the group, both members, the epoch and the key used. */
function slotInfo(groupId: Uint8Array, sender: Uint8Array, recipient: Uint8Array, epoch: number, keyId: Uint8Array, chained: boolean): Uint8Array {
  const e = new Uint8Array(5);
  new DataView(e.buffer).setUint32(0, epoch);
  e[4] = chained ? 1 : 0;
  return concatBytes(utf8('pars-mesh/group/slot/v1'), groupId, sender, recipient, e, keyId);
}

export interface SlotContext {
  readonly groupId: Uint8Array;
  readonly sender: Uint8Array;
  readonly recipient: Uint8Array;
  readonly epoch: number;
}

export interface SealSlotInput extends SlotContext {
  readonly publishedKey: Uint8Array;
  readonly publishedKeyId: Uint8Array;
  /** Seed of the pair key handed to the recipient in the previous slot, if any. */
  readonly pairSeed: Uint8Array | undefined;
  readonly epochSecret: Uint8Array;
  readonly nextPairSeed: Uint8Array;
}

function slotKey(provider: CryptoProvider, ctx: SlotContext, keyId: Uint8Array, ss1: Uint8Array, ss2: Uint8Array | undefined): Uint8Array {
  const ikm = ss2 === undefined ? ss1 : concatBytes(ss1, ss2);
  const key = provider.hkdfSha3_256(ikm, new Uint8Array(0), slotInfo(ctx.groupId, ctx.sender, ctx.recipient, ctx.epoch, keyId, ss2 !== undefined), 32);
  ikm.fill(0);
  return key;
}

export function sealSlot(provider: CryptoProvider, input: SealSlotInput): EpochSlot {
  const first = provider.mlKem768.encapsulate(input.publishedKey);
  let pairCt: Uint8Array | undefined;
  let ss2: Uint8Array | undefined;
  if (input.pairSeed !== undefined) {
    const pair = provider.mlKem768.encapsulate(provider.mlKem768.keyPair(input.pairSeed).publicKey);
    pairCt = pair.cipherText;
    ss2 = pair.sharedSecret;
  }
  const key = slotKey(provider, input, input.publishedKeyId, first.sharedSecret, ss2);
  const plain = concatBytes(input.epochSecret, input.nextPairSeed);
  const box = provider.aes256Gcm.seal(key, ZERO_NONCE, plain);
  key.fill(0);
  plain.fill(0);
  first.sharedSecret.fill(0);
  ss2?.fill(0);
  return { member: input.recipient, keyId: input.publishedKeyId, kemCt: first.cipherText, pairCt, box };
}

export interface OpenedSlot {
  readonly epochSecret: Uint8Array;
  readonly nextPairSeed: Uint8Array;
}

/** Opens a slot addressed to us with our published key pair (by seed) and the pair seed the sender gave us. */
export function openSlot(
  provider: CryptoProvider,
  slot: EpochSlot,
  ctx: SlotContext,
  publishedSeed: Uint8Array,
  pairSeed: Uint8Array | undefined,
): GroupResult<OpenedSlot> {
  if (slot.pairCt !== undefined && pairSeed === undefined) return groupReject('bad-slot', 'slot is chained to a pair key this member does not hold');
  const ss1 = provider.mlKem768.keyPair(publishedSeed).decapsulate(slot.kemCt);
  const ss2 = slot.pairCt === undefined ? undefined : provider.mlKem768.keyPair(pairSeed as Uint8Array).decapsulate(slot.pairCt);
  const key = slotKey(provider, ctx, slot.keyId, ss1, ss2);
  ss1.fill(0);
  ss2?.fill(0);
  const plain = provider.aes256Gcm.open(key, ZERO_NONCE, slot.box);
  key.fill(0);
  if (plain === undefined) return groupReject('bad-slot', 'slot box does not open');
  return groupOk({ epochSecret: plain.slice(0, 32), nextPairSeed: plain.slice(32, 96) });
}
