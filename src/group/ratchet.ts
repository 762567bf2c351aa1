import { ByteWriter, readVarint, utf8, type CryptoProvider } from '../crypto/index.ts';
import { checkArgumentBytes, GroupError, groupArgumentError, groupOk, groupReject, type GroupResult } from './errors.ts';

/*
 * Per-(epoch, sender) symmetric hash ratchet, as in Signal's sender keys and MLS' secret tree
 * leaves: every message gets its own key, and the chain key that made it is overwritten as soon
 * as the chain moves on, so a member compromised later cannot decrypt what it had already read
 * (forward secrecy within an epoch). Receivers keep at most MAX_SKIP keys of messages that have
 * not arrived yet, so out-of-order delivery works and a malicious index costs nothing.
 *
 * Both chains persist in small binary forms (bottom of this file); decoders check every size and
 * count before allocating.
 */

/** Skipped message keys kept per receiving chain, never more. */
export const MAX_SKIP = 1000;
/** Largest message index (u32). */
export const MAX_INDEX = 2 ** 32 - 1;

const KEY_BYTES = 32;
const GROUP_ID_BYTES = 16;
const SENDER_BYTES = 32;
const CHAIN_LABEL = utf8('pars-mesh/group/chain/v1');

function checkEpoch(epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_INDEX) throw groupArgumentError('epoch must be a u32 integer');
}

function checkNextIndex(nextIndex: number): void {
  // MAX_INDEX + 1 is the state of a chain that has used its last index.
  if (!Number.isInteger(nextIndex) || nextIndex < 0 || nextIndex > MAX_INDEX + 1) throw groupArgumentError('nextIndex must be an integer from 0 to 2^32');
}

/**
 * The first chain key of `sender` in `epoch`:
 * HKDF-SHA3-256(ikm = epochSecret, salt = empty, info = label ‖ groupId ‖ sender ‖ u32be(epoch), 32).
 */
export function chainRoot(provider: CryptoProvider, epochSecret: Uint8Array, groupId: Uint8Array, sender: Uint8Array, epoch: number): Uint8Array {
  checkArgumentBytes(epochSecret, KEY_BYTES, 'epochSecret');
  checkArgumentBytes(groupId, GROUP_ID_BYTES, 'groupId');
  checkArgumentBytes(sender, SENDER_BYTES, 'sender');
  checkEpoch(epoch);
  const info = new Uint8Array(CHAIN_LABEL.length + GROUP_ID_BYTES + SENDER_BYTES + 4);
  info.set(CHAIN_LABEL, 0);
  info.set(groupId, CHAIN_LABEL.length);
  info.set(sender, CHAIN_LABEL.length + GROUP_ID_BYTES);
  new DataView(info.buffer).setUint32(info.length - 4, epoch, false);
  return provider.hkdfSha3_256(epochSecret, new Uint8Array(0), info, KEY_BYTES);
}

/** One step: messageKey = SHA3-256(0x01 ‖ chainKey), next = SHA3-256(0x02 ‖ chainKey). */
export function ratchetStep(provider: CryptoProvider, chainKey: Uint8Array): { messageKey: Uint8Array; next: Uint8Array } {
  checkArgumentBytes(chainKey, KEY_BYTES, 'chainKey');
  const input = new Uint8Array(1 + KEY_BYTES);
  input.set(chainKey, 1);
  input[0] = 0x01;
  const messageKey = provider.sha3_256(input);
  input[0] = 0x02;
  const next = provider.sha3_256(input);
  input.fill(0);
  return { messageKey, next };
}

/** A sending chain as persisted. */
export interface SendingChainState {
  readonly epoch: number;
  readonly nextIndex: number;
  readonly chainKey: Uint8Array;
}

/** What both ends of a chain hold: its epoch, the next index and the current chain key (a copy of the caller's). */
abstract class HashChain implements SendingChainState {
  protected readonly provider: CryptoProvider;
  readonly #epoch: number;
  protected index: number;
  protected key: Uint8Array;

