import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CryptoProvider } from '../crypto/index.ts';
import { LAYOUT_WORDS, vertexFromLayout, type AuthorKey } from '../dag/index.ts';
import { NodeError } from './errors.ts';
import { SpareBuffers } from './spare-buffers.ts';
import { pack, type FromWorker, type ToWorker, type Verdict, type WorkerConfig } from './verify-protocol.ts';

export interface VerifyPoolOptions {
  /** Provider the workers use (by name; each worker loads its own). */
  readonly provider: CryptoProvider;
  /** Worker threads; default: every core. */
  readonly workers?: number;
}

/** Spare batch buffers kept per worker: enough for the batches a sync keeps in flight. */
const MAX_SPARE_BUFFERS_PER_WORKER = 4;
/** Larger batch buffers (a bundle's odd huge batch) are left to the garbage collector. */
const MAX_SPARE_BYTES = 4 * 1024 * 1024;

interface Pending {
  /** The byte strings of the job: the vertices are rebuilt as views of them. */
  readonly items: readonly Uint8Array[];
  readonly resolve: (verdicts: readonly Verdict[]) => void;
  readonly reject: (error: Error) => void;
}

// Runs from src/ under Node's type stripping and from dist/ once compiled.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './verify-worker.ts' : './verify-worker.js', import.meta.url);

/**
 * Signature verification spread over worker threads, so ingest uses every core: a batch is cut
 * into one slice per worker and the verdicts come back in input order.
 */
export class VerifyPool {
  readonly size: number;
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  readonly #spare: SpareBuffers;
  #nextJob = 0;
  #closed = false;
  #failure: Error | undefined;

  constructor(options: VerifyPoolOptions) {
    const name = options.provider.name;
    // A node never runs on the simulator's stand-in signatures, which prove nothing.
    if (name === 'insecure-simulation') throw new NodeError('ERR_INSECURE_PROVIDER', 'the insecure simulation provider cannot verify real vertices');
    this.size = Math.max(1, options.workers ?? availableParallelism());
    this.#spare = new SpareBuffers(MAX_SPARE_BUFFERS_PER_WORKER * this.size, MAX_SPARE_BYTES);
    const config: WorkerConfig = { provider: name };
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(WORKER_URL, { workerData: config });
      worker.on('message', (m: FromWorker) => this.#onMessage(m));
      worker.on('error', (e) => this.#fail(new NodeError('ERR_VERIFY_WORKER', `verify worker failed: ${e.message}`)));
      worker.on('exit', (code) => {
        if (!this.#closed) this.#fail(new NodeError('ERR_VERIFY_WORKER', `verify worker exited with code ${code}`));
      });
      this.#workers.push(worker);
    }
  }

  /** Gives every worker these author keys (in addition to those it has). */
  addKeys(keys: readonly AuthorKey[]): void {
    if (keys.length === 0) return;
    const message: ToWorker = { type: 'keys', keys };
    for (const w of this.#workers) w.postMessage(message);
  }

  /** Decodes and verifies each byte string; verdicts in input order, each accepted one decoded. */
  async verify(items: readonly Uint8Array[]): Promise<Verdict[]> {
    if (this.#closed) throw new NodeError('ERR_VERIFY_POOL_CLOSED', 'verify pool is closed');
    if (this.#failure !== undefined) throw this.#failure;
    if (items.length === 0) return [];
    const slice = Math.ceil(items.length / this.size);
    const parts: Promise<readonly Verdict[]>[] = [];
    for (let w = 0; w * slice < items.length; w++) {
      const job = this.#nextJob++;
      const part = items.slice(w * slice, (w + 1) * slice);
      const { bytes, offsets } = pack(part, (total) => this.#spare.take(total));
      parts.push(
        new Promise<readonly Verdict[]>((resolve, reject) => {
          this.#pending.set(job, { items: part, resolve, reject });
          const message: ToWorker = { type: 'verify', job, bytes, offsets };
          (this.#workers[job % this.size] as Worker).postMessage(message, [bytes]);
        }),
      );
    }
    return (await Promise.all(parts)).flat();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
    for (const p of this.#pending.values()) p.reject(new NodeError('ERR_VERIFY_POOL_CLOSED', 'verify pool closed'));
    this.#pending.clear();
  }

  #onMessage(m: FromWorker): void {
    if (m.type === 'fatal') {
      this.#fail(new NodeError('ERR_VERIFY_WORKER', `verify worker: ${m.message}`));
      return;
    }
    this.#spare.give(m.bytes);
    const p = this.#pending.get(m.job);
    if (p === undefined) return;
    this.#pending.delete(m.job);
    const ids = new Uint8Array(m.ids);
    const layouts = new Float64Array(m.layouts);
    const verdicts: Verdict[] = new Array(p.items.length);
    for (const f of m.failures) verdicts[f.index] = { ok: false, id: f.id, reason: f.reason, detail: f.detail };
    for (let i = 0; i < p.items.length; i++) {
      if (verdicts[i] !== undefined) continue;
      const vertex = vertexFromLayout(p.items[i] as Uint8Array, ids.subarray(32 * i, 32 * i + 32), layouts, LAYOUT_WORDS * i);
      verdicts[i] = { ok: true, vertex };
    }
    p.resolve(verdicts);
  }

  #fail(error: Error): void {
    if (this.#failure === undefined) this.#failure = error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
}
