import { BUNDLE_SOURCE_PREFIX } from '../bundle/index.ts';
import { fromHex, toHex } from '../crypto/index.ts';
import type { Dag, DecodedVertex } from '../dag/index.ts';
import type { SqliteStore } from '../store/index.ts';
import { CourierLedger } from './courier-ledger.ts';
import type { CourierQuotas } from './courier-quotas.ts';
import { LOCAL_SOURCE, type IngestAdmission } from './ingest.ts';
import { MemberTopics, type OwnTopicSource } from './member-topics.ts';

/**
 * Before `carries` turns a topic down, the node's own topics are re-read, at most this often: a
 * session asks about thousands of topics, and every path that adds an own topic (a group made or
 * joined here, an invite issued through MeshNode, a welcome received) refreshes at once anyway.
 */
export const MEMBERSHIP_RECHECK_MS = 1_000;

/** Foreign topics remembered as declined (listed in courier summaries) at most; the least recent go first. */
export const MAX_DECLINED_TOPICS = 1_024;

/** Ingest sources the quotas do not apply to: this node's own writes and bundles its user imports. */
function isExemptSource(source: string): boolean {
  return source === LOCAL_SOURCE || source.startsWith(BUNDLE_SOURCE_PREFIX);
}

/** What the policy reads of the store: the foreign bytes it counts are derived from it at start. */
export interface CourierStoreView {
  /** Hex of every topic with at least one stored vertex. */
  topics(): Iterable<string>;
  /** Vertices held of a topic. */
  topicSize(topic: string): number;
  /** Encoded bytes stored of a topic. */
  storedBytes(topic: Uint8Array): number;
  /**
   * Hex of every topic this node wrote a vertex in (a completed join's rendezvous, say): those are
   * its own. Read once at start, and only when some stored topic is not already known as own.
   */
  authoredTopics(): ReadonlySet<string>;
}

/** The view over a node's store and DAG. */
export function courierStoreView(store: SqliteStore, dag: Dag, self: Uint8Array): CourierStoreView {
  const selfHex = toHex(self);
  return {
    topics: () => dag.topics(),
    topicSize: (topic) => dag.topicSize(topic),
    // One pass over the DAG for all topics (a scan per topic would read every vertex once per topic).
    authoredTopics: () => {
      const topics = new Set<string>();
      for (const m of dag.topologicalOrder()) if (m.author === selfHex) topics.add(m.topic);
      return topics;
    },
    storedBytes: (topic) => store.topicBytes(topic),
  };
}

export interface CourierPolicyOptions {
  readonly quotas: CourierQuotas;
  readonly own: OwnTopicSource;
  readonly store: CourierStoreView;
  /** Monotonic or wall clock in ms, for the per-peer windows. */
  readonly now: () => number;
}

/** Foreign holdings, for status and tests. */
export interface CourierUsage {
  readonly topics: number;
  readonly bytes: number;
  readonly declined: number;
}

/**
 * Which vertices of foreign topics (see `CourierQuotas`) this node keeps, and which topics it
 * takes from peers. The node's own topics are always taken. A foreign topic is taken while it,
 * the foreign total and the delivering peer's window all have room; past that its vertices are
 * not stored — an expected outcome, never a fault of the peer — and sync stops asking for it:
 * `carries` turns false, so sessions end the topic (NOT_CARRIED) instead of receiving again and
 * again what would be refused. A full topic the node holds is still given to peers it covers.
 *
 * A topic declined before this node held any of it is remembered (`declined()`): the node lists
 * it in its courier summaries with an empty frontier, so a peer does not take its absence for
 * "send me all of it" at every session.
 *
 * Counts are derived from the store at construction and follow every commit (`noteStored`), so
 * they survive a restart; the per-peer windows live in memory.
 */
export class CourierPolicy implements IngestAdmission {
  readonly #ledger: CourierLedger;
  readonly #members: MemberTopics;
  readonly #store: CourierStoreView;
  readonly #now: () => number;
  readonly #declined = new Map<string, Uint8Array>();
  #refreshedAt = -Infinity;

