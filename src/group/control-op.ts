import * as dagCbor from '@ipld/dag-cbor';
import { ML_KEM_768, toHex } from '../crypto/index.ts';
import { decodeBoundedCbor, hasExactKeys, isPlainMap } from '../dag/index.ts';
import { GroupError, groupOk, groupReject, type GroupResult } from './errors.ts';
import { decodeTaggedKey, encodeTaggedKey } from './tagged-key.ts';

/*
 * Control operations: what control vertices carry, sealed under the group's control key. One
 * control vertex holds a deterministic DAG-CBOR map { v: 1, ops: [op, ...] }, applied all or
 * nothing. Keys travel type-tagged (tagged-key.ts), so an ML-KEM key where an ML-DSA key is
 * expected is refused by its tag. The format is specified in docs/PROTOCOL.md ("Groups").
 */

export const CONTROL_VERSION = 1;

export const CONTROL_LIMITS = Object.freeze({
  /** Most operations in one control vertex. */
  maxOps: 64,
  /** Most slots in one rekey operation (a 64 KiB payload holds about 27 chained slots). An epoch with no
   * slots is allowed: it is a member alone in the group, whose messages only it can read. */
  maxSlots: 64,
  /** Longest group name in UTF-8 bytes. */
  maxNameBytes: 128,
  /** Largest epoch number (u32, it rides in the payload header). */
  maxEpoch: 0xffff_ffff,
  maxDepth: 8,
});

export type MemberRole = 'admin' | 'member';

/** One member's sealed share of a sender's new epoch (slot.ts). */
export interface EpochSlot {
  /** Recipient node id. */
  readonly member: Uint8Array;
  /** Id of the recipient's published ML-KEM key the slot was sealed to. */
  readonly keyId: Uint8Array;
  /** Encapsulation to the published key. */
  readonly kemCt: Uint8Array;
  /** Encapsulation to the pair key the sender handed this member in its previous slot (absent on first contact). */
  readonly pairCt: Uint8Array | undefined;
  /** AES-256-GCM box of epoch secret ‖ next pair-key seed. */
  readonly box: Uint8Array;
}

export const SLOT_BOX_BYTES = 32 + 64 + 16;

export type ControlOp =
  | { readonly o: 'create'; readonly name: string; readonly kemKey: Uint8Array }
  | { readonly o: 'add'; readonly member: Uint8Array; readonly signingKey: Uint8Array; readonly kemKey: Uint8Array; readonly role: MemberRole }
  | { readonly o: 'remove'; readonly member: Uint8Array }
  | { readonly o: 'leave' }
  | { readonly o: 'promote'; readonly member: Uint8Array }
  /** `reset`: senders whose last slot to the author did not open here; each restarts its pair-key chain to the author. */
  | { readonly o: 'key'; readonly kemKey: Uint8Array; readonly reset: readonly Uint8Array[] }
  | { readonly o: 'rekey'; readonly epoch: number; readonly slots: readonly EpochSlot[] };

function bytesOf(value: unknown, length: number): Uint8Array | undefined {
  return value instanceof Uint8Array && value.length === length ? value : undefined;
}

function encodeOp(op: ControlOp): Record<string, unknown> {
  switch (op.o) {
    case 'create':
      return { o: op.o, n: op.name, kk: encodeTaggedKey('ml-kem-768', op.kemKey) };
    case 'add':
      return { o: op.o, m: op.member, dk: encodeTaggedKey('ml-dsa-65', op.signingKey), kk: encodeTaggedKey('ml-kem-768', op.kemKey), r: op.role };
    case 'remove':
    case 'promote':
      return { o: op.o, m: op.member };
    case 'leave':
      return { o: op.o };
    case 'key':
      return op.reset.length === 0 ? { o: op.o, kk: encodeTaggedKey('ml-kem-768', op.kemKey) } : { o: op.o, kk: encodeTaggedKey('ml-kem-768', op.kemKey), r: [...op.reset] };
    case 'rekey':
      return {
        o: op.o,
        e: op.epoch,
        s: op.slots.map((s) => (s.pairCt === undefined ? { m: s.member, k: s.keyId, c1: s.kemCt, b: s.box } : { m: s.member, k: s.keyId, c1: s.kemCt, c2: s.pairCt, b: s.box })),
      };
  }
}

