import type { CryptoProvider } from '../crypto/index.ts';
import {
  createVertex,
  KeyRing,
  type AuthorKey,
  type Dag,
  type DagOptions,
  type DecodedVertex,
  type RejectionReason,
  type VertexSigner,
} from '../dag/index.ts';
import type { SqliteStore } from '../store/index.ts';
import { NodeError } from './errors.ts';
import { mergeReports, placeCall, type Placement, type VerifiedCall } from './ingest-placement.ts';
import { VerifyPool } from './verify-pool.ts';
import type { Verdict } from './verify-protocol.ts';

export interface IngestRejection {
  /** Id of the refused bytes when they decoded far enough to hash, else undefined. */
  readonly id: Uint8Array | undefined;
  readonly reason: RejectionReason;
  readonly detail: string;
}

/** What one `ingest` call did. Only `stored` vertices are acknowledged: they are durable. */
export interface IngestReport {
  /** Vertices durably stored by this call, parents first (includes waiting ones released now). */
  readonly stored: DecodedVertex[];
  readonly duplicates: number;
  /** Waiting for parents (not acknowledged); ask peers for `missing`. */
  readonly quarantined: number;
  readonly missing: Uint8Array[];
  readonly rejected: IngestRejection[];
  /** Valid vertices the node chose not to keep (courier quotas): no fault of the sender, not acknowledged. */
  readonly overQuota: number;
}

/**
 * Sees vertices once they are durable; see `Ingester.onStored`. `source` is the `ingest` call's
 * source (a peer, a bundle), or `'local'` for this node's own appends.
 */
export type StoredListener = (vertices: readonly DecodedVertex[], source: string) => void;

/** The source of this node's own appends (and of `ingest` calls that name none). */
export const LOCAL_SOURCE = 'local';

/**
 * Decides which received vertices the node keeps (the courier quotas). `batch` is called once per
 * commit, which may hold several `ingest` calls (see `Ingester.ingest`); the function it returns
 * is asked, in order, about each verified vertex of the commit that the node does not hold yet,
 * with the source of its call, before it is placed, so it can count what it let through earlier
 * in the same commit: the commit's listeners run only after all of it is placed. A vertex refused
 * in a call after one of the same commit that placed something is asked about again in the next
 * commit, once the listeners have seen what the earlier calls stored. Local appends are never asked.
 */
export interface IngestAdmission {
  batch(): (vertex: DecodedVertex, source: string) => boolean;
}

export interface IngesterOptions {
  readonly provider: CryptoProvider;
  readonly store: SqliteStore;
  /** Verification worker threads; default: every core. */
  readonly workers?: number;
  readonly dag?: DagOptions;
  /** Which received vertices are kept; default every valid one. */
  readonly admission?: IngestAdmission;
}

/**
 * A group commit takes calls up to this many byte strings in all (about 4.5 MiB of typical
 * vertices), so one transaction stays bounded; a single larger call is committed alone.
 */
export const GROUP_COMMIT_MAX_ITEMS = 1024;

interface ReadyCall extends VerifiedCall {
  readonly resolve: (report: IngestReport) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The one path by which vertices enter a node, local or received: verify (in parallel, off the
 * main thread) → place in the DAG → commit to the store in one durable transaction → report. A
 * vertex is acknowledged (listed in `stored`) only after its commit returned; if the commit fails,
 * the DAG takes the batch back and the error propagates, so memory never claims what disk lacks.
 */
export class Ingester {
  readonly dag: Dag;
  readonly keys: KeyRing;
  readonly store: SqliteStore;
  readonly provider: CryptoProvider;
  readonly #pool: VerifyPool;
  /** Serialises DAG placement and commits; verification of later batches overlaps with them. */
  #tail: Promise<unknown> = Promise.resolve();
  readonly #listeners: StoredListener[] = [];
  readonly #admission: IngestAdmission | undefined;
  /** Verified calls waiting to be placed and committed as one group, in the order they ended. */
  readonly #ready: ReadyCall[] = [];
  #flushScheduled = false;

