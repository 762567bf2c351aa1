import type { RejectionReason } from '../dag/index.ts';
import type { IngestSink } from './import.ts';

const MAX_LISTED_REJECTIONS = 20;

export interface PipelineCounts {
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** The first few rejections, with their reasons. */
  readonly rejections: readonly { readonly reason: RejectionReason; readonly detail: string }[];
}

/**
 * Feeds vertices to the node's ingest path in batches, keeping up to `depth` batches verifying in
 * the worker threads while the caller reads and decrypts the next; the ingester places and
 * commits them in submission order. Counts what became of them.
 */
export class IngestPipeline {
  readonly #sink: IngestSink;
  readonly #source: string;
  readonly #batchSize: number;
  readonly #depth: number;
  readonly #onDone: (done: number) => void;
  #batch: Uint8Array[] = [];
  readonly #inFlight: Promise<void>[] = [];
  #done = 0;
  #stored = 0;
  #duplicates = 0;
  #rejected = 0;
  readonly #rejections: { reason: RejectionReason; detail: string }[] = [];

  constructor(sink: IngestSink, source: string, batchSize: number, depth: number, onDone: (done: number) => void) {
    this.#sink = sink;
    this.#source = source;
    this.#batchSize = Math.max(1, batchSize);
    this.#depth = Math.max(1, depth);
    this.#onDone = onDone;
  }

  async push(vertex: Uint8Array): Promise<void> {
    this.#batch.push(vertex);
    if (this.#batch.length >= this.#batchSize) await this.#flush();
  }

  /** Submits what is buffered and waits until every batch is committed (or failed: rethrown). */
  async drain(): Promise<void> {
    await this.#flush();
    await Promise.all(this.#inFlight.splice(0));
  }

  /** Waits for submitted batches without rethrowing: for cleanup after another failure. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.#inFlight.splice(0));
  }

  /** Records a rejection that did not come from ingest (a bad key frame). */
  note(reason: RejectionReason, detail: string): void {
    if (this.#rejections.length < MAX_LISTED_REJECTIONS) this.#rejections.push({ reason, detail });
  }

  get counts(): PipelineCounts {
    return { stored: this.#stored, duplicates: this.#duplicates, rejected: this.#rejected, rejections: [...this.#rejections] };
  }

  async #flush(): Promise<void> {
    if (this.#batch.length === 0) return;
    const items = this.#batch;
    this.#batch = [];
    const submitted = this.#submit(items);
    submitted.catch(() => undefined); // awaited later; a failure must not count as unhandled meanwhile
    this.#inFlight.push(submitted);
    if (this.#inFlight.length >= this.#depth) await this.#inFlight.shift();
  }

  async #submit(items: Uint8Array[]): Promise<void> {
    const report = await this.#sink.ingest(items, this.#source);
    this.#stored += report.stored.length;
    this.#duplicates += report.duplicates;
    this.#rejected += report.rejected.length;
    for (const r of report.rejected) this.note(r.reason, r.detail);
    this.#done += items.length;
    this.#onDone(this.#done);
  }
}
