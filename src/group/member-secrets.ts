import * as dagCbor from '@ipld/dag-cbor';
import { ML_KEM_768, toHex, type CryptoProvider } from '../crypto/index.ts';
import { decodeBoundedCbor, isPlainMap } from '../dag/index.ts';
import { groupOk, groupReject, type GroupResult } from './errors.ts';
import {
  decodeReceivingChain,
  decodeSendingChain,
  encodeReceivingChain,
  encodeSendingChain,
  ReceivingChain,
  SendingChain,
} from './ratchet.ts';
import { keyId } from './tagged-key.ts';

/** A published ML-KEM key pair of this member, kept as its 64-byte seed. */
export interface OwnKemKey {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly keyIdHex: string;
}

/** Most published key pairs kept (the current one and older ones senders may still use). */
export const MAX_KEPT_KEMS = 32;
/** Receiving chains kept per sender: its current epoch and the one before (messages in flight). */
export const CHAINS_PER_SENDER = 2;
/** Largest persisted secrets blob (the blob grows with the members: pair seeds and receiving chains per sender). */
export const MAX_SECRETS_BYTES = 16 * 1024 * 1024;

export function ownKemKey(provider: CryptoProvider, seed: Uint8Array): OwnKemKey {
  const publicKey = provider.mlKem768.keyPair(seed).publicKey;
  return { seed, publicKey, keyIdHex: toHex(keyId(provider, publicKey)) };
}

/**
 * What only this member knows about a group: its published key pairs, the pair-key seeds in both
 * directions, its sending chain and the receiving chains of the others. This is the state a thief
 * of the device gets; everything here is kept as short as the protocol allows (used keys are
 * zero-filled and dropped). The node stores it encrypted under a key derived from the identity.
 */
export class MemberSecrets {
  /** Own published key pairs, newest (current) first. */
  kemKeys: OwnKemKey[] = [];
  /** Seed of the pair key this member will use in its next slot to each member (hex id). */
  readonly pairOut = new Map<string, Uint8Array>();
  /** Seed of the pair key each sender (hex id) will use in its next slot to this member. */
  readonly pairIn = new Map<string, Uint8Array>();
  /** Highest epoch whose slot was processed, per sender: a slot is opened once, even on replay. */
  readonly lastOpened = new Map<string, number>();
  /** Receiving chains keyed `${senderHex}/${epoch}`. */
  readonly receiving = new Map<string, ReceivingChain>();
  sending: SendingChain | undefined;
  /** Highest epoch number this member started. */
  myEpoch = 0;
  /** An epoch whose slots are still being written (more recipients than one vertex holds). */
  pendingEpoch: { readonly epoch: number; readonly secret: Uint8Array } | undefined;
  /** A first-contact slot was opened with the current published key: rotate it at the next write. */
  rotateDue = false;
  /** Senders (hex) whose slot to this member did not open: the next rotation asks them to restart their pair-key chain. */
  readonly resetDue = new Set<string>();

  get currentKem(): OwnKemKey | undefined {
    return this.kemKeys[0];
  }

  kemByKeyId(keyIdHex: string): OwnKemKey | undefined {
    return this.kemKeys.find((k) => k.keyIdHex === keyIdHex);
  }

  /** Makes `key` current; older keys stay for senders that have not seen the rotation (bounded). */
  rotate(key: OwnKemKey): void {
    this.kemKeys.unshift(key);
    for (const old of this.kemKeys.splice(MAX_KEPT_KEMS)) old.seed.fill(0);
    this.rotateDue = false;
    this.resetDue.clear();
  }

  /** Forgets a retired published key: slots sealed to it can never be opened again here. */
  retire(keyIdHex: string): void {
    const i = this.kemKeys.findIndex((k) => k.keyIdHex === keyIdHex);
    if (i <= 0) return;
    (this.kemKeys[i] as OwnKemKey).seed.fill(0);
    this.kemKeys.splice(i, 1);
  }

  /** Installs a sender's new receiving chain and drops its chains older than CHAINS_PER_SENDER epochs. */
  installReceiving(sender: string, chain: ReceivingChain): void {
    this.receiving.set(`${sender}/${chain.epoch}`, chain);
    const mine = [...this.receiving.entries()].filter(([k]) => k.startsWith(`${sender}/`)).sort(([, a], [, b]) => b.epoch - a.epoch);
    for (const [k, old] of mine.slice(CHAINS_PER_SENDER)) {
      old.wipe();
      this.receiving.delete(k);
    }
  }

