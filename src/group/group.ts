import { equalBytes, fromHex, toHex, type CryptoProvider } from '../crypto/index.ts';
import type { DecodedVertex } from '../dag/index.ts';
import { ControlGraph, type View } from './control-graph.ts';
import { CONTROL_LIMITS, encodeControl, decodeControl, type ControlOp } from './control-op.ts';
import { envelopeNonce, openEnvelope, readEnvelopeHeader, sealEnvelope, type EnvelopeHeader } from './envelope.ts';
import { GroupError, type GroupRejectionReason } from './errors.ts';
import { deriveGroupKeys, GROUP_SECRET_BYTES, type GroupKeys } from './group-keys.ts';
import { MemberSecrets, ownKemKey } from './member-secrets.ts';
import { applyControl, coverageProblem, epochProblem, rosterOf, type ControlContext, type ControlState, type PublishedKey } from './membership.ts';
import { chainRoot, ReceivingChain, SendingChain } from './ratchet.ts';
import { openSlot, PAIR_SEED_BYTES, sealSlot } from './slot.ts';
import { keyId } from './tagged-key.ts';
import type { EpochSlot, MemberRole } from './control-op.ts';

/** Most slots written in one rekey vertex (a chained slot is about 2.4 KB; a 64 KiB bucket holds 24 with room for a key rotation). */
export const SLOTS_PER_VERTEX = 24;
const NONCE_POOL_BYTES = 12 * 256;

/** What a member needs to take part: the group secret and the id of the genesis vertex. */
export interface GroupDescriptor {
  readonly secret: Uint8Array;
  readonly genesis: Uint8Array;
}

export interface GroupOptions {
  readonly provider: CryptoProvider;
  /** This member's node id. */
  readonly self: Uint8Array;
  /** Secure randomness; default the provider's. Injected so tests and the simulator are deterministic. */
  readonly random?: (length: number) => Uint8Array;
}

export type ProcessOutcome =
  | { readonly status: 'control'; readonly ops: readonly ControlOp[] }
  | { readonly status: 'message'; readonly content: Uint8Array; readonly epoch: number; readonly index: number }
  /** This member's own message: the writer kept its content (`Prepared.nonce` matches). */
  | { readonly status: 'own'; readonly nonce: string }
  /** Valid, but not readable here: sent to members this one was not among ('not-for-me'), or its slot never opened ('no-key'). */
  | { readonly status: 'unreadable'; readonly reason: 'not-for-me' | 'no-key' }
  /** Restore mode: a message already handled before the restart, passed without decryption. */
  | { readonly status: 'restored' }
  | { readonly status: 'duplicate' }
  | { readonly status: 'rejected'; readonly reason: GroupRejectionReason; readonly detail: string };

export type WriteIntent =
  | { readonly kind: 'message'; readonly content: Uint8Array }
  /** Membership operations: add, remove, promote, leave. */
  | { readonly kind: 'ops'; readonly ops: readonly ControlOp[] }
  /** Fresh randomness: rotate the published key and start a new epoch (post-compromise security). */
  | { readonly kind: 'update' };

export interface Prepared {
  readonly payload: Uint8Array;
  readonly kind: 'control' | 'message';
  /** Hex of the payload nonce: how the writer recognises its own vertex when it is processed. */
  readonly nonce: string;
  /** False when this vertex was a prerequisite (a rotation or epoch slots): prepare again on the new frontier. */
  readonly done: boolean;
}

export interface MemberInfo {
  readonly id: string;
  readonly role: MemberRole;
  readonly kemKey: Uint8Array;
  readonly keyId: string;
}

/**
 * One group as one member sees it: the control graph (membership and epochs as a CRDT over the
 * group's DAG) and this member's secrets. Sans-I/O: vertices go in through `process` in causal
 * order, payloads for new vertices come out of `prepare`; the node signs, stores and persists.
 */
export class Group {
  readonly keys: GroupKeys;
  readonly descriptor: GroupDescriptor;
  readonly secrets: MemberSecrets;
  readonly #graph = new ControlGraph();
  readonly #provider: CryptoProvider;
  readonly #random: (length: number) => Uint8Array;
  readonly #self: Uint8Array;
  readonly #selfHex: string;
  readonly #genesisKey: string;
  #updating = false;
  #name = '';
  /** Nonces come from a buffered pool: they need uniqueness, not secrecy, and a call per seal is costly. Keys never do. */
  #noncePool: Uint8Array = new Uint8Array(0);
  #nonceAt = 0;

