import { toHex } from '../crypto/index.ts';
import type { DecodedVertex } from '../dag/index.ts';
import type { SessionReport } from '../net/index.ts';
import type { NetTables } from '../store/index.ts';

/**
 * How far behind a topic may be, measured by the last time it was reconciled.
 *
 * The host's sessions run in courier mode: a completed session compares every topic either side
 * holds, and when it ends both sides hold everything the other held of those topics when it
 * *began* (a pass the responder cut short is resumed at once by the initiator, so the pass that
 * completes without a cut closes a session that covered every topic). So a topic is reconciled at
 * the start S of a completed, uncut session with any peer if this node held it at S, or if its
 * first vertex here came from that very peer during the session.
 *
 * The lag of a topic is then `now − S` of its most recent such session: nothing older than that
 * can be missing on this node or on that peer. What was written after S may be missing, though
 * push gossip offers it to connected peers as soon as it is stored. Caveats: the peer may be a
 * courier rather than a member, and "never" means no session has covered the topic since it
 * appeared here. The times are kept in the store, so the lag survives a restart.
 */
export class SyncLag {
  readonly #tables: NetTables;
  readonly #now: () => number;
  /** topic hex → Unix ms of the start of the last session that reconciled it */
  readonly #reconciled: Map<string, number>;
  /** Topics first stored during this run: when and from whom. Topics stored before the run are absent. */
  readonly #firstSeen = new Map<string, { readonly at: number; readonly source: string }>();
  readonly #heldAtStart: Set<string>;

  constructor(tables: NetTables, heldTopics: Iterable<string>, now: () => number) {
    this.#tables = tables;
    this.#now = now;
    this.#reconciled = tables.topicSyncs();
    this.#heldAtStart = new Set(heldTopics);
  }

  /** Follows every commit (`Ingester.onStored`): remembers when a topic new to this node arrived. */
  noteStored(vertices: readonly DecodedVertex[], source: string): void {
    const at = this.#now();
    for (const v of vertices) {
      const topic = toHex(v.topic);
      if (!this.#heldAtStart.has(topic) && !this.#firstSeen.has(topic)) this.#firstSeen.set(topic, { at, source });
    }
  }

  /**
   * Records a finished session: if it completed without a cut, every topic of `topics` (the ones
   * whose lag is shown) that it covered is reconciled as of its start.
   */
  noteSession(report: SessionReport, topics: readonly Uint8Array[]): void {
    if (report.outcome !== 'completed' || report.stats.courierResume !== undefined) return;
    const start = Math.round(this.#now() - report.durationMs);
    const covered: Uint8Array[] = [];
    for (const t of topics) {
      const hex = toHex(t);
      const seen = this.#firstSeen.get(hex);
      if (seen !== undefined && seen.at > start && seen.source !== report.peer) continue;
      covered.push(t);
      if ((this.#reconciled.get(hex) ?? -Infinity) < start) this.#reconciled.set(hex, start);
    }
    this.#tables.putTopicSyncs(covered, start);
  }

  /** Start of the last session that reconciled `topic` (hex), or undefined if none did. */
  reconciledAt(topic: string): number | undefined {
    return this.#reconciled.get(topic);
  }
}
