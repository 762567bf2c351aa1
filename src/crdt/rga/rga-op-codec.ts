import { crdtOk, crdtReject, type CrdtResult } from '../errors.ts';
import { readOpKind } from '../op-kind.ts';
import { RGA_LIMITS } from './limits.ts';
import { checkContent, type RgaId, type RgaOp, type RgaRange } from './rga-ops.ts';

/*
 * Operations on the wire (CBOR maps inside the payload envelope; docs/CRDT.md "RGA"):
 *   insert  { k: 'rga.ins', s: seq, l?: [author, seq], r?: [author, seq], t: text }
 *           or the same with v: [value, ...] instead of t; an absent l / r is the start / end
 *   delete  { k: 'rga.del', d: [[author, seq, len], ...] }
 * Authors are 32-byte node ids; seqs and lengths unsigned integers.
 */

const INSERT_FIELDS = ['s', 'l', 'r', 't', 'v'];
const DELETE_FIELDS = ['d'];

/** The CBOR-ready form of an operation. */
export function encodeRgaOp(op: RgaOp): unknown {
  if (op.kind === 'rga.del') return { k: 'rga.del', d: op.ranges.map((r) => [r.author, r.seq, r.len]) };
  const out: Record<string, unknown> = { k: 'rga.ins', s: op.seq };
  if (op.left !== null) out['l'] = [op.left.author, op.left.seq];
  if (op.right !== null) out['r'] = [op.right.author, op.right.seq];
  if (typeof op.content === 'string') out['t'] = op.content;
  else out['v'] = [...op.content];
  return out;
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < RGA_LIMITS.maxSeq;
}

function isAuthor(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === 32;
}

function readId(value: unknown): RgaId | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [author, seq] = value as unknown[];
  return isAuthor(author) && isSeq(seq) ? { author, seq } : undefined;
}

/** Reads an operation from its CBOR-decoded form, checking shape and limits. */
export function decodeRgaOp(value: unknown): CrdtResult<RgaOp> {
  const head = readOpKind(value, 'rga', [...INSERT_FIELDS, ...DELETE_FIELDS]);
  if (!head.ok) return head;
  const { kind, fields } = head.value;
  if (kind === 'rga.ins') {
    for (const key of DELETE_FIELDS) if (key in fields) return crdtReject('malformed', `insert with field ${key}`);
    const seq = fields['s'];
    if (!isSeq(seq)) return crdtReject('malformed', 'insert seq is not an unsigned integer');
    let left: RgaId | null = null;
    let right: RgaId | null = null;
    if ('l' in fields) {
      const id = readId(fields['l']);
      if (id === undefined) return crdtReject('malformed', 'left origin is not [author, seq]');
      left = id;
    }
    if ('r' in fields) {
      const id = readId(fields['r']);
      if (id === undefined) return crdtReject('malformed', 'right origin is not [author, seq]');
      right = id;
    }
    if (('t' in fields) === ('v' in fields)) return crdtReject('malformed', 'insert needs exactly one of text and values');
    const raw = 't' in fields ? fields['t'] : fields['v'];
    if ('t' in fields && typeof raw !== 'string') return crdtReject('malformed', 'insert text is not a string');
    if ('v' in fields && !Array.isArray(raw)) return crdtReject('malformed', 'insert values are not a list');
    const content = checkContent(raw);
    if (!content.ok) return content;
    if (seq + content.value.count > RGA_LIMITS.maxSeq) return crdtReject('limit', `insert passes ${RGA_LIMITS.maxSeq} items`);
    return crdtOk({ kind: 'rga.ins', seq, left, right, content: content.value.content });
  }
  if (kind === 'rga.del') {
    for (const key of INSERT_FIELDS) if (key in fields) return crdtReject('malformed', `delete with field ${key}`);
    const list = fields['d'];
    if (!Array.isArray(list) || list.length === 0) return crdtReject('malformed', 'delete needs a non-empty list of ranges');
    if (list.length > RGA_LIMITS.maxDeleteRanges) return crdtReject('limit', `delete names more than ${RGA_LIMITS.maxDeleteRanges} ranges`);
    const ranges: RgaRange[] = [];
    for (const item of list as unknown[]) {
      if (!Array.isArray(item) || item.length !== 3) return crdtReject('malformed', 'delete range is not [author, seq, len]');
      const [author, seq, len] = item as unknown[];
      if (!isAuthor(author) || !isSeq(seq) || !isSeq(len) || len === 0) return crdtReject('malformed', 'delete range is not [author, seq, len]');
      if (seq + len > RGA_LIMITS.maxSeq) return crdtReject('limit', `delete range passes ${RGA_LIMITS.maxSeq}`);
      ranges.push({ author, seq, len });
    }
    return crdtOk({ kind: 'rga.del', ranges });
  }
  return crdtReject('malformed', `unknown rga operation ${JSON.stringify(kind)}`);
}