  constructor(options: GroupOptions, descriptor: GroupDescriptor, secrets: MemberSecrets) {
    if (descriptor.secret.length !== GROUP_SECRET_BYTES || descriptor.genesis.length !== 32) throw new GroupError('ERR_GROUP_ARGUMENT', 'bad group descriptor');
    this.#provider = options.provider;
    this.#random = randomOf(options);
    this.#self = Uint8Array.from(options.self);
    this.#selfHex = toHex(options.self);
    this.descriptor = descriptor;
    this.keys = deriveGroupKeys(options.provider, descriptor.secret);
    this.secrets = secrets;
    this.#genesisKey = toHex(descriptor.genesis);
  }

  /**
   * The first vertex of a new group: a fresh group secret, this member's first published key, and
   * the genesis payload (a control vertex with `create`) to write as the topic's root. Once the
   * vertex exists, `new Group(options, { secret, genesis: vertex.id }, secrets)`.
   */
  static genesis(options: GroupOptions, name: string): { secret: Uint8Array; keys: GroupKeys; secrets: MemberSecrets; payload: Uint8Array } {
    const random = randomOf(options);
    const secret = random(GROUP_SECRET_BYTES);
    const keys = deriveGroupKeys(options.provider, secret);
    const secrets = new MemberSecrets();
    secrets.rotate(ownKemKey(options.provider, random(64)));
    const kemKey = (secrets.currentKem as { publicKey: Uint8Array }).publicKey;
    const payload = sealControl(options.provider, keys, random(12), options.self, [{ o: 'create', name, kemKey }]);
    return { secret, keys, secrets, payload };
  }

  get topic(): Uint8Array {
    return this.keys.topic;
  }

  /** The group's name, once the genesis vertex was processed. */
  get name(): string {
    return this.#name;
  }

  /** Whether a vertex of this group was processed. */
  has(vertexKey: string): boolean {
    return this.#graph.has(vertexKey);
  }

  /** Members (ascending id) as seen by a vertex with these parents (the topic's frontier: now). */
  members(parentKeys: readonly string[]): MemberInfo[] {
    const state = this.#graph.viewAt(parentKeys).state;
    // Every member has a published key: add and create set one with the membership.
    return [...rosterOf(state)].map(([id, role]) => {
      const key = state.keys.get(id) as PublishedKey;
      return { id, role, kemKey: key.kemKey, keyId: key.keyIdHex };
    });
  }

