import { PERMANENT_REASONS, type AuthorKey, type DecodedVertex } from '../dag/index.ts';
import { BAD_AUTHOR_KEY, type NetIngester, type NetIngestReport } from './ingest-port.ts';
import type { PeerGuard } from './peer-guard.ts';

/** How a received vertex reached this node: pushed down the gossip tree, asked for, or reconciled. */
export type Arrival = 'push' | 'reply' | 'sync';

export interface PeerIntakeOptions {
  readonly ingester: NetIngester;
  readonly guard: PeerGuard;
  /** Received bytes per peer in the Ingester and not yet committed before `room()` makes readers wait. */
  readonly maxPendingIngestBytes: number;
  /** Sees what each ingest stored, with the peer and the way it came. */
  readonly onIngested?: (stored: readonly DecodedVertex[], peer: string, via: Arrival) => void;
}

interface Pending {
  bytes: number;
  readonly waiters: Set<() => void>;
}

/**
 * Everything peers send goes into the node through here: vertices through the Ingester (full
 * validation, the peer's id string as the quarantine source, so each peer has its own share),
 * keys through `Ingester.addKey`. It counts each peer's bytes waiting in the Ingester, so readers
 * can stop reading a peer that sends faster than this node verifies, and it charges the peer for
 * what the Ingester refuses for good.
 */
export class PeerIntake {
  readonly #o: PeerIntakeOptions;
  readonly #pending = new Map<string, Pending>();

  constructor(options: PeerIntakeOptions) {
    this.#o = options;
  }

  /**
   * Whether an ingest from `source` (a peer id) is under way here. The Ingester's commit
   * listeners run inside that ingest, so a commit whose source answers true is one this intake
   * will report through `onIngested`.
   */
  ingesting(source: string): boolean {
    return (this.#pending.get(source)?.bytes ?? 0) > 0;
  }

  /** Validates and stores vertices from `peer`. Throws only what the Ingester throws (store failures). */
  async ingest(peer: string, items: readonly Uint8Array[], via: Arrival): Promise<NetIngestReport> {
    const size = items.reduce((n, b) => n + b.length, 0);
    const entry = this.#entry(peer);
    entry.bytes += size;
    let report: NetIngestReport;
    try {
      report = await this.#o.ingester.ingest(items, peer);
    } finally {
      entry.bytes -= size;
      this.#wake(peer, entry);
    }
    this.#o.onIngested?.(report.stored, peer, via);
    for (const r of report.rejected) {
      if (PERMANENT_REASONS.has(r.reason)) {
        if (this.#o.guard.penalise(peer, 'invalid-vertex', `${r.reason}: ${r.detail}`)) break;
      } else if (r.reason === 'quarantine-full') {
        if (this.#o.guard.penalise(peer, 'quarantine-full', r.detail)) break;
      }
    }
    return report;
  }

  /** Resolves once `peer` has less than the pending limit in the Ingester (at once if it has). */
  room(peer: string, signal?: AbortSignal): Promise<void> {
    const entry = this.#pending.get(peer);
    if (entry === undefined || entry.bytes < this.#o.maxPendingIngestBytes) return Promise.resolve();
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        entry.waiters.delete(wake);
        reject(signal?.reason);
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      entry.waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Learns keys a peer sent; a key that is not well formed costs the peer a point. */
  addKeys(peer: string, keys: readonly AuthorKey[]): void {
    for (const key of keys) {
      try {
        this.#o.ingester.addKey(key);
      } catch (error) {
        if ((error as { code?: unknown }).code !== BAD_AUTHOR_KEY) throw error;
        if (this.#o.guard.penalise(peer, 'bad-key', (error as Error).message)) break;
      }
    }
  }

  /** The peer is gone: its waiting vertices leave the quarantine (they were never acknowledged). */
  release(peer: string): void {
    const entry = this.#pending.get(peer);
    if (entry !== undefined && entry.bytes === 0 && entry.waiters.size === 0) this.#pending.delete(peer);
    this.#o.ingester.dag.quarantine.dropSource(peer);
  }

  #entry(peer: string): Pending {
    let entry = this.#pending.get(peer);
    if (entry === undefined) this.#pending.set(peer, (entry = { bytes: 0, waiters: new Set() }));
    return entry;
  }

  #wake(peer: string, entry: Pending): void {
    if (entry.bytes >= this.#o.maxPendingIngestBytes) return;
    for (const w of entry.waiters) w();
    entry.waiters.clear();
    if (entry.bytes === 0) this.#pending.delete(peer);
  }
}