  encode(): Uint8Array {
    const map = (m: Map<string, Uint8Array>): [string, Uint8Array][] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    return dagCbor.encode({
      v: 1,
      kem: this.kemKeys.map((k) => k.seed),
      out: map(this.pairOut),
      in: map(this.pairIn),
      opened: [...this.lastOpened.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
      recv: [...this.receiving.entries()].map(([k, c]) => [k.slice(0, k.indexOf('/')), encodeReceivingChain(c)]),
      send: this.sending === undefined ? null : encodeSendingChain(this.sending),
      epoch: this.myEpoch,
      pending: this.pendingEpoch === undefined ? null : [this.pendingEpoch.epoch, this.pendingEpoch.secret],
      rotate: this.rotateDue,
      reset: [...this.resetDue].sort(),
    });
  }

  static decode(provider: CryptoProvider, bytes: Uint8Array): GroupResult<MemberSecrets> {
    if (bytes.length > MAX_SECRETS_BYTES) return groupReject('limit', 'group secrets blob too large');
    const decoded = decodeBoundedCbor(bytes, { maxDepth: 4 });
    if (!decoded.ok) return groupReject(decoded.reason, `group secrets: ${decoded.detail}`);
    const v = decoded.value;
    const bad = (what: string): GroupResult<MemberSecrets> => groupReject('malformed', `group secrets: ${what}`);
    if (!isPlainMap(v) || v['v'] !== 1) return bad('not a version 1 map');
    const s = new MemberSecrets();
    const kem = v['kem'];
    if (!Array.isArray(kem) || kem.length > MAX_KEPT_KEMS) return bad('kem');
    for (const seed of kem) {
      if (!(seed instanceof Uint8Array) || seed.length !== ML_KEM_768.seed) return bad('kem seed');
      s.kemKeys.push(ownKemKey(provider, seed));
    }
    for (const [field, into] of [['out', s.pairOut], ['in', s.pairIn]] as const) {
      const list = v[field];
      if (!Array.isArray(list)) return bad(field);
      for (const pair of list) {
        if (!Array.isArray(pair) || typeof pair[0] !== 'string' || !(pair[1] instanceof Uint8Array) || pair[1].length !== ML_KEM_768.seed) return bad(field);
        into.set(pair[0], pair[1]);
      }
    }
    const opened = v['opened'];
    if (!Array.isArray(opened)) return bad('opened');
    for (const pair of opened) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string' || !Number.isSafeInteger(pair[1])) return bad('opened');
      s.lastOpened.set(pair[0], pair[1] as number);
    }
    const recv = v['recv'];
    if (!Array.isArray(recv)) return bad('recv');
    for (const pair of recv) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string' || !(pair[1] instanceof Uint8Array)) return bad('recv');
      const chain = decodeReceivingChain(pair[1]);
      if (!chain.ok) return chain;
      s.receiving.set(`${pair[0]}/${chain.value.epoch}`, new ReceivingChain(provider, chain.value));
    }
    if (v['send'] !== null) {
      if (!(v['send'] instanceof Uint8Array)) return bad('send');
      const chain = decodeSendingChain(v['send']);
      if (!chain.ok) return chain;
      s.sending = new SendingChain(provider, chain.value);
    }
    if (!Number.isSafeInteger(v['epoch'])) return bad('epoch');
    s.myEpoch = v['epoch'] as number;
    const pending = v['pending'];
    if (pending !== null) {
      if (!Array.isArray(pending) || !Number.isSafeInteger(pending[0]) || !(pending[1] instanceof Uint8Array) || pending[1].length !== 32) return bad('pending');
      s.pendingEpoch = { epoch: pending[0] as number, secret: pending[1] };
    }
    if (typeof v['rotate'] !== 'boolean') return bad('rotate');
    s.rotateDue = v['rotate'];
    const reset = v['reset'];
    if (!Array.isArray(reset) || reset.some((x) => typeof x !== 'string' || !/^[0-9a-f]{64}$/.test(x))) return bad('reset');
    for (const x of reset as string[]) s.resetDue.add(x);
    return groupOk(s);
  }
}