  protected constructor(provider: CryptoProvider, state: SendingChainState) {
    checkState(state);
    this.provider = provider;
    this.#epoch = state.epoch;
    this.index = state.nextIndex;
    this.key = new Uint8Array(state.chainKey);
  }

  get epoch(): number {
    return this.#epoch;
  }

  get nextIndex(): number {
    return this.index;
  }

  /** A copy of the current chain key, for persistence. */
  get chainKey(): Uint8Array {
    return new Uint8Array(this.key);
  }
}

/** The member's own chain in one epoch: hands out each index and its key once. */
export class SendingChain extends HashChain {
  /** Resumes a chain from its state (the chain key is copied; the caller should wipe its own). */
  constructor(provider: CryptoProvider, state: SendingChainState) {
    super(provider, state);
  }

  /** A fresh chain at index 0 from its root (see `chainRoot`). */
  static fromRoot(provider: CryptoProvider, epoch: number, root: Uint8Array): SendingChain {
    return new SendingChain(provider, { epoch, nextIndex: 0, chainKey: root });
  }

  /** The next index and its message key; the chain key that made it is zero-filled. Throws `ERR_CHAIN_EXHAUSTED` past MAX_INDEX. */
  next(): { index: number; messageKey: Uint8Array } {
    if (this.index > MAX_INDEX) throw new GroupError('ERR_CHAIN_EXHAUSTED', `sending chain of epoch ${this.epoch} has used all ${MAX_INDEX + 1} indices`);
    const step = ratchetStep(this.provider, this.key);
    this.key.fill(0);
    this.key = step.next;
    const index = this.index++;
    return { index, messageKey: step.messageKey };
  }

  /** Zero-fills the chain key; the chain is unusable afterwards (epoch over). */
  wipe(): void {
    this.key.fill(0);
    this.index = MAX_INDEX + 1;
  }
}

/** A receiving chain as persisted. */
export interface ReceivingChainState {
  readonly epoch: number;
  readonly nextIndex: number;
  readonly chainKey: Uint8Array;
  /** Keys of indices below `nextIndex` not received yet; at most MAX_SKIP. */
  readonly skipped: ReadonlyMap<number, Uint8Array>;
}

/** A message key found by `ReceivingChain.keyFor`, applied to the chain only by `commit`. */
export interface TentativeKey {
  readonly messageKey: Uint8Array;
  /** Applies the step; call only after the AEAD verified. Throws `ERR_CHAIN_STALE` if the chain moved since. */
  commit(): void;
}

/** Another member's chain in one epoch, as this member sees it. */
export class ReceivingChain extends HashChain implements ReceivingChainState {
  readonly #skipped = new Map<number, Uint8Array>();
  /** Bumped on every commit, so a tentative key computed before another commit cannot apply. */
  #version = 0;

  /** Resumes a chain from its state (keys are copied). */
  constructor(provider: CryptoProvider, state: ReceivingChainState) {
    super(provider, state);
    checkSkipped(state.skipped, state.nextIndex);
    for (const [index, key] of state.skipped) this.#skipped.set(index, new Uint8Array(key));
  }

  /** A fresh chain at index 0 from its root (see `chainRoot`). */
  static fromRoot(provider: CryptoProvider, epoch: number, root: Uint8Array): ReceivingChain {
    return new ReceivingChain(provider, { epoch, nextIndex: 0, chainKey: root, skipped: new Map() });
  }

