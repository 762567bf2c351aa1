import type { Run } from './run.ts';

const CHUNK_MAX = 128;

/**
 * One author's runs in seq order, for finding the run that holds an item id. The runs of an
 * author tile its seqs 0..n-1 without gaps, so the run holding `seq` is the last one starting at
 * or before it. Kept in chunks of at most CHUNK_MAX runs so that a split (which adds a run in the
 * middle) moves a short array, not all of them.
 */
export class AuthorRuns {
  readonly #chunks: Run[][] = [[]];
  /** First seq of each chunk (the first chunk always starts at 0). */
  readonly #starts: number[] = [0];

  /** The run holding `seq`, which must be below the author's next seq. */
  find(seq: number): Run {
    const chunk = this.#chunks[this.#chunkOf(seq)] as Run[];
    let a = 0;
    let b = chunk.length - 1;
    // Most lookups are of recent items, at the end.
    if ((chunk[b] as Run).seq <= seq) return chunk[b] as Run;
    while (a < b) {
      const mid = (a + b + 1) >> 1;
      if ((chunk[mid] as Run).seq <= seq) a = mid;
      else b = mid - 1;
    }
    return chunk[a] as Run;
  }

  /** Adds a run holding the author's newest seqs. */
  append(run: Run): void {
    const last = this.#chunks[this.#chunks.length - 1] as Run[];
    last.push(run);
    if (last.length > CHUNK_MAX) this.#split(this.#chunks.length - 1);
  }

  /** Adds `run`, just cut off the end of `before`, right after it. */
  insertAfter(before: Run, run: Run): void {
    const c = this.#chunkOf(before.seq);
    const chunk = this.#chunks[c] as Run[];
    chunk.splice(chunk.indexOf(before, this.#lowerBound(chunk, before.seq)) + 1, 0, run);
    if (chunk.length > CHUNK_MAX) this.#split(c);
  }

  /** Drops `run`, whose seqs a neighbour has just absorbed; never the author's first run. */
  remove(run: Run): void {
    const c = this.#chunkOf(run.seq);
    const chunk = this.#chunks[c] as Run[];
    chunk.splice(chunk.indexOf(run, this.#lowerBound(chunk, run.seq)), 1);
    if (chunk.length === 0) {
      this.#chunks.splice(c, 1);
      this.#starts.splice(c, 1);
    } else if (this.#starts[c] !== (chunk[0] as Run).seq) {
      this.#starts[c] = (chunk[0] as Run).seq;
    }
  }

  /** The author's runs in seq order. */
  *runs(): Generator<Run> {
    for (const chunk of this.#chunks) yield* chunk;
  }

  /** Index of the chunk holding `seq`: the last one starting at or before it. */
  #chunkOf(seq: number): number {
    const starts = this.#starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= seq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  #lowerBound(chunk: Run[], seq: number): number {
    let a = 0;
    let b = chunk.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if ((chunk[mid] as Run).seq < seq) a = mid + 1;
      else b = mid;
    }
    return a;
  }

  #split(c: number): void {
    const chunk = this.#chunks[c] as Run[];
    const right = chunk.splice(chunk.length >> 1);
    this.#chunks.splice(c + 1, 0, right);
    this.#starts.splice(c + 1, 0, (right[0] as Run).seq);
  }
}