  constructor(options: CourierPolicyOptions) {
    this.#ledger = new CourierLedger(options.quotas);
    this.#members = new MemberTopics(options.own);
    this.#store = options.store;
    this.#now = options.now;
    let authored: ReadonlySet<string> | undefined;
    for (const topic of options.store.topics()) {
      if (this.#members.has(topic)) continue;
      authored ??= options.store.authoredTopics();
      if (authored.has(topic)) this.#members.authored(topic);
      else this.#count(topic);
    }
  }

  usage(): CourierUsage {
    return { topics: this.#ledger.topicCount, bytes: this.#ledger.total, declined: this.#declined.size };
  }

  /** Whether `topic` (hex) is one of the node's own. */
  isMember(topic: string): boolean {
    return this.#members.has(topic);
  }

  /** Whether the node takes vertices of `topic` from peers (from `peer`, when the asking session's peer is known). */
  carries(topic: Uint8Array, peer?: string): boolean {
    const hex = toHex(topic);
    if (this.#members.has(hex)) return true;
    const now = this.#now();
    if (this.#ledger.hasRoom(hex, peer, now)) {
      this.#declined.delete(hex);
      return true;
    }
    if (now - this.#refreshedAt >= MEMBERSHIP_RECHECK_MS) {
      this.refreshMembership();
      if (this.#members.has(hex)) return true;
    }
    if (this.#store.topicSize(hex) === 0) {
      this.#declined.delete(hex);
      if (this.#declined.size >= MAX_DECLINED_TOPICS) this.#declined.delete(this.#declined.keys().next().value as string);
      this.#declined.set(hex, fromHex(hex));
    }
    return false;
  }

  /** Foreign topics declined while none of them was held, most recent last. */
  declined(): Uint8Array[] {
    return [...this.#declined.values()];
  }

  /** See `IngestAdmission`: admits what fits, counting what this commit admitted before. */
  batch(): (vertex: DecodedVertex, source: string) => boolean {
    // One commit is one instant; what it admitted so far counts against the topic and the total,
    // and what each peer sent in it against that peer.
    const now = this.#now();
    const pending = new Map<string, number>();
    const fromPeer = new Map<string, number>();
    let taken = 0;
    let refreshed = false;
    const refused = new Set<string>();
    return (vertex, source) => {
      if (isExemptSource(source)) return true;
      const hex = toHex(vertex.topic);
      if (this.#members.has(hex)) return true;
      // Once one vertex of a topic from a peer is refused, so are the rest: its children would only wait for it.
      const refusal = `${hex} ${source}`;
      if (refused.has(refusal)) return false;
      const size = vertex.bytes.length;
      const mine = (pending.get(hex) ?? 0) + size;
      const peers = (fromPeer.get(source) ?? 0) + size;
      if (!this.#ledger.fits(hex, mine, taken + size, peers, source, now)) {
        // Before refusing, make sure the topic did not become the node's own meanwhile.
        if (!refreshed) {
          refreshed = true;
          this.refreshMembership();
          if (this.#members.has(hex)) return true;
        }
        if (!this.#ledger.fits(hex, mine, taken + size, peers, source, now)) {
          refused.add(refusal);
          return false;
        }
      }
      pending.set(hex, mine);
      fromPeer.set(source, peers);
      taken += size;
      return true;
    };
  }

  /** Follows a durable commit (an `Ingester.onStored` listener). */
  noteStored(vertices: readonly DecodedVertex[], source: string): void {
    const now = this.#now();
    const peer = isExemptSource(source) ? undefined : source;
    let refresh = false;
    for (const v of vertices) {
      const hex = toHex(v.topic);
      if (source === LOCAL_SOURCE && this.#members.authored(hex)) this.#ledger.drop(hex);
      if (this.#members.isRendezvous(hex)) refresh = true;
      if (this.#members.has(hex)) continue;
      this.#ledger.add(hex, v.bytes.length, peer, now);
      this.#declined.delete(hex);
    }
    // A welcome on a join's topic, or an admission on an invite's, may have added a group.
    if (refresh) this.refreshMembership();
  }

  /** Re-reads which topics are the node's own (after an invite or a join) and recounts what changed side. */
  refreshMembership(): void {
    this.#refreshedAt = this.#now();
    const { added, removed } = this.#members.refresh();
    for (const t of added) this.#ledger.drop(t);
    for (const t of removed) this.#count(t);
  }

  #count(topic: string): void {
    this.#ledger.set(topic, this.#store.storedBytes(fromHex(topic)));
  }
}
