import { fromHex } from '../crypto/index.ts';
import { idKey, type Dag, type DecodedVertex, type RejectedVertex } from '../dag/index.ts';
import { NodeError } from './errors.ts';
import type { IngestRejection, IngestReport } from './ingest.ts';
import type { Verdict } from './verify-protocol.ts';

/** Asks the courier quotas about one vertex (see `IngestAdmission`). */
export type Admit = (vertex: DecodedVertex, source: string) => boolean;

/** One ingest call's verified byte strings, ready to be placed. */
export interface VerifiedCall {
  readonly items: readonly Uint8Array[];
  readonly verdicts: readonly Verdict[];
  readonly source: string;
}

export interface Placement {
  readonly report: IngestReport;
  /** Keys of the call's vertices that went to the quarantine. */
  readonly waiting: readonly string[];
  /** Indexes into the call of vertices the admission refused while `deferRefusals` was set. */
  readonly deferred: readonly number[];
}

function fromDag(refused: readonly RejectedVertex[]): IngestRejection[] {
  return refused.map((r) => ({ id: fromHex(r.key), reason: r.reason, detail: r.detail }));
}

/**
 * Places one call's verified vertices in the DAG, in order, listing those placed (with any
 * waiting descendants they released) in `placed`. With `deferRefusals`, a vertex the admission
 * refuses is listed in `deferred` instead of counted over quota, to be asked about again later.
 */
export function placeCall(dag: Dag, call: VerifiedCall, placed: DecodedVertex[], admit: Admit | undefined, deferRefusals: boolean): Placement {
  const { items, verdicts, source } = call;
  const rejected: IngestRejection[] = [];
  const missing = new Map<string, Uint8Array>();
  const waiting: string[] = [];
  const deferred: number[] = [];
  let duplicates = 0;
  let overQuota = 0;
  for (let i = 0; i < items.length; i++) {
    const verdict = verdicts[i];
    if (verdict === undefined) throw new NodeError('ERR_VERIFY_WORKER', 'verify pool returned too few verdicts');
    if (!verdict.ok) {
      rejected.push({ id: verdict.id, reason: verdict.reason, detail: verdict.detail });
      // A permanently bad id also dooms whatever waits on it in the quarantine.
      if (verdict.id !== undefined) rejected.push(...fromDag(dag.markRejected(idKey(verdict.id), verdict.reason, verdict.detail).slice(1)));
      continue;
    }
    const { vertex } = verdict;
    if (admit !== undefined && !dag.has(vertex.key) && !admit(vertex, source)) {
      if (deferRefusals) deferred.push(i);
      else overQuota++;
      continue;
    }
    const out = dag.add(vertex, source);
    switch (out.status) {
      case 'added':
        for (const v of out.added) placed.push(v); // releasing a large quarantine places many: no spread
        rejected.push(...fromDag(out.rejected));
        break;
      case 'duplicate':
        duplicates++;
        break;
      case 'quarantined':
        waiting.push(vertex.key);
        for (const m of out.missing) missing.set(idKey(m), m);
        break;
      case 'rejected':
        // `out.rejected` lists this vertex first, then waiting descendants refused with it;
        // it is empty when nothing was recorded (quarantine full, refused before).
        rejected.push(...(out.rejected.length > 0 ? fromDag(out.rejected) : [{ id: vertex.id, reason: out.reason, detail: out.detail }]));
        break;
    }
  }
  for (const v of placed) missing.delete(v.key);
  return { report: { stored: placed, duplicates, quarantined: waiting.length, missing: [...missing.values()], rejected, overQuota }, waiting, deferred };
}

/**
 * One call's report from its first placement and the placement of what it deferred: a vertex
 * that waited in the first and was released by the second counts as stored, not as waiting.
 */
export function mergeReports(first: Placement, second: IngestReport): IngestReport {
  const stored = [...first.report.stored, ...second.stored];
  const storedKeys = new Set(stored.map((v) => v.key));
  const missing = new Map<string, Uint8Array>();
  for (const m of [...first.report.missing, ...second.missing]) missing.set(idKey(m), m);
  for (const key of storedKeys) missing.delete(key);
  return {
    stored,
    duplicates: first.report.duplicates + second.duplicates,
    quarantined: first.waiting.filter((k) => !storedKeys.has(k)).length + second.quarantined,
    missing: [...missing.values()],
    rejected: [...first.report.rejected, ...second.rejected],
    overQuota: first.report.overQuota + second.overQuota,
  };
}
