import { equalBytes, fromHex } from '../crypto/index.ts';
import { compareIds, compareTopological, idKey } from '../dag/index.ts';
import { SyncDecodeFailure } from './errors.ts';
import type { SaltedFingerprints } from './fingerprint.ts';
import type { FlightBuilder } from './flight.ts';
import { SYNC_LIMITS } from './limits.ts';
import { answerRanges, inOpenRange, openingRanges, type OpenRange, type RangeBudget } from './ranges.ts';
import type { OrderedVertices, SyncItem, SyncReplica } from './replica.ts';
import { SortedItems } from './sorted-items.ts';
import type { WireRange } from './wire.ts';

/** A frontier as exchanged: the ids, or "too wide" (more than SYNC_LIMITS.maxFrontierIds). */
export interface FrontierInfo {
  readonly ids: readonly Uint8Array[];
  readonly tooWide: boolean;
}

/** How a topic ended, which decides what the next session's base is. */
export type TopicOutcome = 'open' | 'settled' | 'equal' | 'not-carried' | 'dropped';

/** What the session lends a topic while it answers one flight. */
export interface TopicContext {
  readonly replica: SyncReplica;
  readonly fingerprints: SaltedFingerprints;
  readonly idListThreshold: number;
  readonly branching: number;
  readonly budget: RangeBudget;
  readonly out: FlightBuilder;
  /** The responder opens range reconciliation; the initiator only answers. */
  readonly opens: boolean;
}

/** Records about one topic received in the current flight. */
interface Incoming {
  frontier: FrontierInfo | undefined;
  base: Uint8Array | undefined;
  covered: boolean;
  notCarried: boolean;
  ranges: WireRange[];
  wants: Uint8Array[];
}

function emptyIncoming(): Incoming {
  return { frontier: undefined, base: undefined, covered: false, notCarried: false, ranges: [], wants: [] };
}

/**
 * The reconciliation of one topic inside a session. Frontiers go first: a side that holds every id
 * of the other's frontier holds its whole history, so it sends exactly what the other lacks and
 * says so (COVERED). Otherwise range reconciliation runs until every range is settled. Vertices
 * owed to the peer go out parents first and only once every parent is known to be at the peer or
 * sent, so the receiver never has to park a vertex for missing parents.
 */
export class TopicSync {
  readonly topic: Uint8Array;
  readonly hex: string;
  outcome: TopicOutcome = 'open';
  /** Our frontier when we first described the topic to the peer. */
  mine: FrontierInfo | undefined;
  #frontierSent = false;
  peerFrontier: FrontierInfo | undefined;
  /** Base ids we proposed (initiator) or hold for the peer (responder). */
  base: readonly Uint8Array[] | undefined;
  baseDigest: Uint8Array | undefined;
  baseAccepted = false;
  incoming: Incoming = emptyIncoming();
  /** Ranges we left open in our last flight; undefined before range reconciliation started. */
  open: OpenRange[] | undefined;
  /** We hold all the peer has: `owed` is exactly what it lacks and needs no parent checks. */
  covering = false;
  readonly owed = new Map<string, SyncItem>();
  readonly sent = new Set<string>();
  wantsOutstanding = false;
  /** Whether received vertices of this topic are handed to the host (decided on first use). */
  accepts: boolean | undefined;
  #view: OrderedVertices | undefined;

  constructor(topic: Uint8Array) {
    this.topic = topic;
    this.hex = idKey(topic);
  }

  get done(): boolean {
    return this.outcome !== 'open';
  }

  /** Still waiting for the peer: open ranges or unanswered wants. */
  get awaiting(): boolean {
    return !this.done && ((this.open?.length ?? 0) > 0 || this.wantsOutstanding);
  }

  /**
   * Whether received vertices of this topic are taken: asked of the replica at the first vertex or
   * want of the session and kept for the rest of it (the opening asks afresh, without keeping it).
   */
  carried(replica: SyncReplica): boolean {
    return (this.accepts ??= replica.carries(this.topic));
  }

  /** Ends the topic with NOT_CARRIED: this node takes nothing of it in this session. */
  decline(out: FlightBuilder): void {
    out.add({ type: 'not-carried', topic: this.topic });
    this.finish('not-carried');
  }

  finish(outcome: Exclude<TopicOutcome, 'open'>): void {
    this.outcome = outcome;
    this.owed.clear();
    this.open = [];
    this.wantsOutstanding = false;
  }

  describeMine(replica: SyncReplica): FrontierInfo {
    if (this.mine === undefined) {
      const ids = [...replica.frontier(this.topic)].sort(compareIds);
      this.mine = ids.length > SYNC_LIMITS.maxFrontierIds ? { ids: [], tooWide: true } : { ids, tooWide: false };
    }
    return this.mine;
  }

  /** Our FRONTIER record for this topic, sent once per session. */
  sendFrontier(replica: SyncReplica, out: FlightBuilder): void {
    if (this.#frontierSent) return;
    const mine = this.describeMine(replica);
    out.add({ type: 'frontier', topic: this.topic, count: replica.topicSize(this.topic), tooWide: mine.tooWide, ids: mine.ids });
    this.#frontierSent = true;
  }

  #viewOf(replica: SyncReplica): OrderedVertices {
    if (this.#view === undefined) {
      this.#view = this.baseAccepted && this.base !== undefined ? new SortedItems(replica.missingFor(this.topic, this.base)) : replica.ordered(this.topic);
    }
    return this.#view;
  }

