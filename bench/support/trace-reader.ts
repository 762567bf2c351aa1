// Reads editing traces in the format of josephg/editing-traces (gzip JSON): sequential
// `{startContent, endContent, txns: [{time, patches: [[pos, delLen, insText], ...]}]}` or
// concurrent (each txn also carries `parents`, indexes of earlier txns, and `agent`).
// Positions count Unicode code points. Used by the crdt-trace benchmark and the RGA tests.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export type Patch = readonly [pos: number, del: number, ins: string];

export interface TraceTxn {
  /** Earlier transactions this one was made on top of (sequential traces: the previous one). */
  readonly parents: readonly number[];
  readonly agent: number;
  readonly patches: readonly Patch[];
}

export interface EditingTrace {
  readonly kind: 'sequential' | 'concurrent';
  readonly startContent: string;
  readonly endContent: string;
  readonly numAgents: number;
  readonly txns: readonly TraceTxn[];
  /** Total patches over all transactions. */
  readonly patches: number;
  /** Whether any text is outside the BMP (then UTF-16 positions differ from code points). */
  readonly astral: boolean;
}

function fail(path: string, why: string): never {
  throw new Error(`${path}: not an editing trace (${why})`);
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Reads and checks a trace file (.json or .json.gz). */
export function readTrace(path: string): EditingTrace {
  const raw = readFileSync(path);
  const json = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  const data = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
  if (typeof data !== 'object' || data === null || !Array.isArray(data['txns'])) fail(path, 'no txns');
  const endContent = data['endContent'];
  if (typeof endContent !== 'string') fail(path, 'no endContent');
  const startContent = data['startContent'] ?? '';
  if (typeof startContent !== 'string') fail(path, 'startContent is not a string');
  const concurrent = data['kind'] === 'concurrent' || (data['txns'] as unknown[]).some((t) => typeof t === 'object' && t !== null && 'parents' in t);
  let patches = 0;
  let astral = /[\ud800-\udfff]/.test(startContent) || /[\ud800-\udfff]/.test(endContent);
  let numAgents = 1;
  const txns: TraceTxn[] = (data['txns'] as unknown[]).map((t, i) => {
    if (typeof t !== 'object' || t === null) fail(path, `txn ${i} is not an object`);
    const txn = t as Record<string, unknown>;
    if (!Array.isArray(txn['patches'])) fail(path, `txn ${i} has no patches`);
    const list: Patch[] = (txn['patches'] as unknown[]).map((p) => {
      if (!Array.isArray(p) || p.length !== 3 || !isIndex(p[0]) || !isIndex(p[1]) || typeof p[2] !== 'string') fail(path, `txn ${i} has a bad patch`);
      if (!astral && /[\ud800-\udfff]/.test(p[2] as string)) astral = true;
      return [p[0], p[1], p[2]] as Patch;
    });
    patches += list.length;
    if (!concurrent) return { parents: i === 0 ? [] : [i - 1], agent: 0, patches: list };
    const parents = txn['parents'];
    const agent = txn['agent'];
    if (!Array.isArray(parents) || !parents.every((p) => isIndex(p) && p < i)) fail(path, `txn ${i} has parents that are not earlier txns`);
    if (!isIndex(agent)) fail(path, `txn ${i} has no agent`);
    numAgents = Math.max(numAgents, agent + 1);
    return { parents: parents as number[], agent, patches: list };
  });
  return { kind: concurrent ? 'concurrent' : 'sequential', startContent, endContent, numAgents, txns, patches, astral };
}
