import type { Scalar } from '../scalar.ts';
import { integrate, locate } from './integrate.ts';
import type { RgaState } from './rga-state.ts';
import { NONE } from './run.ts';

/**
 * Items to integrate that share one shape: consecutive seqs of one author (interned in the target
 * state), the first item's origins, and either text, list values or nothing (tombstones).
 */
export interface Piece {
  readonly agent: number;
  readonly seq: number;
  readonly len: number;
  readonly leftAgent: number;
  readonly leftSeq: number;
  readonly rightAgent: number;
  readonly rightSeq: number;
  readonly text: string;
  readonly values: Scalar[] | null;
  readonly deleted: boolean;
}

/**
 * Integrates pieces given per author (`queues[agent]`, by the target state's interned numbers) in
 * seq order, each after the items its origins name: how a snapshot is rebuilt and how a merge
 * brings in what one side lacks. Placement depends only on the items and their origins, not on
 * the order they arrive in as long as origins come first, so any such order gives the same
 * document. Returns a problem instead of integrating
 * the rest if the pieces cannot be ordered (an origin that no piece provides, or a cycle) or, when
 * `strict`, if a piece's left origin is not before its right origin. A merge is not strict: its
 * pieces come from a valid replica, where that order held, and can only find it reversed here if
 * an author equivocated (gave two different items one id); placement then stays deterministic,
 * just not convergent, which is the documented cost of equivocation.
 */
export function integrateInOrder(state: RgaState, queues: readonly (readonly Piece[])[], strict = true): string | undefined {
  const next = queues.map(() => 0);
  const onStack = queues.map(() => false);
  const stack: number[] = [];
  for (let start = 0; start < queues.length; start++) {
    stack.push(start);
    onStack[start] = true;
    while (stack.length > 0) {
      const q = stack[stack.length - 1] as number;
      const queue = queues[q] as readonly Piece[];
      const i = next[q] as number;
      if (i === queue.length) {
        stack.pop();
        onStack[q] = false;
        if (stack.length > 0) return 'an origin names an item no piece provides';
        continue;
      }
      const piece = queue[i] as Piece;
      if (piece.seq !== state.nextSeq[piece.agent]) return 'pieces of an author are not consecutive';
      const wait = waitingOn(state, piece);
      if (wait !== NONE) {
        if (wait === piece.agent || onStack[wait] === true) return 'origins form a cycle';
        if (wait >= queues.length) return 'an origin names an item no piece provides';
        stack.push(wait);
        onStack[wait] = true;
        continue;
      }
      const problem = locate(state, piece.leftAgent, piece.leftSeq, piece.rightAgent, piece.rightSeq, strict);
      if (problem !== undefined) return problem;
      integrate(state, piece.agent, piece.seq, piece.len, piece.leftAgent, piece.leftSeq, piece.rightAgent, piece.rightSeq, piece.text, piece.values, piece.deleted);
      next[q] = i + 1;
      if (stack.length > 1) {
        stack.pop();
        onStack[q] = false;
      }
    }
  }
  return undefined;
}

/** The author whose items a piece still waits for, or NONE if its origins are all here. */
function waitingOn(state: RgaState, piece: Piece): number {
  if (piece.leftAgent !== NONE && piece.leftSeq >= (state.nextSeq[piece.leftAgent] as number)) return piece.leftAgent;
  if (piece.rightAgent !== NONE && piece.rightSeq >= (state.nextSeq[piece.rightAgent] as number)) return piece.rightAgent;
  return NONE;
}