  constructor(options: IngesterOptions) {
    this.provider = options.provider;
    this.#admission = options.admission;
    this.store = options.store;
    this.dag = options.store.loadDag(options.dag);
    this.keys = new KeyRing(options.provider, options.store);
    this.#pool = new VerifyPool({ provider: options.provider, ...(options.workers === undefined ? {} : { workers: options.workers }) });
    this.#pool.addKeys(options.store.keys());
  }

  /** Learns an author's public key (self-certifying: it must hash to the author id). */
  addKey(key: AuthorKey): Uint8Array {
    const added = this.keys.add(key);
    if (!added.ok) throw new NodeError('ERR_BAD_AUTHOR_KEY', added.detail);
    if (this.store.getKey(added.author) === undefined) {
      this.store.putKey(added.author, key);
      this.#pool.addKeys([key]);
    }
    return added.author;
  }

  /**
   * Ingests received vertex bytes from `source` (a peer id, a bundle name). Calls may overlap:
   * verification runs concurrently, placement and commits run in the order verification ends.
   * Calls whose verification ends while the main thread is busy (with a commit, say) are placed
   * and committed together, one transaction for all (see `#scheduleFlush`); each still gets its
   * own report and its own `onStored` notification.
   */
  async ingest(items: readonly Uint8Array[], source = LOCAL_SOURCE): Promise<IngestReport> {
    const verdicts = await this.#pool.verify(items);
    return new Promise<IngestReport>((resolve, reject) => {
      this.#ready.push({ items, verdicts, source, resolve, reject });
      this.#scheduleFlush();
    });
  }

  /**
   * Commits the verified calls waiting, as one group, once the event loop has handed over every
   * worker answer that queued up meanwhile. Nothing waits for work still being verified, so
   * grouping never idles the workers or delays an answer. Without it each call took a commit of
   * its own, with its own fsync: a burst of pushed vertices (one call each) cost one fsync per
   * vertex and held the event loop for every one. A group stops at `GROUP_COMMIT_MAX_ITEMS` byte
   * strings; the rest goes in the next.
   */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      let items = 0;
      let take = 0;
      while (take < this.#ready.length && (take === 0 || items + (this.#ready[take] as ReadyCall).items.length <= GROUP_COMMIT_MAX_ITEMS)) {
        items += (this.#ready[take] as ReadyCall).items.length;
        take++;
      }
      const group = this.#ready.splice(0, take);
      if (this.#ready.length > 0) this.#scheduleFlush();
      this.#serially(() => this.#commitGroup(group)).catch(() => undefined); // each call settles through its own promise
    });
  }