  /** Answers what the peer said about this topic in the flight just received. */
  advance(ctx: TopicContext): void {
    const inc = this.incoming;
    this.incoming = emptyIncoming();
    this.wantsOutstanding = false;
    if (this.done || this.covering) return;
    if (inc.notCarried) return this.finish('not-carried');
    if (inc.covered) return this.finish('settled');
    const { replica } = ctx;
    if (inc.base !== undefined && this.baseDigest !== undefined && equalBytes(inc.base, this.baseDigest)) this.baseAccepted = true;
    if (inc.frontier !== undefined && this.peerFrontier === undefined) {
      this.peerFrontier = inc.frontier;
      if (!inc.frontier.tooWide && inc.frontier.ids.every((id) => replica.has(idKey(id)))) {
        // Everything the peer has is in our past: send what lies outside its frontier's past.
        this.sendFrontier(replica, ctx.out);
        ctx.out.add({ type: 'covered', topic: this.topic });
        this.covering = true;
        this.open = [];
        this.owed.clear();
        for (const item of replica.missingFor(this.topic, inc.frontier.ids)) this.owed.set(item.key, item);
        return;
      }
    }
    // A topic this node does not take (a courier at its quota) is only given, and only when it
    // covers the peer (above). Reconciling it further would make the peer send what this node
    // refuses, again at every session: the topic ends here instead.
    if (!this.carried(replica)) return this.decline(ctx.out);
    for (const id of inc.wants) {
      const key = idKey(id);
      const meta = replica.meta(key);
      // Only what this topic holds: a want cannot pull vertices of topics outside the session.
      if (meta !== undefined && meta.topic === this.hex) this.owed.set(key, { lamport: meta.lamport, id, key });
    }
    const view = this.#viewOf(replica);
    const rangeCtx = { view, fingerprints: ctx.fingerprints, idListThreshold: ctx.idListThreshold, branching: ctx.branching, budget: ctx.budget };
    let ranges: WireRange[] | undefined;
    if (inc.ranges.length > 0) {
      const answer = answerRanges(rangeCtx, inc.ranges, (k) => replica.has(k));
      // An all-skip answer to an all-skip message settles nothing new: leave it out.
      const needed = answer.open.length > 0 || inc.ranges.some((r) => r.mode !== 'skip');
      ranges = needed ? answer.ranges : undefined;
      this.open = answer.open;
      for (const item of answer.owed) this.owed.set(item.key, item);
      if (answer.wants.length > 0) {
        ctx.out.addWants(this.topic, answer.wants);
        this.wantsOutstanding = true;
      }
    } else if (this.open === undefined && ctx.opens) {
      const opening = openingRanges(rangeCtx);
      ranges = opening.ranges;
      this.open = opening.open;
    } else if (this.open === undefined || this.open.length > 0) {
      throw new SyncDecodeFailure('unexpected-frame', `no ranges answered for topic ${this.hex}`);
    }
    this.sendFrontier(replica, ctx.out);
    if (this.baseAccepted && ctx.opens && inc.base !== undefined) ctx.out.add({ type: 'base', topic: this.topic, digest: inc.base });
    if (ranges !== undefined) ctx.out.addRanges(this.topic, ranges);
  }

  /**
   * Owed vertices that may go now, parents first: each parent is at the peer (in a settled range,
   * or outside the reconciled set), or sent already. Stops when `room` bytes are used up.
   */
  sendable(replica: SyncReplica, room: number): { bytes: Uint8Array[]; authors: string[]; used: number } {
    const bytes: Uint8Array[] = [];
    const authors: string[] = [];
    let used = 0;
    const ordered = [...this.owed.values()].sort(compareTopological);
    for (const item of ordered) {
      const meta = replica.meta(item.key);
      const data = replica.vertexBytes(item.key);
      if (meta === undefined || data === undefined) {
        // No longer held (cannot happen with an append-only store): skip rather than stall.
        this.owed.delete(item.key);
        this.sent.add(item.key);
        continue;
      }
      if (!this.covering && !meta.parents.every((p) => this.#atPeer(replica, p))) continue;
      if (used + data.length > room) break;
      used += data.length;
      bytes.push(data);
      authors.push(meta.author);
      this.owed.delete(item.key);
      this.sent.add(item.key);
    }
    return { bytes, authors, used };
  }

  #atPeer(replica: SyncReplica, parent: string): boolean {
    if (this.sent.has(parent)) return true;
    if (this.owed.has(parent)) return false;
    const open = this.open;
    if (open === undefined) return false;
    if (open.length === 0) return true;
    const meta = replica.meta(parent);
    if (meta === undefined) return true;
    const view = this.#view as OrderedVertices;
    const id = fromHex(parent);
    if (this.baseAccepted) {
      const i = view.lowerBound(meta.lamport, id);
      if (i >= view.size || view.at(i).key !== parent) return true; // in the base's past: the peer has it
    }
    return !inOpenRange(open, meta.lamport, id);
  }

  /** After our flight is built: a topic with nothing open, owed or asked is settled. */
  settleIfQuiet(): void {
    if (this.done) return;
    if ((this.open?.length ?? 1) === 0 && this.owed.size === 0 && !this.wantsOutstanding) this.outcome = 'settled';
  }
}