  /**
   * Takes one vertex of the group's topic, parents first. 'restore' re-reads a vertex handled
   * before a restart: membership and epochs are rebuilt, slots already opened are not reopened and
   * messages are not decrypted again (their keys are gone; their content is in the node's log).
   */
  process(vertex: DecodedVertex, mode: 'live' | 'restore' = 'live'): ProcessOutcome {
    if (this.#graph.has(vertex.key)) return { status: 'duplicate' };
    if (!equalBytes(vertex.topic, this.keys.topic)) return { status: 'rejected', reason: 'malformed', detail: 'vertex of another topic' };
    const view = this.#graph.viewAt(vertex.parents.map(toHex));
    const header = readEnvelopeHeader(this.#provider, vertex.payload, this.keys.headerKey);
    if (!header.ok) return this.#refuse(vertex.key, view, header.reason, header.detail);
    const author = toHex(vertex.author);
    if (header.value.kind === 'control') {
      const body = openEnvelope(this.#provider, vertex.payload, header.value, this.keys.controlKey, vertex.topic, vertex.author);
      if (!body.ok) return this.#refuse(vertex.key, view, body.reason, body.detail);
      const ops = decodeControl(body.value);
      if (!ops.ok) return this.#refuse(vertex.key, view, ops.reason, ops.detail);
      const after = applyControl(view.state, ops.value, this.#context(author, vertex.lamport, vertex.key));
      if (!after.ok) return this.#refuse(vertex.key, view, after.reason, after.detail);
      this.#graph.addControl(vertex.key, view, after.value);
      if (this.#name === '' && after.value.name !== '') this.#name = after.value.name;
      if (author !== this.#selfHex) {
        this.#openSlots(author, ops.value);
        this.#honourResets(author, ops.value);
      }
      return { status: 'control', ops: ops.value };
    }
    this.#graph.addOther(vertex.key, view);
    const problem = epochProblem(view.state, author, header.value.epoch);
    if (problem !== undefined) return { status: 'rejected', reason: problem.reason, detail: problem.detail };
    if (mode === 'restore') return { status: 'restored' };
    if (author === this.#selfHex) return { status: 'own', nonce: envelopeNonce(vertex.payload) };
    return this.#openMessage(vertex, author, header.value, view.state);
  }

  #refuse(key: string, view: View, reason: GroupRejectionReason, detail: string): ProcessOutcome {
    this.#graph.addOther(key, view);
    return { status: 'rejected', reason, detail };
  }

  #context(author: string, lamport: number, key: string): ControlContext {
    return {
      author,
      index: this.#graph.nextIndex,
      stamp: { lamport, key },
      genesis: key === this.#genesisKey,
      keyIdOf: (kemKey) => toHex(keyId(this.#provider, kemKey)),
      nodeIdOf: (signingKey) => toHex(this.#provider.sha3_256(signingKey)),
    };
  }

  #openMessage(vertex: DecodedVertex, author: string, header: EnvelopeHeader, state: ControlState): ProcessOutcome {
    const record = state.epochs.get(author);
    if (record === undefined || !record.recipients.has(this.#selfHex)) return { status: 'unreadable', reason: 'not-for-me' };
    const chain = this.secrets.receiving.get(`${author}/${header.epoch}`);
    if (chain === undefined) return { status: 'unreadable', reason: 'no-key' };
    const key = chain.keyFor(header.index);
    if (!key.ok) return { status: 'rejected', reason: key.reason, detail: key.detail };
    const content = openEnvelope(this.#provider, vertex.payload, header, key.value.messageKey, vertex.topic, vertex.author);
    if (!content.ok) return { status: 'rejected', reason: content.reason, detail: content.detail };
    key.value.commit();
    key.value.messageKey.fill(0);
    return { status: 'message', content: content.value, epoch: header.epoch, index: header.index };
  }

  /** Opens the slots of other senders' new epochs addressed to this member, once each. */
  #openSlots(author: string, ops: readonly ControlOp[]): void {
    for (const op of ops) {
      if (op.o !== 'rekey') continue;
      const slot = op.slots.find((s) => toHex(s.member) === this.#selfHex);
      if (slot === undefined) continue;
      if ((this.secrets.lastOpened.get(author) ?? 0) >= op.epoch) continue;
      this.secrets.lastOpened.set(author, op.epoch);
      this.#openSlot(author, op.epoch, slot);
    }
  }

  /** A member whose slot from this one did not open asked for a fresh start: the next slot to it is first contact. */
  #honourResets(author: string, ops: readonly ControlOp[]): void {
    for (const op of ops) {
      if (op.o !== 'key' || !op.reset.some((id) => equalBytes(id, this.#self))) continue;
      this.secrets.pairOut.get(author)?.fill(0);
      this.secrets.pairOut.delete(author);
    }
  }

  #openSlot(author: string, epoch: number, slot: EpochSlot): void {
    const keyIdHex = toHex(slot.keyId);
    const own = this.secrets.kemByKeyId(keyIdHex);
    const sender = fromHex(author);
    const pairSeed = slot.pairCt === undefined ? undefined : this.secrets.pairIn.get(author);
    const opened = own === undefined ? undefined : openSlot(this.#provider, slot, { groupId: this.keys.groupId, sender, recipient: this.#self, epoch }, own.seed, pairSeed);
    if (opened === undefined || !opened.ok) {
      // Sealed to a key retired here, or chained to a seed this member never got: this epoch stays
      // unreadable ('no-key'), and so would every later one chained to it. Ask the sender to
      // start its chain to this member afresh with the next key rotation.
      this.secrets.resetDue.add(author);
      this.secrets.rotateDue = true;
      return;
    }
    const root = chainRoot(this.#provider, opened.value.epochSecret, this.keys.groupId, sender, epoch);
    opened.value.epochSecret.fill(0);
    this.secrets.installReceiving(author, ReceivingChain.fromRoot(this.#provider, epoch, root));
    root.fill(0);
    this.secrets.pairIn.get(author)?.fill(0);
    this.secrets.pairIn.set(author, opened.value.nextPairSeed);
    // First contact opened with the current published key: rotate it soon, so a later thief of
    // this state cannot reopen the slot (forward secrecy for first epochs).
    if (slot.pairCt === undefined && keyIdHex === this.secrets.currentKem?.keyIdHex) this.secrets.rotateDue = true;
  }

  /**
   * The payload of this member's next vertex on a frontier with these parents. A message needs a
   * current epoch: when this member has none, or its epoch no longer reaches exactly the current
   * members under their current keys, the next vertices carry a new epoch's slots first (`done`
   * false: append it, then prepare again). Throws GroupError for what this member may not do.
   */
  prepare(parentKeys: readonly string[], intent: WriteIntent): Prepared {
    const state = this.#graph.viewAt(parentKeys).state;
    if (rosterOf(state).get(this.#selfHex) === undefined) throw new GroupError('ERR_NOT_A_MEMBER', 'this member is not in the group (removed, or not yet added)');
    this.#retireKeys(state);
    const ops: ControlOp[] = [];
    let forceEpoch = false;
    if (intent.kind === 'update' && !this.#updating) {
      this.#updating = true;
      forceEpoch = true;
      this.#rotateInto(ops);
    } else if (this.secrets.rotateDue) {
      this.#rotateInto(ops);
    }
    if (intent.kind === 'ops') {
      ops.push(...intent.ops);
      const check = applyControl(state, ops, this.#context(this.#selfHex, Number.MAX_SAFE_INTEGER, 'ffff'));
      if (!check.ok) throw new GroupError(`ERR_GROUP_${check.reason.toUpperCase().replaceAll('-', '_')}`, check.detail);
      return this.#control(ops, true);
    }
    const epochDone = this.#epochStep(state, ops, forceEpoch);
    if (intent.kind === 'update') {
      if (epochDone && this.secrets.pendingEpoch === undefined) this.#updating = false;
      return this.#control(ops, !this.#updating);
    }
    if (ops.length > 0) return this.#control(ops, false);
    return this.#message(intent.content);
  }

  #rotateInto(ops: ControlOp[]): void {
    const key = ownKemKey(this.#provider, this.#random(64));
    const reset = [...this.secrets.resetDue].sort().slice(0, CONTROL_LIMITS.maxSlots).map(fromHex);
    this.secrets.rotate(key);
    ops.push({ o: 'key', kemKey: key.publicKey, reset });
  }

  /** Adds a rekey operation to `ops` when this member's epoch is missing, stale or half written; true when the epoch is complete afterwards. */
  #epochStep(state: ControlState, ops: ControlOp[], force: boolean): boolean {
    const mine = state.epochs.get(this.#selfHex);
    const s = this.secrets;
    let pending = s.pendingEpoch;
    if (pending !== undefined && mine !== undefined && mine.epoch === pending.epoch) {
      // A half-written epoch whose recipients went stale meanwhile cannot be mended: start anew.
      for (const [m, k] of mine.recipients) if (state.keys.get(m)?.keyIdHex !== k || rosterOf(state).get(m) === undefined) force = true;
    }
    const valid = s.sending !== undefined && mine !== undefined && mine.epoch === s.sending.epoch && !mine.conflict && coverageProblem(state, this.#selfHex, mine) === undefined;
    if (!force && pending === undefined && valid) return true;
    if (force || pending === undefined) {
      pending?.secret.fill(0);
      const epoch = Math.max(s.myEpoch, mine?.epoch ?? 0) + 1;
      pending = { epoch, secret: this.#random(32) };
      s.pendingEpoch = pending;
      s.myEpoch = epoch;
      s.sending?.wipe();
      s.sending = undefined;
    }
    const done = mine !== undefined && mine.epoch === pending.epoch ? mine.recipients : new Map<string, string>();
    const remaining = [...rosterOf(state).keys()].filter((m) => m !== this.#selfHex && !done.has(m));
    const batch = remaining.slice(0, SLOTS_PER_VERTEX);
    const slots = batch.map((m) => this.#sealSlotFor(state, m, pending.epoch, pending.secret));
    ops.push({ o: 'rekey', epoch: pending.epoch, slots });
    if (batch.length < remaining.length) return false;
    const root = chainRoot(this.#provider, pending.secret, this.keys.groupId, this.#self, pending.epoch);
    s.sending = SendingChain.fromRoot(this.#provider, pending.epoch, root);
    root.fill(0);
    pending.secret.fill(0);
    s.pendingEpoch = undefined;
    return true;
  }

  #sealSlotFor(state: ControlState, member: string, epoch: number, secret: Uint8Array): EpochSlot {
    const published = state.keys.get(member);
    if (published === undefined) throw new GroupError('ERR_GROUP_STATE', 'a member without a published key');
    const next = this.#random(PAIR_SEED_BYTES);
    const previous = this.secrets.pairOut.get(member);
    const slot = sealSlot(this.#provider, {
      groupId: this.keys.groupId,
      sender: this.#self,
      recipient: fromHex(member),
      epoch,
      publishedKey: published.kemKey,
      publishedKeyId: fromHex(published.keyIdHex),
      pairSeed: previous,
      epochSecret: secret,
      nextPairSeed: next,
    });
    previous?.fill(0);
    this.secrets.pairOut.set(member, next);
    return slot;
  }

  /**
   * Drops retired published keys once every other member has shown it saw the rotation: its
   * current epoch reaches this member under a newer key. A member with no epoch yet, or whose
   * epoch still uses an old key, may still seal to it (possibly in a partition), so the key stays
   * (at most MAX_KEPT_KEMS are kept).
   */
  #retireKeys(state: ControlState): void {
    const kept = this.secrets.kemKeys; // newest first, in the order they were published
    if (kept.length < 2) return;
    // A member whose epoch uses key K saw K published, and every key before it, but perhaps none
    // after: it may seal its next epoch to any key from K on. So only keys older than the oldest
    // in use go, never one between it and the current key.
    let oldestInUse = 0;
    for (const [member] of rosterOf(state)) {
      if (member === this.#selfHex) continue;
      const k = state.epochs.get(member)?.recipients.get(this.#selfHex);
      const at = k === undefined ? -1 : kept.findIndex((key) => key.keyIdHex === k);
      if (at < 0) return;
      oldestInUse = Math.max(oldestInUse, at);
    }
    for (const key of kept.slice(oldestInUse + 1)) this.secrets.retire(key.keyIdHex);
  }

  #nonce(): Uint8Array {
    if (this.#nonceAt + 12 > this.#noncePool.length) {
      this.#noncePool = this.#random(NONCE_POOL_BYTES);
      this.#nonceAt = 0;
    }
    this.#nonceAt += 12;
    return this.#noncePool.subarray(this.#nonceAt - 12, this.#nonceAt);
  }

  #control(ops: readonly ControlOp[], done: boolean): Prepared {
    const nonce = this.#nonce();
    return { payload: sealControl(this.#provider, this.keys, nonce, this.#self, ops), kind: 'control', nonce: toHex(nonce), done };
  }

  #message(content: Uint8Array): Prepared {
    const chain = this.secrets.sending as SendingChain;
    const { index, messageKey } = chain.next();
    const nonce = this.#nonce();
    const payload = sealEnvelope(this.#provider, {
      headerKey: this.keys.headerKey,
      bodyKey: messageKey,
      nonce,
      header: { kind: 'message', epoch: chain.epoch, index },
      topic: this.keys.topic,
      author: this.#self,
      content,
    });
    messageKey.fill(0);
    return { payload, kind: 'message', nonce: toHex(nonce), done: true };
  }
}

function randomOf(options: GroupOptions): (length: number) => Uint8Array {
  return options.random ?? ((n) => options.provider.randomBytes(n));
}

function sealControl(provider: CryptoProvider, keys: GroupKeys, nonce: Uint8Array, author: Uint8Array, ops: readonly ControlOp[]): Uint8Array {
  return sealEnvelope(provider, {
    headerKey: keys.headerKey,
    bodyKey: keys.controlKey,
    nonce,
    header: { kind: 'control', epoch: 0, index: 0 },
    topic: keys.topic,
    author,
    content: encodeControl(ops),
  });
}
