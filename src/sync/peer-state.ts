import { ByteWriter, fromHex, toHex } from '../crypto/index.ts';
import { compareIds, sortedUniqueIds } from '../dag/index.ts';
import { SyncDecodeFailure, type SyncFailure } from './errors.ts';
import { SYNC_LIMITS, SYNC_SIZES } from './limits.ts';
import { ByteReader } from './wire-bytes.ts';

/** Format version of serialised peer state. */
export const PEER_STATE_VERSION = 1;

export const PEER_STATE_LIMITS = Object.freeze({
  /** Most topics remembered per peer. */
  maxTopics: 65_536,
  /** Most base ids per topic: both sides' frontiers. */
  maxBaseIds: 2 * SYNC_LIMITS.maxFrontierIds,
});

/**
 * What a finished session leaves for the next one with the same peer: per topic, a *base* — the
 * union of both sides' frontiers when the session started. After a successful session both sides
 * hold everything in the past of the base, so the next session reconciles only what lies outside
 * it (proposed by a salted digest; used only if both sides still hold every base id and agree).
 * Immutable; serialise with `toBytes`, restore with `SyncPeerState.fromBytes`.
 *
 * Wire form: u8 version (1) ‖ varint topics ‖ per topic, ascending: topic (16 B) ‖ varint n ‖
 * n ids (32 B each, ascending, unique).
 */
export class SyncPeerState {
  readonly #bases: ReadonlyMap<string, readonly Uint8Array[]>;

  private constructor(bases: ReadonlyMap<string, readonly Uint8Array[]>) {
    this.#bases = bases;
  }

  static empty(): SyncPeerState {
    return new SyncPeerState(new Map());
  }

  /** Topics (hex) with a base. */
  topics(): string[] {
    return [...this.#bases.keys()].sort();
  }

  /** The base of a topic (hex tag), ascending ids, if one is remembered. */
  base(topic: string): readonly Uint8Array[] | undefined {
    return this.#bases.get(topic);
  }

  /** A new state with these topics' bases replaced (`undefined` forgets one). */
  with(updates: ReadonlyMap<string, readonly Uint8Array[] | undefined>): SyncPeerState {
    const next = new Map(this.#bases);
    for (const [topic, ids] of updates) {
      if (ids === undefined || ids.length === 0 || ids.length > PEER_STATE_LIMITS.maxBaseIds) next.delete(topic);
      else next.set(topic, sortedUniqueIds(ids.map((id) => Uint8Array.from(id))));
    }
    while (next.size > PEER_STATE_LIMITS.maxTopics) next.delete(next.keys().next().value as string);
    return new SyncPeerState(next);
  }

  toBytes(): Uint8Array {
    const w = new ByteWriter();
    w.u8(PEER_STATE_VERSION);
    const topics = this.topics();
    w.varint(topics.length);
    for (const topic of topics) {
      const ids = this.#bases.get(topic) as readonly Uint8Array[];
      w.bytes(fromHex(topic));
      w.varint(ids.length);
      for (const id of ids) w.bytes(id);
    }
    return w.finish();
  }

  /** Parses serialised state; a typed failure (never a throw) if it is malformed or breaks a limit. */
  static fromBytes(bytes: Uint8Array): { readonly ok: true; readonly state: SyncPeerState } | { readonly ok: false; readonly failure: SyncFailure } {
    try {
      const r = new ByteReader(bytes);
      const version = r.u8('peer state version');
      if (version !== PEER_STATE_VERSION) throw new SyncDecodeFailure('unknown-version', `peer state version ${version}, this code reads ${PEER_STATE_VERSION}`);
      const count = r.count('peer state topics', PEER_STATE_LIMITS.maxTopics);
      r.need(count * (SYNC_SIZES.topic + 1), 'peer state topics');
      const bases = new Map<string, readonly Uint8Array[]>();
      let previous = '';
      for (let i = 0; i < count; i++) {
        const topic = toHex(r.view(SYNC_SIZES.topic, 'topic'));
        if (topic <= previous) throw new SyncDecodeFailure('non-canonical', 'peer state topics are not ascending and unique');
        previous = topic;
        const n = r.count('base ids', PEER_STATE_LIMITS.maxBaseIds);
        if (n === 0) throw new SyncDecodeFailure('malformed', 'empty base');
        r.need(n * SYNC_SIZES.id, 'base ids');
        const ids: Uint8Array[] = [];
        for (let j = 0; j < n; j++) {
          const id = r.copy(SYNC_SIZES.id, 'base id');
          if (j > 0 && compareIds(ids[j - 1] as Uint8Array, id) >= 0) throw new SyncDecodeFailure('non-canonical', 'base ids are not ascending and unique');
          ids.push(id);
        }
        bases.set(topic, ids);
      }
      if (r.remaining !== 0) throw new SyncDecodeFailure('malformed', `${r.remaining} bytes after the peer state`);
      return { ok: true, state: new SyncPeerState(bases) };
    } catch (error) {
      if (error instanceof SyncDecodeFailure) return { ok: false, failure: { code: error.code, detail: error.detail } };
      throw error;
    }
  }
}
