export { rga } from './rga-type.ts';
export type { RgaState } from './rga-state.ts';
export { insertOp, deleteOp, type RgaOp, type RgaInsertOp, type RgaDeleteOp, type RgaId, type RgaRange, type RgaElement } from './rga-ops.ts';
export { rgaLength, rgaText, rgaElements, OBJECT_REPLACEMENT } from './rga-read.ts';
export { RGA_LIMITS } from './limits.ts';
