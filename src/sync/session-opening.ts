import { equalBytes } from '../crypto/index.ts';
import { compareIds, idKey, sortedUniqueIds } from '../dag/index.ts';
import { initiatorTopics, responderTopics } from './courier.ts';
import { SyncDecodeFailure } from './errors.ts';
import { baseDigest, frontierDigest, type Hash } from './fingerprint.ts';
import type { FlightBuilder } from './flight.ts';
import type { SyncPeerState } from './peer-state.ts';
import type { SyncReplica } from './replica.ts';
import type { SyncMode } from './session-options.ts';
import type { TopicSync } from './topic-sync.ts';
import type { SummaryEntry, SyncRecord } from './wire.ts';

/*
 * The first exchange of a session: what the hello says about each topic, and how the responder
 * (on the hello) and the initiator (on the welcome) set their topics up from it.
 */

/** What the opening steps need from the session. */
export interface OpeningContext {
  readonly replica: SyncReplica;
  readonly hash: Hash;
  readonly initiatorNonce: Uint8Array;
  readonly peerState: SyncPeerState;
  addTopic(topic: Uint8Array): TopicSync;
}

/** Frontier ids for a digest: the described frontier, or the whole one when it is too wide to send. */
function digestIds(ctx: OpeningContext, t: TopicSync): readonly Uint8Array[] {
  const mine = t.describeMine(ctx.replica);
  return mine.tooWide ? [...ctx.replica.frontier(t.topic)].sort(compareIds) : mine.ids;
}

/** The base remembered for this peer and topic, if every id of it is still held. */
function heldBase(ctx: OpeningContext, t: TopicSync): readonly Uint8Array[] | undefined {
  const ids = ctx.peerState.base(t.hex);
  return ids !== undefined && ids.every((id) => ctx.replica.has(idKey(id))) ? ids : undefined;
}

/** Initiator: proposes the stored base of a topic if every id of it is still held. */
function proposeBase(ctx: OpeningContext, t: TopicSync): boolean {
  const ids = heldBase(ctx, t);
  if (ids === undefined) return false;
  t.base = ids;
  t.baseDigest = baseDigest(ctx.hash, ctx.initiatorNonce, t.topic, ids);
  return true;
}

/** Responder: accepts a proposed base only if it names the base we hold for this peer, all of it held. */
function acceptBase(ctx: OpeningContext, t: TopicSync, proposed: Uint8Array | undefined): void {
  if (proposed === undefined) return;
  const ids = heldBase(ctx, t);
  if (ids === undefined) return;
  const digest = baseDigest(ctx.hash, ctx.initiatorNonce, t.topic, ids);
  if (!equalBytes(digest, proposed)) return;
  t.base = ids;
  t.baseDigest = digest;
}

/** The hello's records. Returns where a courier summary was cut short, if it was. */
export function helloRecords(ctx: OpeningContext, mode: SyncMode, out: FlightBuilder): Uint8Array | undefined {
  if (mode.kind === 'topics') {
    for (const topic of sortedUniqueIds(mode.topics.map((t) => Uint8Array.from(t)))) {
      const t = ctx.addTopic(topic);
      t.accepts = true; // asked for by name: wanted whether or not anything of it is held yet
      t.sendFrontier(ctx.replica, out);
      if (proposeBase(ctx, t)) out.add({ type: 'base', topic, digest: t.baseDigest as Uint8Array });
    }
    return undefined;
  }
  const { topics, upTo } = initiatorTopics(ctx.replica, mode.after);
  const entries: SummaryEntry[] = topics.map((topic) => {
    const t = ctx.addTopic(topic);
    const digest = frontierDigest(ctx.hash, ctx.initiatorNonce, topic, digestIds(ctx, t));
    return { topic, digest, base: proposeBase(ctx, t) ? t.baseDigest : undefined };
  });
  out.add({ type: 'summary', after: mode.after, upTo, entries });
  return upTo;
}

/** Responder, topics mode: the topics named by the hello's FRONTIER records. */
export function openNamedTopics(ctx: OpeningContext, topics: Iterable<TopicSync>, out: FlightBuilder): void {
  for (const t of topics) {
    if (!ctx.replica.carries(t.topic)) {
      t.decline(out);
      continue;
    }
    if (t.incoming.frontier === undefined) throw new SyncDecodeFailure('malformed', 'hello names a topic without its frontier');
    acceptBase(ctx, t, t.incoming.base);
  }
}

/**
 * Responder, courier mode: every topic of the summary's span either side has. Equal digests end
 * a topic at once; a topic the initiator lacks gets an empty peer frontier (which we cover).
 * Returns the span's end if we had to cut it (sent as COURIER_BOUND).
 */
export function openCourierTopics(ctx: OpeningContext, summary: Extract<SyncRecord, { type: 'summary' }> | undefined, out: FlightBuilder): Uint8Array | undefined {
  if (summary === undefined) throw new SyncDecodeFailure('malformed', 'courier hello without a summary');
  const { topics, upTo } = responderTopics(ctx.replica, summary);
  if (upTo !== undefined) out.add({ type: 'courier-bound', upTo });
  for (const c of topics) {
    const t = ctx.addTopic(c.topic);
    if (c.entry === undefined) {
      t.incoming.frontier = { ids: [], tooWide: false };
      continue;
    }
    if (!c.mine && !ctx.replica.carries(c.topic)) {
      t.decline(out);
      continue;
    }
    if (c.mine && equalBytes(frontierDigest(ctx.hash, ctx.initiatorNonce, c.topic, digestIds(ctx, t)), c.entry.digest)) {
      t.finish('equal');
      continue;
    }
    acceptBase(ctx, t, c.entry.base);
    t.incoming.base = c.entry.base;
  }
  return upTo ?? summary.upTo;
}

/** Initiator, on a courier welcome: listed topics the responder did not mention are equal, or cut off. */
export function closeUnmentioned(topics: Iterable<TopicSync>, upTo: Uint8Array | undefined): void {
  for (const t of topics) {
    if (t.done) continue;
    const inc = t.incoming;
    const mentioned = inc.frontier !== undefined || inc.covered || inc.notCarried || inc.ranges.length > 0;
    if (upTo !== undefined && compareIds(t.topic, upTo) > 0) t.finish('dropped');
    else if (!mentioned) t.finish('equal');
  }
}
