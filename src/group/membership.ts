import { toHex } from '../crypto/index.ts';
import type { ControlOp, MemberRole } from './control-op.ts';
import { groupOk, groupReject, type GroupRejection, type GroupResult } from './errors.ts';

/*
 * Group membership and epochs as a CRDT over the group's DAG. The state a vertex sees is a pure
 * function of the control vertices in its causal past, so every member computes the same state
 * for the same vertex whatever order vertices arrived in.
 *
 * Membership is a remove-wins register per member: each add, promote or remove supersedes the
 * operations on that member in its causal past; of concurrent ones (the maximal set) a remove
 * wins over everything and admin wins over member. Rights are judged at each operation's own
 * causal past: an operation its author was allowed to make when it made it stays valid even if
 * the author is removed concurrently. Two admins who remove each other concurrently are both
 * removed.
 */

/** One operation on a member that nothing later in the same view supersedes. */
export interface StatusEntry {
  /** Index of its control vertex in the control graph (ancestry is by index). */
  readonly index: number;
  readonly status: MemberRole | 'removed';
}

/** Order of two operations setting one register: Lamport clock, then vertex key. */
export interface Stamp {
  readonly lamport: number;
  readonly key: string;
}

export function compareStamps(a: Stamp, b: Stamp): number {
  return a.lamport - b.lamport || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** A member's published ML-KEM key (last writer wins by stamp). */
export interface PublishedKey {
  readonly kemKey: Uint8Array;
  readonly keyIdHex: string;
  readonly stamp: Stamp;
}

/** A sender's current epoch: who it was delivered to, with which of their keys. */
export interface EpochRecord {
  readonly epoch: number;
  /** Recipient node id (hex) → key id (hex) its slot was sealed to. */
  readonly recipients: ReadonlyMap<string, string>;
  /** Two branches of one sender disagree about this epoch (equivocation): nobody may use it. */
  readonly conflict: boolean;
}

export interface ControlState {
  /** The group's name from its genesis; empty before the genesis is in view. */
  readonly name: string;
  readonly entries: ReadonlyMap<string, readonly StatusEntry[]>;
  readonly keys: ReadonlyMap<string, PublishedKey>;
  readonly epochs: ReadonlyMap<string, EpochRecord>;
}

export const EMPTY_STATE: ControlState = Object.freeze({ name: '', entries: new Map(), keys: new Map(), epochs: new Map() });

/** Whether control vertex `a` is in the causal past of control vertex `b`. */
export type Ancestry = (a: number, b: number) => boolean;

/** The role of `member` (hex) in `state`, or undefined when it is not a member. */
export function roleOf(state: ControlState, member: string): MemberRole | undefined {
  const entries = state.entries.get(member);
  if (entries === undefined || entries.length === 0) return undefined;
  let admin = false;
  for (const e of entries) {
    if (e.status === 'removed') return undefined;
    if (e.status === 'admin') admin = true;
  }
  return admin ? 'admin' : 'member';
}

const rosters = new WeakMap<ControlState, ReadonlyMap<string, MemberRole>>();

/** Current members (hex ids, ascending) with their roles. States are immutable once built, so this is cached. */
export function rosterOf(state: ControlState): ReadonlyMap<string, MemberRole> {
  const cached = rosters.get(state);
  if (cached !== undefined) return cached;
  const out = new Map<string, MemberRole>();
  for (const member of [...state.entries.keys()].sort()) {
    const role = roleOf(state, member);
    if (role !== undefined) out.set(member, role);
  }
  rosters.set(state, out);
  return out;
}

/** The state seen by a vertex whose causal past has the given maximal control vertices. */
export function mergeStates(states: readonly ControlState[], isAncestor: Ancestry): ControlState {
  if (states.length === 0) return EMPTY_STATE;
  if (states.length === 1) return states[0] as ControlState;
  const entries = new Map<string, StatusEntry[]>();
  const keys = new Map<string, PublishedKey>();
  const epochs = new Map<string, EpochRecord>();
  let name = '';
  for (const s of states) {
    if (s.name !== '') name = s.name;
    for (const [m, list] of s.entries) {
      const into = entries.get(m) ?? [];
      for (const e of list) if (!into.some((x) => x.index === e.index)) into.push(e);
      entries.set(m, into);
    }
    for (const [m, k] of s.keys) {
      const have = keys.get(m);
      if (have === undefined || compareStamps(have.stamp, k.stamp) < 0) keys.set(m, k);
    }
    for (const [a, r] of s.epochs) epochs.set(a, mergeEpoch(epochs.get(a), r));
  }
  for (const [m, list] of entries) {
    if (list.length > 1) entries.set(m, list.filter((e) => !list.some((o) => o !== e && isAncestor(e.index, o.index))));
  }
  return { name, entries, keys, epochs };
}

function mergeEpoch(a: EpochRecord | undefined, b: EpochRecord): EpochRecord {
  if (a === undefined || a === b || a.epoch < b.epoch) return b;
  if (a.epoch > b.epoch) return a;
  const recipients = new Map(a.recipients);
  let conflict = a.conflict || b.conflict;
  for (const [m, k] of b.recipients) {
    const have = recipients.get(m);
    if (have !== undefined && have !== k) conflict = true;
    recipients.set(m, k);
  }
  return { epoch: a.epoch, recipients, conflict };
}

/** Everything about the vertex that carries the operations. */
export interface ControlContext {
  readonly author: string;
  /** The vertex's control-graph index. */
  readonly index: number;
  readonly stamp: Stamp;
  /** This vertex is the group's genesis (the creator's root vertex named by the group descriptor). */
  readonly genesis: boolean;
  /** Key id (hex) of an ML-KEM public key. */
  readonly keyIdOf: (kemKey: Uint8Array) => string;
  /** Node id (hex) of an ML-DSA public key. */
  readonly nodeIdOf: (signingKey: Uint8Array) => string;
}

/**
 * Applies one control vertex's operations to the state of its causal past. All or nothing: the
 * first operation the rules refuse refuses the vertex and `state` is returned untouched by the
 * caller. Membership operations apply first, then a key rotation, then the rekey, which is
 * checked against the membership and keys the vertex itself establishes.
 */
export function applyControl(state: ControlState, ops: readonly ControlOp[], ctx: ControlContext): GroupResult<ControlState> {
  const entries = new Map(state.entries);
  const keys = new Map(state.keys);
  const epochs = new Map(state.epochs);
  let name = state.name;
  const setEntry = (m: string, status: StatusEntry['status']): void => void entries.set(m, [{ index: ctx.index, status }]);
  const view: ControlState = { name, entries, keys, epochs };

  if (ctx.genesis) {
    const create = ops[0];
    if (create?.o !== 'create') return groupReject('malformed', 'the genesis vertex must open with create');
    name = create.name;
    setEntry(ctx.author, 'admin');
    keys.set(ctx.author, { kemKey: create.kemKey, keyIdHex: ctx.keyIdOf(create.kemKey), stamp: ctx.stamp });
  } else if (roleOf(state, ctx.author) === undefined) {
    return groupReject('not-a-member', 'author is not a member in this vertex\'s causal past');
  }

  const authorRole = roleOf(state, ctx.author) ?? (ctx.genesis ? 'admin' : undefined);
  const needAdmin = (what: string): GroupRejection | undefined =>
    authorRole === 'admin' ? undefined : groupReject('forbidden', `${what} needs an admin; the author is a ${authorRole ?? 'non-member'}`);

  for (const op of ops) {
    switch (op.o) {
      case 'create':
        if (!ctx.genesis) return groupReject('forbidden', 'create outside the genesis vertex');
        break;
      case 'add': {
        const denied = needAdmin('add');
        if (denied) return denied;
        const m = toHex(op.member);
        if (ctx.nodeIdOf(op.signingKey) !== m) return groupReject('bad-key', 'added signing key does not hash to the member id');
        if (roleOf(state, m) !== undefined) return groupReject('malformed', 'add of a current member');
        setEntry(m, op.role);
        keys.set(m, { kemKey: op.kemKey, keyIdHex: ctx.keyIdOf(op.kemKey), stamp: ctx.stamp });
        break;
      }
      case 'remove': {
        const m = toHex(op.member);
        if (m !== ctx.author) {
          const denied = needAdmin('remove');
          if (denied) return denied;
        }
        if (roleOf(state, m) === undefined) return groupReject('malformed', 'remove of a non-member');
        setEntry(m, 'removed');
        break;
      }
      case 'leave':
        setEntry(ctx.author, 'removed');
        break;
      case 'promote': {
        const denied = needAdmin('promote');
        if (denied) return denied;
        const m = toHex(op.member);
        const role = roleOf(state, m);
        if (role === undefined) return groupReject('malformed', 'promote of a non-member');
        if (role === 'admin') return groupReject('malformed', 'promote of an admin');
        setEntry(m, 'admin');
        break;
      }
      case 'key':
      case 'rekey':
        break;
    }
  }
  for (const op of ops) {
    if (op.o === 'key') keys.set(ctx.author, { kemKey: op.kemKey, keyIdHex: ctx.keyIdOf(op.kemKey), stamp: ctx.stamp });
  }
  for (const op of ops) {
    if (op.o !== 'rekey') continue;
    if (roleOf(view, ctx.author) === undefined) return groupReject('not-a-member', 'rekey by an author this vertex removes');
    const current = state.epochs.get(ctx.author);
    const recipients = new Map<string, string>();
    if (current !== undefined && current.epoch > op.epoch) return groupReject('wrong-epoch', `epoch ${op.epoch} after epoch ${current.epoch}`);
    const continuing = current !== undefined && current.epoch === op.epoch;
    if (continuing) for (const [m, k] of current.recipients) recipients.set(m, k);
    for (const slot of op.slots) {
      const m = toHex(slot.member);
      if (m === ctx.author) return groupReject('malformed', 'slot addressed to its own sender');
      if (roleOf(view, m) === undefined) return groupReject('stale-epoch', 'slot for a non-member');
      if (recipients.has(m)) return groupReject('malformed', 'second slot for one member in one epoch');
      const published = keys.get(m);
      if (published === undefined || published.keyIdHex !== toHex(slot.keyId)) return groupReject('stale-epoch', 'slot sealed to a key that is not the member\'s current one');
      recipients.set(m, published.keyIdHex);
    }
    epochs.set(ctx.author, { epoch: op.epoch, recipients, conflict: continuing ? current.conflict : false });
  }
  return groupOk({ name, entries, keys, epochs });
}

/**
 * Why `sender` may not send under `epoch` in `state`, or undefined when it may: it must be a
 * member, the epoch must be its current one, and the epoch must have been delivered to exactly
 * the other current members, each under its current published key.
 */
export function epochProblem(state: ControlState, sender: string, epoch: number): GroupRejection | undefined {
  if (roleOf(state, sender) === undefined) return groupReject('not-a-member', 'sender is not a member in the message\'s causal past');
  const record = state.epochs.get(sender);
  if (record === undefined || record.epoch !== epoch) return groupReject('wrong-epoch', `epoch ${epoch} is not the sender's current epoch (${record?.epoch ?? 'none'})`);
  if (record.conflict) return groupReject('stale-epoch', 'the sender equivocated on this epoch');
  return coverageProblem(state, sender, record);
}

const coverage = new WeakMap<ControlState, Map<EpochRecord, GroupRejection | true>>();

/**
 * Whether `record` reaches exactly the current members other than `sender`, under their current
 * keys. Every message of an epoch asks this of the same immutable state, so it is answered once.
 */
export function coverageProblem(state: ControlState, sender: string, record: EpochRecord): GroupRejection | undefined {
  let perState = coverage.get(state);
  if (perState === undefined) coverage.set(state, (perState = new Map()));
  const known = perState.get(record);
  if (known !== undefined) return known === true ? undefined : known;
  const problem = uncachedCoverageProblem(state, sender, record);
  perState.set(record, problem ?? true);
  return problem;
}

function uncachedCoverageProblem(state: ControlState, sender: string, record: EpochRecord): GroupRejection | undefined {
  let others = 0;
  for (const [m] of rosterOf(state)) {
    if (m === sender) continue;
    others++;
    const keyId = record.recipients.get(m);
    if (keyId === undefined) return groupReject('stale-epoch', 'a current member has no slot in this epoch');
    if (keyId !== state.keys.get(m)?.keyIdHex) return groupReject('stale-epoch', 'a member rotated its key after this epoch');
  }
  if (record.recipients.size !== others) return groupReject('stale-epoch', 'this epoch still reaches a removed member');
  return undefined;
}
