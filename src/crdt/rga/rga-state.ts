import { compareIds, idKey } from '../../dag/index.ts';
import { AuthorRuns } from './author-runs.ts';
import type { Run } from './run.ts';
import { RunTree } from './run-tree.ts';

/**
 * A replica of one RGA: the runs in document order (a tree with visible counts), each author's
 * runs in seq order (to find items by id), and the author table. Authors are interned to small
 * numbers in order of first appearance here; that numbering is local and never leaves the
 * replica (snapshots list authors sorted by their bytes).
 *
 * Treat it as opaque: change it only through `rga.apply`, read it through the functions of
 * `src/crdt/rga/index.ts`.
 */
export class RgaState {
  readonly tree = new RunTree();
  /** Author ids (32 bytes, owned copies) by interned number. */
  readonly authors: Uint8Array[] = [];
  /** Each interned author's runs in seq order. */
  readonly byAuthor: AuthorRuns[] = [];
  /** Each interned author's next seq: how many items it has created here. */
  readonly nextSeq: number[] = [];
  /** Counts changes; a hint is good only while it is unchanged. */
  version = 0;
  /**
   * Where the last `insertOp` / `deleteOp` found the runs around its position, so that applying
   * the operation right after building it (a local edit) skips looking them up again.
   */
  hintVersion = -1;
  hintLeft: Run | null = null;
  hintRight: Run | null = null;
  hintDelete: Run | null = null;
  readonly #numbers = new Map<string, number>();
  #lastAgent = 0;

  /** Interned number of `author`, or -1 if it has created no item here. */
  agentOf(author: Uint8Array): number {
    const authors = this.authors;
    const last = authors[this.#lastAgent];
    if (last === undefined) return -1;
    if (last === author || compareIds(last, author) === 0) return this.#lastAgent;
    // Ids inside operations built from this state are the table's own arrays.
    for (let i = 0; i < authors.length && i < 8; i++) {
      if (authors[i] === author) return (this.#lastAgent = i);
    }
    const n = this.#numbers.get(idKey(author));
    if (n === undefined) return -1;
    this.#lastAgent = n;
    return n;
  }

  /** Interned number of `author`, adding it (a copy) if new. */
  intern(author: Uint8Array): number {
    const known = this.agentOf(author);
    if (known >= 0) return known;
    const n = this.authors.length;
    this.authors.push(Uint8Array.from(author));
    this.byAuthor.push(new AuthorRuns());
    this.nextSeq.push(0);
    this.#numbers.set(idKey(author), n);
    this.#lastAgent = n;
    return n;
  }

  /** The run holding item (agent, seq), which must exist. */
  runOf(agent: number, seq: number): Run {
    return (this.byAuthor[agent] as AuthorRuns).find(seq);
  }

  /** Remembers the runs around the position an insert was just built at. */
  hint(left: Run | null, right: Run | null): void {
    this.hintVersion = this.version;
    this.hintLeft = left;
    this.hintRight = right;
  }

  /** Remembers the run where a delete just built starts. */
  hintDeleteAt(run: Run): void {
    this.hintVersion = this.version;
    this.hintDelete = run;
  }

  /** The hinted run if it holds item (agent, seq) and nothing changed since, else null. */
  hinted(run: Run | null, agent: number, seq: number): Run | null {
    if (run === null || this.hintVersion !== this.version || run.agent !== agent || seq < run.seq || seq >= run.seq + run.len) return null;
    return run;
  }

  /** Whether item (agent, seq) exists here. */
  has(agent: number, seq: number): boolean {
    return agent >= 0 && seq >= 0 && seq < (this.nextSeq[agent] as number);
  }
}
