import type Database from 'better-sqlite3';
import { packIds, unpackIds } from './packed-ids.ts';
import { blobCopy, blobView, type Row } from './row-blobs.ts';

/*
 * The CRDT snapshot tables (schema v2): `crdt_topics`, how far each topic's documents are
 * materialised, and `crdt_snapshots`, one row per document. The records have the shape of the
 * crdt layer's `SnapshotStore` records (src/crdt/snapshot.ts); they are spelled out here rather
 * than imported because the store sits below the crdt layer.
 */

export interface SnapshotRejectionRecord {
  readonly reason: string;
  readonly detail: string;
  readonly vertex: Uint8Array;
}

export interface DocumentSnapshotRecord {
  readonly id: Uint8Array;
  readonly type: string;
  readonly name: string;
  readonly frontier: readonly Uint8Array[];
  readonly state: Uint8Array;
  readonly appliedOps: number;
  readonly rejectedEntries: number;
  readonly lastRejection: SnapshotRejectionRecord | undefined;
}

export interface TopicProgressRecord {
  readonly topic: Uint8Array;
  readonly frontier: readonly Uint8Array[];
  readonly appliedVertices: number;
  readonly ignoredPayloads: number;
  readonly unknownTypeEntries: number;
  readonly lastProblem: SnapshotRejectionRecord | undefined;
}

export interface TopicSnapshotRecord {
  readonly topic: TopicProgressRecord;
  readonly documents: readonly DocumentSnapshotRecord[];
  /** Delete the topic's other document rows. */
  readonly replace: boolean;
}

function rejectionOf(r: Row): SnapshotRejectionRecord | undefined {
  if (r['last_reason'] === null || r['last_vertex'] === null) return undefined;
  return { reason: r['last_reason'] as string, detail: (r['last_detail'] as string | null) ?? '', vertex: blobCopy(r['last_vertex']) };
}

export class SnapshotTables {
  readonly #stmt: ReturnType<typeof prepare>;
  readonly #put: (batch: readonly TopicSnapshotRecord[]) => void;

  constructor(db: Database.Database) {
    this.#stmt = prepare(db);
    this.#put = db.transaction((batch: readonly TopicSnapshotRecord[]) => {
      for (const item of batch) this.#write(item);
    });
  }

  /** Writes the batch in one transaction. */
  put(batch: readonly TopicSnapshotRecord[]): void {
    if (batch.length > 0) this.#put(batch);
  }

  #write(item: TopicSnapshotRecord): void {
    const s = this.#stmt;
    const t = item.topic;
    const tp = t.lastProblem;
    s.upsertTopic.run(t.topic, packIds(t.frontier), t.appliedVertices, t.ignoredPayloads, t.unknownTypeEntries, tp?.reason ?? null, tp?.detail ?? null, tp?.vertex ?? null);
    if (item.replace) s.deleteDocuments.run(t.topic);
    for (const d of item.documents) {
      const r = d.lastRejection;
      s.upsertDocument.run(t.topic, d.id, d.type, d.name, packIds(d.frontier), d.appliedOps, d.rejectedEntries, r?.reason ?? null, r?.detail ?? null, r?.vertex ?? null, d.state);
    }
  }

  /** Every stored topic snapshot (or one topic's), with all its document rows; ascending by topic, then document id. */
  get(topic?: Uint8Array): TopicSnapshotRecord[] {
    const s = this.#stmt;
    const topics = (topic === undefined ? s.allTopics.all() : s.oneTopic.all(topic)) as Row[];
    return topics.map((t) => {
      const documents = (s.documentsOf.all(t['topic']) as Row[]).map(
        (d): DocumentSnapshotRecord => ({
          id: blobCopy(d['doc_id']),
          type: d['type'] as string,
          name: d['name'] as string,
          frontier: unpackIds(blobView(d['frontier'])),
          state: blobView(d['state']),
          appliedOps: d['applied_ops'] as number,
          rejectedEntries: d['rejected_entries'] as number,
          lastRejection: rejectionOf(d),
        }),
      );
      return {
        topic: {
          topic: blobCopy(t['topic']),
          frontier: unpackIds(blobView(t['frontier'])),
          appliedVertices: t['applied_vertices'] as number,
          ignoredPayloads: t['ignored_payloads'] as number,
          unknownTypeEntries: t['unknown_type_entries'] as number,
          lastProblem: rejectionOf(t),
        },
        documents,
        replace: true,
      };
    });
  }
}

function prepare(db: Database.Database) {
  const topicColumns = 'topic, frontier, applied_vertices, ignored_payloads, unknown_type_entries, last_reason, last_detail, last_vertex';
  return {
    upsertTopic: db.prepare(
      `INSERT INTO crdt_topics (${topicColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (topic) DO UPDATE SET frontier = excluded.frontier, applied_vertices = excluded.applied_vertices,
         ignored_payloads = excluded.ignored_payloads, unknown_type_entries = excluded.unknown_type_entries,
         last_reason = excluded.last_reason, last_detail = excluded.last_detail, last_vertex = excluded.last_vertex`,
    ),
    deleteDocuments: db.prepare('DELETE FROM crdt_snapshots WHERE topic = ?'),
    upsertDocument: db.prepare(
      `INSERT INTO crdt_snapshots (topic, doc_id, type, name, frontier, applied_ops, rejected_entries, last_reason, last_detail, last_vertex, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (topic, doc_id) DO UPDATE SET type = excluded.type, name = excluded.name, frontier = excluded.frontier,
         applied_ops = excluded.applied_ops, rejected_entries = excluded.rejected_entries, last_reason = excluded.last_reason,
         last_detail = excluded.last_detail, last_vertex = excluded.last_vertex, state = excluded.state`,
    ),
    allTopics: db.prepare(`SELECT ${topicColumns} FROM crdt_topics ORDER BY topic`),
    oneTopic: db.prepare(`SELECT ${topicColumns} FROM crdt_topics WHERE topic = ?`),
    documentsOf: db.prepare(
      'SELECT doc_id, type, name, frontier, applied_ops, rejected_entries, last_reason, last_detail, last_vertex, state FROM crdt_snapshots WHERE topic = ? ORDER BY doc_id',
    ),
  };
}
