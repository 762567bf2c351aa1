import type { OpOrigin } from '../crdt-type.ts';
import { CrdtArgumentError } from '../argument-error.ts';
import { crdtOk, crdtReject, type CrdtResult } from '../errors.ts';
import { typeOfOpKind } from '../op-kind.ts';
import type { Scalar } from '../scalar.ts';
import { deleteItems, integrate, locate } from './integrate.ts';
import { RGA_LIMITS } from './limits.ts';
import { checkContent, isOneUnit, type RgaDeleteOp, type RgaId, type RgaInsertOp, type RgaOp, type RgaRange } from './rga-ops.ts';
import type { RgaState } from './rga-state.ts';
import { NONE } from './run.ts';

const OK: CrdtResult<void> = crdtOk(undefined);

/**
 * Applies one operation delivered in causal order, authored by `origin.author`. Everything is
 * checked before anything changes, so a refused operation leaves the state as it was:
 *   - an insert whose seq is not its author's next one is `out-of-order` (causal delivery brings
 *     an honest author's inserts in seq order, so a gap or a repeat means a missing or replayed
 *     operation, or an author that equivocated; docs/CRDT.md);
 *   - origins or deleted ranges that are not items here are `bad-position`;
 *   - content outside the model is `malformed`, beyond RGA_LIMITS `limit`.
 */
export function applyOp(state: RgaState, op: RgaOp, origin: OpOrigin): CrdtResult<void> {
  if (op === null || typeof op !== 'object') return crdtReject('malformed', 'operation is not an object');
  if (op.kind === 'rga.ins') return applyInsert(state, op, origin);
  if (op.kind === 'rga.del') return applyDelete(state, op, origin);
  const kind: unknown = (op as { kind?: unknown }).kind;
  const owner = typeof kind === 'string' ? typeOfOpKind(kind) : undefined;
  if (owner !== undefined && owner !== 'rga') return crdtReject('wrong-type', `operation of ${owner} given to rga`);
  return crdtReject('malformed', 'not an rga operation');
}

function checkOrigin(origin: OpOrigin): void {
  if (origin === null || typeof origin !== 'object' || !(origin.author instanceof Uint8Array) || origin.author.length !== 32) {
    throw new CrdtArgumentError('operation origin needs a 32-byte author');
  }
}

/** Interned author of an item id, or -2 if it names no item here. */
function resolve(state: RgaState, id: RgaId): number {
  if (id === null || typeof id !== 'object' || !(id.author instanceof Uint8Array)) return -2;
  const agent = state.agentOf(id.author);
  if (agent < 0 || !Number.isInteger(id.seq) || !state.has(agent, id.seq)) return -2;
  return agent;
}

function applyInsert(state: RgaState, op: RgaInsertOp, origin: OpOrigin): CrdtResult<void> {
  checkOrigin(origin);
  let count = 1;
  let content: string | Scalar[] = op.content as string;
  if (!isOneUnit(op.content)) {
    const checked = checkContent(op.content);
    if (!checked.ok) return checked;
    count = checked.value.count;
    content = checked.value.content;
  }
  const known = state.agentOf(origin.author);
  const expected = known < 0 ? 0 : (state.nextSeq[known] as number);
  if (op.seq !== expected) return crdtReject('out-of-order', `insert seq ${String(op.seq)}, expected ${expected}`);
  if (expected + count > RGA_LIMITS.maxSeq) return crdtReject('limit', `author would pass ${RGA_LIMITS.maxSeq} items`);
  let la = NONE;
  let ls = 0;
  let ra = NONE;
  let rs = 0;
  if (op.left !== null) {
    la = resolve(state, op.left);
    if (la < 0) return crdtReject('bad-position', 'left origin is not an item here');
    ls = op.left.seq;
  }
  if (op.right !== null) {
    ra = resolve(state, op.right);
    if (ra < 0) return crdtReject('bad-position', 'right origin is not an item here');
    rs = op.right.seq;
  }
  const problem = locate(state, la, ls, ra, rs, true);
  if (problem !== undefined) return crdtReject('bad-position', problem);
  const agent = known < 0 ? state.intern(origin.author) : known;
  if (typeof content === 'string') integrate(state, agent, expected, count, la, ls, ra, rs, content, null, false);
  else integrate(state, agent, expected, count, la, ls, ra, rs, '', content, false);
  return OK;
}

function applyDelete(state: RgaState, op: RgaDeleteOp, origin: OpOrigin): CrdtResult<void> {
  checkOrigin(origin);
  const ranges = op.ranges;
  if (!Array.isArray(ranges) || ranges.length === 0) return crdtReject('malformed', 'delete names no ranges');
  if (ranges.length > RGA_LIMITS.maxDeleteRanges) return crdtReject('limit', `delete names more than ${RGA_LIMITS.maxDeleteRanges} ranges`);
  const agents: number[] = [];
  for (const range of ranges as readonly RgaRange[]) {
    const agent = resolve(state, range);
    if (agent < 0 || !Number.isInteger(range.len) || range.len < 1 || !state.has(agent, range.seq + range.len - 1)) {
      return crdtReject('bad-position', 'delete names items that are not here');
    }
    agents.push(agent);
  }
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i] as RgaRange;
    deleteItems(state, agents[i] as number, range.seq, range.len);
  }
  return OK;
}