/** Encodes local operations; throws GroupError for a set no member would accept (a caller bug). */
export function encodeControl(ops: readonly ControlOp[]): Uint8Array {
  if (ops.length === 0 || ops.length > CONTROL_LIMITS.maxOps) throw new GroupError('ERR_CONTROL_OPS', `a control vertex holds 1-${CONTROL_LIMITS.maxOps} operations`);
  const bytes = dagCbor.encode({ v: CONTROL_VERSION, ops: ops.map(encodeOp) });
  const check = decodeControl(bytes);
  if (!check.ok) throw new GroupError('ERR_CONTROL_OPS', `refusing to write operations receivers reject: ${check.detail}`);
  return bytes;
}

function decodeSlot(value: unknown, i: number): GroupResult<EpochSlot> {
  if (!isPlainMap(value) || !hasExactKeys(value, ['m', 'k', 'c1', 'b'], ['c2'])) return groupReject('malformed', `slot ${i} is not { m, k, c1, c2?, b }`);
  const member = bytesOf(value['m'], 32);
  const keyId = bytesOf(value['k'], 16);
  const kemCt = bytesOf(value['c1'], ML_KEM_768.cipherText);
  const box = bytesOf(value['b'], SLOT_BOX_BYTES);
  const pairCt = value['c2'] === undefined ? undefined : bytesOf(value['c2'], ML_KEM_768.cipherText);
  if (member === undefined || keyId === undefined || kemCt === undefined || box === undefined || (value['c2'] !== undefined && pairCt === undefined)) {
    return groupReject('malformed', `slot ${i}: a field has the wrong type or size`);
  }
  return groupOk({ member, keyId, kemCt, pairCt, box });
}

function decodeOp(value: unknown, i: number): GroupResult<ControlOp> {
  if (!isPlainMap(value) || typeof value['o'] !== 'string') return groupReject('malformed', `operation ${i} is not a map with a kind`);
  const kind = value['o'];
  const where = `operation ${i} (${kind.slice(0, 16)})`;
  const member = (): Uint8Array | undefined => bytesOf(value['m'], 32);
  switch (kind) {
    case 'create': {
      if (!hasExactKeys(value, ['o', 'n', 'kk'])) return groupReject('malformed', `${where}: fields`);
      const name = value['n'];
      if (typeof name !== 'string' || name.length === 0 || new TextEncoder().encode(name).length > CONTROL_LIMITS.maxNameBytes) {
        return groupReject('malformed', `${where}: name is not 1-${CONTROL_LIMITS.maxNameBytes} bytes of text`);
      }
      if (!(value['kk'] instanceof Uint8Array)) return groupReject('malformed', `${where}: key is not bytes`);
      const kk = decodeTaggedKey(value['kk'], 'ml-kem-768');
      if (!kk.ok) return groupReject(kk.reason, `${where}: ${kk.detail}`);
      return groupOk({ o: 'create', name, kemKey: kk.value });
    }
    case 'add': {
      if (!hasExactKeys(value, ['o', 'm', 'dk', 'kk', 'r'])) return groupReject('malformed', `${where}: fields`);
      const m = member();
      const role = value['r'];
      if (m === undefined || (role !== 'admin' && role !== 'member')) return groupReject('malformed', `${where}: member id or role`);
      if (!(value['dk'] instanceof Uint8Array) || !(value['kk'] instanceof Uint8Array)) return groupReject('malformed', `${where}: keys are not bytes`);
      const dk = decodeTaggedKey(value['dk'], 'ml-dsa-65');
      if (!dk.ok) return groupReject(dk.reason, `${where}: signing key: ${dk.detail}`);
      const kk = decodeTaggedKey(value['kk'], 'ml-kem-768');
      if (!kk.ok) return groupReject(kk.reason, `${where}: KEM key: ${kk.detail}`);
      return groupOk({ o: 'add', member: m, signingKey: dk.value, kemKey: kk.value, role });
    }
    case 'remove':
    case 'promote': {
      const m = member();
      if (!hasExactKeys(value, ['o', 'm']) || m === undefined) return groupReject('malformed', `${where}: fields`);
      return groupOk({ o: kind, member: m });
    }
    case 'leave':
      return hasExactKeys(value, ['o']) ? groupOk({ o: 'leave' }) : groupReject('malformed', `${where}: fields`);
    case 'key': {
      if (!hasExactKeys(value, ['o', 'kk'], ['r']) || !(value['kk'] instanceof Uint8Array)) return groupReject('malformed', `${where}: fields`);
      const kk = decodeTaggedKey(value['kk'], 'ml-kem-768');
      if (!kk.ok) return groupReject(kk.reason, `${where}: ${kk.detail}`);
      const r = value['r'] ?? [];
      if (!Array.isArray(r) || (value['r'] !== undefined && r.length === 0)) return groupReject('malformed', `${where}: reset list`);
      if (r.length > CONTROL_LIMITS.maxSlots) return groupReject('limit', `${where}: ${r.length} resets, limit ${CONTROL_LIMITS.maxSlots}`);
      const reset: Uint8Array[] = [];
      for (const id of r) {
        const member = bytesOf(id, 32);
        if (member === undefined) return groupReject('malformed', `${where}: reset entry`);
        reset.push(member);
      }
      return groupOk({ o: 'key', kemKey: kk.value, reset });
    }
    case 'rekey': {
      if (!hasExactKeys(value, ['o', 'e', 's'])) return groupReject('malformed', `${where}: fields`);
      const epoch = value['e'];
      const slots = value['s'];
      if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 1 || epoch > CONTROL_LIMITS.maxEpoch) return groupReject('malformed', `${where}: epoch`);
      if (!Array.isArray(slots)) return groupReject('malformed', `${where}: slots`);
      if (slots.length > CONTROL_LIMITS.maxSlots) return groupReject('limit', `${where}: ${slots.length} slots, limit ${CONTROL_LIMITS.maxSlots}`);
      const out: EpochSlot[] = [];
      const seen = new Set<string>();
      for (let j = 0; j < slots.length; j++) {
        const slot = decodeSlot(slots[j], j);
        if (!slot.ok) return groupReject(slot.reason, `${where}: ${slot.detail}`);
        const k = toHex(slot.value.member);
        if (seen.has(k)) return groupReject('malformed', `${where}: two slots for one member`);
        seen.add(k);
        out.push(slot.value);
      }
      return groupOk({ o: 'rekey', epoch, slots: out });
    }
    default:
      return groupReject('malformed', `operation ${i}: unknown kind`);
  }
}

