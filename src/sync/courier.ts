import { compareIds, idKey, sortedUniqueIds } from '../dag/index.ts';
import { SYNC_LIMITS } from './limits.ts';
import type { SyncReplica } from './replica.ts';
import type { SummaryEntry } from './wire.ts';

/*
 * Courier mode reconciles every topic either side carries, readable or not (a courier sees only
 * opaque 16-byte topic tags). The initiator opens with a summary: each topic it carries and a
 * digest of its frontier, salted with its nonce. The responder then knows, per topic, whether the
 * two are equal (nothing more is said), differ (it starts reconciling that topic as in topics
 * mode), or are missing on one side (it pushes the whole topic, or tells its empty frontier).
 */

/** Topics the initiator lists: it keeps half the session's topic budget for the responder's. */
export const COURIER_INITIATOR_TOPICS = SYNC_LIMITS.maxTopics / 2;

function above(topic: Uint8Array, bound: Uint8Array | undefined): boolean {
  return bound === undefined || compareIds(topic, bound) > 0;
}

/** The initiator's topics for the summary, ascending, after `after`; `upTo` is set when cut short. */
export function initiatorTopics(replica: SyncReplica, after: Uint8Array | undefined): { topics: Uint8Array[]; upTo: Uint8Array | undefined } {
  const unique = sortedUniqueIds([...replica.topics()].filter((t) => t.length === 16 && above(t, after)));
  if (unique.length <= COURIER_INITIATOR_TOPICS) return { topics: unique, upTo: undefined };
  const topics = unique.slice(0, COURIER_INITIATOR_TOPICS);
  return { topics, upTo: topics[topics.length - 1] };
}

export interface CourierTopic {
  readonly topic: Uint8Array;
  /** The initiator's summary entry, if it listed the topic. */
  readonly entry: SummaryEntry | undefined;
  /** Whether this side carries the topic with at least one vertex. */
  readonly mine: boolean;
}

/**
 * The responder's view of a courier summary: every topic in the summary's span that either side
 * has, ascending, at most SYNC_LIMITS.maxTopics of them. When there are more, the span is cut and
 * `upTo` is the new end, which the responder reports (COURIER_BOUND) so the initiator knows that
 * topics above it were not reconciled in this session.
 */
export function responderTopics(
  replica: SyncReplica,
  summary: { readonly after: Uint8Array | undefined; readonly upTo: Uint8Array | undefined; readonly entries: readonly SummaryEntry[] },
): { topics: CourierTopic[]; upTo: Uint8Array | undefined } {
  const inSpan = (t: Uint8Array): boolean => above(t, summary.after) && (summary.upTo === undefined || compareIds(t, summary.upTo) <= 0);
  const merged = new Map<string, { topic: Uint8Array; entry: SummaryEntry | undefined; mine: boolean }>();
  for (const e of summary.entries) merged.set(idKey(e.topic), { topic: e.topic, entry: e, mine: false });
  for (const t of replica.topics()) {
    if (t.length !== 16 || !inSpan(t) || replica.topicSize(t) === 0) continue;
    const k = idKey(t);
    const known = merged.get(k);
    if (known !== undefined) known.mine = true;
    else merged.set(k, { topic: t, entry: undefined, mine: true });
  }
  const sorted = [...merged.values()].sort((a, b) => compareIds(a.topic, b.topic));
  if (sorted.length <= SYNC_LIMITS.maxTopics) return { topics: sorted, upTo: undefined };
  const kept = sorted.slice(0, SYNC_LIMITS.maxTopics);
  return { topics: kept, upTo: (kept[kept.length - 1] as CourierTopic).topic };
}