  /** A copy of the skipped keys, for persistence. */
  get skipped(): ReadonlyMap<number, Uint8Array> {
    return new Map([...this.#skipped].map(([i, k]) => [i, new Uint8Array(k)]));
  }

  /**
   * The message key of `index`, without changing the chain: 'malformed' for a non-integer or an
   * index beyond MAX_INDEX, 'replay' for an index already used, 'skip-limit' when reaching it
   * would skip more than MAX_SKIP keys in one jump or hold more than MAX_SKIP in total. The
   * limits are checked before any hashing, so a huge index costs nothing.
   */
  keyFor(index: number): GroupResult<TentativeKey> {
    if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX) return groupReject('malformed', 'message index is not a u32 integer');
    const version = this.#version;
    const stale = (): void => {
      if (this.#version !== version) throw new GroupError('ERR_CHAIN_STALE', 'the receiving chain changed since this key was computed');
    };
    if (index < this.index) {
      const stored = this.#skipped.get(index);
      if (stored === undefined) return groupReject('replay', `message ${index} of epoch ${this.epoch} was already received`);
      return groupOk({
        messageKey: new Uint8Array(stored),
        commit: (): void => {
          stale();
          stored.fill(0);
          this.#skipped.delete(index);
          this.#version++;
        },
      });
    }
    const gap = index - this.index;
    if (gap > MAX_SKIP) return groupReject('skip-limit', `message ${index} skips ${gap} keys, limit ${MAX_SKIP}`);
    if (this.#skipped.size + gap > MAX_SKIP) {
      return groupReject('skip-limit', `message ${index} would hold ${this.#skipped.size + gap} skipped keys, limit ${MAX_SKIP}`);
    }
    const passed: Uint8Array[] = [];
    let chainKey = this.key;
    for (let i = 0; i < gap; i++) {
      const step = ratchetStep(this.provider, chainKey);
      if (chainKey !== this.key) chainKey.fill(0);
      passed.push(step.messageKey);
      chainKey = step.next;
    }
    const last = ratchetStep(this.provider, chainKey);
    if (chainKey !== this.key) chainKey.fill(0);
    const from = this.index;
    return groupOk({
      messageKey: last.messageKey,
      commit: (): void => {
        stale();
        for (let i = 0; i < passed.length; i++) this.#skipped.set(from + i, passed[i] as Uint8Array);
        this.key.fill(0);
        this.key = last.next;
        this.index = index + 1;
        this.#version++;
      },
    });
  }

  /** Zero-fills every key held; the chain refuses everything afterwards (epoch over). */
  wipe(): void {
    this.key.fill(0);
    for (const key of this.#skipped.values()) key.fill(0);
    this.#skipped.clear();
    this.index = MAX_INDEX + 1;
    this.#version++;
  }
}

/*
 * Persisted forms (format 1), all integers unsigned LEB128 varints:
 *   sending:   0x01 ‖ epoch ‖ nextIndex ‖ chainKey (32)
 *   receiving: 0x01 ‖ epoch ‖ nextIndex ‖ chainKey (32) ‖ count ‖ count × (index ‖ key (32))
 * Skipped indices are strictly ascending and below nextIndex, so each state has one encoding.
 */

const STATE_FORMAT = 1;

function checkState(state: SendingChainState): void {
  checkEpoch(state.epoch);
  checkNextIndex(state.nextIndex);
  checkArgumentBytes(state.chainKey, KEY_BYTES, 'chainKey');
}

function checkSkipped(skipped: ReadonlyMap<number, Uint8Array>, nextIndex: number): void {
  if (skipped.size > MAX_SKIP) throw groupArgumentError(`at most ${MAX_SKIP} skipped keys`);
  for (const [index, key] of skipped) {
    if (!Number.isInteger(index) || index < 0 || index >= nextIndex) throw groupArgumentError('skipped indices lie below nextIndex');
    checkArgumentBytes(key, KEY_BYTES, 'skipped key');
  }
}

/** The persisted form of a sending chain (a `SendingChain` is its own state). */
export function encodeSendingChain(state: SendingChainState): Uint8Array {
  checkState(state);
  const w = new ByteWriter(48);
  w.u8(STATE_FORMAT);
  w.varint(state.epoch);
  w.varint(state.nextIndex);
  w.bytes(state.chainKey);
  return w.finish();
}

/** The persisted form of a receiving chain (a `ReceivingChain` is its own state). */
export function encodeReceivingChain(state: ReceivingChainState): Uint8Array {
  checkState(state);
  // Read once: a ReceivingChain hands out a fresh copy of its skipped keys on every read.
  const held = state.skipped;
  checkSkipped(held, state.nextIndex);
  const skipped = [...held].sort((a, b) => a[0] - b[0]);
  const w = new ByteWriter(48 + skipped.length * (KEY_BYTES + 5));
  w.u8(STATE_FORMAT);
  w.varint(state.epoch);
  w.varint(state.nextIndex);
  w.bytes(state.chainKey);
  w.varint(skipped.length);
  for (const [index, key] of skipped) {
    w.varint(index);
    w.bytes(key);
  }
  return w.finish();
}

/** A cursor over persisted bytes; every read reports failure instead of throwing. */
class StateReader {
  readonly #bytes: Uint8Array;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  u8(): number | undefined {
    return this.#pos < this.#bytes.length ? (this.#bytes[this.#pos++] as number) : undefined;
  }

  varint(): number | undefined {
    const r = readVarint(this.#bytes, this.#pos);
    if (!r.ok) return undefined;
    this.#pos = r.end;
    return r.value;
  }

  key(): Uint8Array | undefined {
    if (this.remaining < KEY_BYTES) return undefined;
    this.#pos += KEY_BYTES;
    return this.#bytes.slice(this.#pos - KEY_BYTES, this.#pos);
  }
}

function readHead(r: StateReader, what: string): GroupResult<SendingChainState> {
  if (r.u8() !== STATE_FORMAT) return groupReject('malformed', `${what} state is not format ${STATE_FORMAT}`);
  const epoch = r.varint();
  if (epoch === undefined || epoch > MAX_INDEX) return groupReject('malformed', `${what} state epoch is not a u32`);
  const nextIndex = r.varint();
  if (nextIndex === undefined || nextIndex > MAX_INDEX + 1) return groupReject('malformed', `${what} state nextIndex is beyond 2^32`);
  const chainKey = r.key();
  if (chainKey === undefined) return groupReject('malformed', `${what} state chain key is truncated`);
  return groupOk({ epoch, nextIndex, chainKey });
}

/** Reads a persisted sending chain: 'malformed' for any deviation from the format, trailing bytes included. */
export function decodeSendingChain(bytes: Uint8Array): GroupResult<SendingChainState> {
  const r = new StateReader(bytes);
  const head = readHead(r, 'sending chain');
  if (!head.ok) return head;
  if (r.remaining !== 0) return groupReject('malformed', 'sending chain state has trailing bytes');
  return head;
}

/** Reads a persisted receiving chain: 'limit' above MAX_SKIP skipped keys, 'malformed' otherwise. */
export function decodeReceivingChain(bytes: Uint8Array): GroupResult<ReceivingChainState> {
  const r = new StateReader(bytes);
  const head = readHead(r, 'receiving chain');
  if (!head.ok) return head;
  const count = r.varint();
  if (count === undefined) return groupReject('malformed', 'receiving chain state has no skipped-key count');
  if (count > MAX_SKIP) return groupReject('limit', `receiving chain state holds ${count} skipped keys, limit ${MAX_SKIP}`);
  // Each entry takes at least 33 bytes: refuse a count the input cannot hold before reading on.
  if (count * (1 + KEY_BYTES) > r.remaining) return groupReject('malformed', 'receiving chain state is truncated');
  const skipped = new Map<number, Uint8Array>();
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const index = r.varint();
    if (index === undefined || index <= previous || index >= head.value.nextIndex) {
      return groupReject('malformed', 'skipped indices must ascend strictly and lie below nextIndex');
    }
    const key = r.key();
    if (key === undefined) return groupReject('malformed', 'receiving chain state is truncated');
    skipped.set(index, key);
    previous = index;
  }
  if (r.remaining !== 0) return groupReject('malformed', 'receiving chain state has trailing bytes');
  return groupOk({ ...head.value, skipped });
}