/**
 * Reads the operations of a control vertex. Framing is checked before decoding; then every
 * operation's shape. A vertex may name each member in at most one add/remove/promote and hold at
 * most one create, leave, key and rekey operation, so the order of operations inside one vertex
 * never matters.
 */
export function decodeControl(bytes: Uint8Array): GroupResult<ControlOp[]> {
  const decoded = decodeBoundedCbor(bytes, { maxDepth: CONTROL_LIMITS.maxDepth });
  if (!decoded.ok) return groupReject(decoded.reason, `control plaintext: ${decoded.detail}`);
  const value = decoded.value;
  if (!isPlainMap(value) || !hasExactKeys(value, ['v', 'ops'])) return groupReject('malformed', 'not a control map { v, ops }');
  if (value['v'] !== CONTROL_VERSION) return groupReject('malformed', 'unknown control version');
  const ops = value['ops'];
  if (!Array.isArray(ops) || ops.length === 0) return groupReject('malformed', 'ops is not a non-empty array');
  if (ops.length > CONTROL_LIMITS.maxOps) return groupReject('limit', `${ops.length} operations, limit ${CONTROL_LIMITS.maxOps}`);
  const out: ControlOp[] = [];
  const members = new Set<string>();
  const singles = new Set<string>();
  for (let i = 0; i < ops.length; i++) {
    const op = decodeOp(ops[i], i);
    if (!op.ok) return op;
    const o = op.value;
    if (o.o === 'add' || o.o === 'remove' || o.o === 'promote') {
      const k = toHex(o.member);
      if (members.has(k)) return groupReject('malformed', `operation ${i}: a member is named twice in one vertex`);
      members.add(k);
    } else {
      if (singles.has(o.o)) return groupReject('malformed', `operation ${i}: two ${o.o} operations in one vertex`);
      singles.add(o.o);
    }
    out.push(o);
  }
  if (singles.has('create') && out.length !== 1 + (singles.has('rekey') ? 1 : 0)) return groupReject('malformed', 'create travels alone (or with its first rekey)');
  return groupOk(out);
}
