import { exportScalar } from '../scalar.ts';
import type { RgaElement } from './rga-ops.ts';
import type { RgaState } from './rga-state.ts';
import { isCodePoint } from './run.ts';

/** The code point that stands for a list value inside text (U+FFFC OBJECT REPLACEMENT CHARACTER). */
export const OBJECT_REPLACEMENT = '\ufffc';

/** Number of visible elements (code points of text). */
export function rgaLength(state: RgaState): number {
  return state.tree.vis;
}

/**
 * The sequence as text: text elements as they are, and each list value that is not a single
 * code point as U+FFFC, so that code point positions in the result are element positions.
 */
export function rgaText(state: RgaState): string {
  const parts: string[] = [];
  for (const run of state.tree.runs()) {
    if (run.deleted) continue;
    if (run.values === null) parts.push(run.text);
    else for (const v of run.values) parts.push(isCodePoint(v) ? v : OBJECT_REPLACEMENT);
  }
  return parts.join('');
}

/** The visible elements in order: list values, and text as one string per code point. */
export function rgaElements(state: RgaState): RgaElement[] {
  const out: RgaElement[] = [];
  for (const run of state.tree.runs()) {
    if (run.deleted) continue;
    if (run.values === null) for (const c of run.text) out.push(c);
    else for (const v of run.values) out.push(exportScalar(v));
  }
  return out;
}
