import type { CrdtType } from '../crdt-type.ts';
import { applyOp } from './rga-apply.ts';
import { decodeRgaState, encodeRgaState } from './rga-codec.ts';
import { cloneRgaState, mergeRgaStates } from './rga-merge.ts';
import { decodeRgaOp, encodeRgaOp } from './rga-op-codec.ts';
import type { RgaElement, RgaOp } from './rga-ops.ts';
import { rgaElements } from './rga-read.ts';
import { RgaState } from './rga-state.ts';

/**
 * RGA, the sequence type for lists and text: FugueMax placement (YjsMod formulation), items
 * identified by (author, seq), run-length storage. Its value is the visible elements; use
 * `rgaText` for text and `insertOp` / `deleteOp` to make operations.
 */
export const rga: CrdtType<RgaState, RgaOp, RgaElement[]> = Object.freeze({
  name: 'rga' as const,
  create: (): RgaState => new RgaState(),
  apply: applyOp,
  merge: mergeRgaStates,
  clone: cloneRgaState,
  value: rgaElements,
  encodeOp: encodeRgaOp,
  decodeOp: decodeRgaOp,
  encodeState: encodeRgaState,
  decodeState: decodeRgaState,
});