  /**
   * Places the calls of a group in order and commits everything they placed in one transaction.
   * A call whose placement throws is retracted and fails alone; if the commit fails, the DAG takes
   * back the whole group and every call of it fails with that error.
   *
   * The admission is asked about a later call's vertices before the listeners of the earlier calls
   * have run, so it has not yet seen what they stored: a welcome to a group, placed by one call,
   * has not made the group's topic the node's own when the next call brings the group's first
   * vertices. So what the admission refuses in a call after one that placed something is not counted
   * over quota: once the listeners ran, those vertices go first in the next group, where a refusal
   * stands, and the call's report covers both placements.
   */
  #commitGroup(group: readonly ReadyCall[]): void {
    const placements: (Placement | undefined)[] = [];
    const all: DecodedVertex[] = [];
    const admit = this.#admission?.batch();
    for (const [i, call] of group.entries()) {
      const placed: DecodedVertex[] = [];
      try {
        placements.push(placeCall(this.dag, call, placed, admit, i > 0 && all.length > 0));
        for (const v of placed) all.push(v); // a call that releases a large quarantine places many: no spread
      } catch (error) {
        this.dag.retract(placed.map((v) => v.key));
        placements.push(undefined);
        call.reject(error as Error);
      }
    }
    try {
      this.store.putVertices(all);
    } catch (error) {
      this.dag.retract(all.map((v) => v.key));
      for (const [i, call] of group.entries()) if (placements[i] !== undefined) call.reject(error as Error);
      return;
    }
    const again: ReadyCall[] = [];
    for (const [i, call] of group.entries()) {
      const placement = placements[i];
      if (placement === undefined) continue;
      try {
        this.#notify(placement.report.stored, call.source);
      } catch (error) {
        call.reject(error as Error);
        continue;
      }
      if (placement.deferred.length === 0) {
        call.resolve(placement.report);
        continue;
      }
      again.push({
        items: placement.deferred.map((at) => call.items[at] as Uint8Array),
        verdicts: placement.deferred.map((at) => call.verdicts[at] as Verdict),
        source: call.source,
        resolve: (second) => call.resolve(mergeReports(placement, second)),
        reject: call.reject,
      });
    }
    if (again.length > 0) {
      this.#ready.unshift(...again);
      this.#scheduleFlush();
    }
  }

  /** Creates a vertex on `topic` from this node's frontier, signs it, and stores it durably. */
  async append(topic: Uint8Array, payload: Uint8Array, signer: VertexSigner): Promise<DecodedVertex> {
    return this.appendWith(topic, () => payload, signer);
  }

  /**
   * Like `append`, but the payload is built inside the serial section from the exact parents and
   * Lamport clock the vertex will have, so a payload that depends on the causal past (a group's
   * epochs and membership) is decided on the vertex's real past. `build` runs synchronously; if it
   * throws, nothing is appended and its error propagates.
   */
  async appendWith(topic: Uint8Array, build: (parents: Uint8Array[], lamport: number) => Uint8Array, signer: VertexSigner): Promise<DecodedVertex> {
    return this.#serially(() =>
      this.#placeThenCommit(LOCAL_SOURCE, (placed) => {
        const { parents, lamport } = this.dag.nextParents(topic, signer.author);
        const payload = build(parents, lamport);
        const vertex = createVertex({ topic, parents, lamport, payload }, signer, this.provider);
        const out = this.dag.add(vertex);
        if (out.status !== 'added') throw new NodeError('ERR_APPEND', `new vertex was not placed (${out.status})`);
        placed.push(...out.added);
        return vertex;
      }),
    );
  }

  /**
   * Calls `listener` with every batch of vertices right after its durable commit, parents first,
   * in commit order (local appends included). Listeners see only acknowledged vertices; one that
   * throws does not undo the commit, and its error reaches the caller of `ingest`/`append`.
   * Returns a function that removes the listener.
   */
  onStored(listener: StoredListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at >= 0) this.#listeners.splice(at, 1);
    };
  }

  /** Lets verified calls and running work finish (a commit can queue deferred vertices again), then stops the workers. */
  async close(): Promise<void> {
    do {
      while (this.#flushScheduled) await new Promise((resolve) => setImmediate(resolve));
      await this.#tail.catch(() => undefined);
    } while (this.#flushScheduled || this.#ready.length > 0);
    await this.#pool.close();
  }

  /**
   * Runs `work`, which places vertices in the DAG and lists them in `placed`, then commits them
   * in one durable transaction. If anything fails, the DAG takes back everything placed, so memory
   * never claims what disk lacks and nothing is acknowledged.
   */
  #placeThenCommit<T>(source: string, work: (placed: DecodedVertex[]) => T): T {
    const placed: DecodedVertex[] = [];
    let committed = false;
    try {
      const result = work(placed);
      this.store.putVertices(placed);
      committed = true;
      this.#notify(placed, source);
      return result;
    } catch (error) {
      if (!committed) this.dag.retract(placed.map((v) => v.key));
      throw error;
    }
  }

  #notify(placed: readonly DecodedVertex[], source: string): void {
    if (placed.length > 0) for (const listener of [...this.#listeners]) listener(placed, source);
  }

  #serially<T>(work: () => T): Promise<T> {
    const run = this.#tail.then(work);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
