import { Worker } from 'node:worker_threads';
import type { ProviderName } from '../../src/crypto/index.ts';

/** One signature check: the signed message, the signature and the author's ML-DSA-65 public key. */
export interface SignatureCase {
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly publicKey: Uint8Array;
}

export interface ParallelVerifyData {
  readonly provider: ProviderName;
  readonly cases: readonly SignatureCase[];
  readonly context: Uint8Array;
}

const WORKER_URL = new URL('./parallel-verify-worker.ts', import.meta.url);

/**
 * Threads that do nothing but check signatures: each checks every case once per `run`, with its
 * verifiers built before the clock starts. What they reach together is the most any pipeline on
 * this machine could, before it decodes, hashes or stores anything.
 */
export class ParallelVerify {
  readonly #workers: Worker[];
  readonly #cases: number;

  private constructor(workers: Worker[], cases: number) {
    this.#workers = workers;
    this.#cases = cases;
  }

  /** Starts `threads` workers and waits until each has built its verifiers and warmed up. */
  static async start(data: ParallelVerifyData, threads: number): Promise<ParallelVerify> {
    const workers = Array.from({ length: threads }, () => new Worker(WORKER_URL, { workerData: data }));
    await Promise.all(workers.map((w) => reply(w)));
    return new ParallelVerify(workers, data.cases.length);
  }

  /** Signatures checked per second by all threads at once. */
  async run(): Promise<number> {
    const start = performance.now();
    await Promise.all(this.#workers.map((w) => reply(w, 'run')));
    return (this.#workers.length * this.#cases) / ((performance.now() - start) / 1000);
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

/** The worker's next message (after posting `message`, if given); rejects if it fails first. */
function reply(worker: Worker, message?: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      worker.off('message', onMessage);
      reject(error);
    };
    const onMessage = (value: unknown): void => {
      worker.off('error', onError);
      resolve(value);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    if (message !== undefined) worker.postMessage(message);
  });
}
