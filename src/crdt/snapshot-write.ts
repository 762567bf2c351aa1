import { fromHex } from '../crypto/index.ts';
import type { DocumentSlot, RecordedRejection } from './document-slot.ts';
import type { SnapshotStore, StoredDocument, StoredRejection, TopicSnapshot } from './snapshot.ts';
import type { TopicSlot } from './topic-slot.ts';

function storedRejection(r: RecordedRejection | undefined): StoredRejection | undefined {
  return r === undefined ? undefined : { reason: r.reason, detail: r.detail, vertex: fromHex(r.vertex) };
}

/**
 * Writes one batch for `topics`: each topic's progress and its documents changed since its last
 * write (all of them when its stored rows are to be replaced). Documents are marked clean, and
 * their snapshot bytes become their rollback checkpoints, only after the store accepted the
 * batch: a failed write leaves everything due for the next one. Returns the documents written.
 */
export function writeSnapshots(store: SnapshotStore, topics: readonly TopicSlot[]): number {
  const batch: TopicSnapshot[] = [];
  const written: [DocumentSlot, Uint8Array][] = [];
  for (const t of topics) {
    const frontier = t.frontierIds();
    const documents: StoredDocument[] = [];
    for (const slot of t.docs.values()) {
      if (!slot.dirty && !t.replace) continue;
      const state = slot.crdt.encodeState(slot.state);
      written.push([slot, state]);
      documents.push({
        id: slot.id,
        type: slot.type,
        name: slot.name,
        frontier,
        state,
        appliedOps: slot.appliedOps,
        rejectedEntries: slot.rejectedEntries,
        lastRejection: storedRejection(slot.lastRejection),
      });
    }
    batch.push({
      topic: {
        topic: t.topic,
        frontier,
        appliedVertices: t.appliedVertices,
        ignoredPayloads: t.ignoredPayloads,
        unknownTypeEntries: t.unknownTypeEntries,
        lastProblem: storedRejection(t.lastProblem),
      },
      documents,
      replace: t.replace,
    });
  }
  store.putSnapshots(batch);
  for (const [slot, bytes] of written) {
    slot.dirty = false;
    slot.checkpoint(bytes);
  }
  for (const t of topics) {
    t.sinceSnapshot = 0;
    t.replace = false;
  }
  return written.length;
}
