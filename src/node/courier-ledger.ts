import { COURIER_FULL_MARGIN, type CourierQuotas } from './courier-quotas.ts';

/** Peers whose window is remembered at most; expired windows go first, then the oldest. */
export const MAX_LEDGER_PEERS = 4_096;

interface PeerWindow {
  start: number;
  bytes: number;
}

/**
 * The courier's byte counts: per foreign topic, all foreign topics together, and per peer in the
 * current window. It only counts and compares; which topics are foreign is the policy's call
 * (`CourierPolicy`), which keeps the counts in step with the store.
 */
export class CourierLedger {
  readonly quotas: CourierQuotas;
  readonly #topics = new Map<string, number>();
  readonly #peers = new Map<string, PeerWindow>();
  #total = 0;

  constructor(quotas: CourierQuotas) {
    this.quotas = quotas;
  }

  /** Bytes of all foreign topics. */
  get total(): number {
    return this.#total;
  }

  /** Foreign topics with bytes counted. */
  get topicCount(): number {
    return this.#topics.size;
  }

  topicBytes(topic: string): number {
    return this.#topics.get(topic) ?? 0;
  }

  /** Sets a topic's count (derived from the store). */
  set(topic: string, bytes: number): void {
    this.drop(topic);
    if (bytes <= 0) return;
    this.#topics.set(topic, bytes);
    this.#total += bytes;
  }

  /** Forgets a topic (it became one of the node's own). */
  drop(topic: string): void {
    this.#total -= this.#topics.get(topic) ?? 0;
    this.#topics.delete(topic);
  }

  /** Counts stored bytes of a foreign topic, and against `peer`'s window when one delivered them. */
  add(topic: string, bytes: number, peer: string | undefined, now: number): void {
    this.#topics.set(topic, this.topicBytes(topic) + bytes);
    this.#total += bytes;
    if (peer !== undefined) this.#window(peer, now).bytes += bytes;
  }

  /** Bytes taken from `peer` in its current window. */
  peerBytes(peer: string, now: number): number {
    const w = this.#peers.get(peer);
    return w === undefined || now - w.start >= this.quotas.peerWindowMs ? 0 : w.bytes;
  }

  /** Whether `topic` (and `peer`, if given) still has room for one more vertex of any size. */
  hasRoom(topic: string, peer: string | undefined, now: number): boolean {
    return this.fits(topic, COURIER_FULL_MARGIN, COURIER_FULL_MARGIN, COURIER_FULL_MARGIN, peer, now);
  }

  /**
   * Whether `topic` can take `topicBytes` more, the foreign total `totalBytes` more, and `peer`'s
   * window (if given) `peerBytes` more: a batch passes what it admitted so far plus the next vertex.
   */
  fits(topic: string, topicBytes: number, totalBytes: number, peerBytes: number, peer: string | undefined, now: number): boolean {
    const q = this.quotas;
    if (this.topicBytes(topic) + topicBytes > q.maxTopicBytes) return false;
    if (this.#total + totalBytes > q.maxTotalBytes) return false;
    return peer === undefined || this.peerBytes(peer, now) + peerBytes <= q.maxPeerBytes;
  }

  #window(peer: string, now: number): PeerWindow {
    let w = this.#peers.get(peer);
    if (w !== undefined && now - w.start < this.quotas.peerWindowMs) return w;
    this.#peers.delete(peer);
    if (this.#peers.size >= MAX_LEDGER_PEERS) this.#prune(now);
    w = { start: now, bytes: 0 };
    this.#peers.set(peer, w);
    return w;
  }

  #prune(now: number): void {
    for (const [peer, w] of this.#peers) if (now - w.start >= this.quotas.peerWindowMs) this.#peers.delete(peer);
    // Insertion order is window-start order: the oldest windows go first.
    for (const peer of this.#peers.keys()) {
      if (this.#peers.size < MAX_LEDGER_PEERS) break;
      this.#peers.delete(peer);
    }
  }
}
