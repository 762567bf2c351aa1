import { decodeWithId, type DecodedVertex, type VertexMeta } from '../dag/index.ts';
import type { ApplyOutcome, DocumentStore } from './document-store.ts';
import { CrdtError } from './errors.ts';
import type { DagView, RestoreReport } from './restore.ts';

/** Where the vertex bytes are (`SqliteStore` is one). */
export interface VertexBytesSource {
  getVertexBytes(id: Uint8Array): Uint8Array | undefined;
}

/** The DAG as materialising reads it (`Dag` is one). */
export interface MaterialiseDag extends DagView {
  topics(): string[];
  topologicalOrder(topic: string): readonly VertexMeta[];
}

/**
 * Opens a vertex's payload for the document store: identity until groups encrypt payloads.
 * Undefined means it cannot be opened here; the vertex is then applied with an empty payload,
 * which counts as an ignored payload.
 */
export type PayloadOpener = (vertex: DecodedVertex) => Uint8Array | undefined;

export interface MaterialiseReport {
  readonly restore: RestoreReport;
  /** Vertices read from the store and applied. */
  readonly replayed: number;
  /** Vertices skipped because a restored snapshot covers them (never read). */
  readonly skipped: number;
  /** Documents written by the closing snapshot. */
  readonly written: number;
}

const EMPTY = new Uint8Array(0);

/** The opener until groups encrypt payloads: the payload is the envelope. */
export const plainPayload: PayloadOpener = (v) => v.payload;

/** Applies a placed vertex with its opened payload; one that cannot be opened counts as ignored. */
export function applyOpened(documents: DocumentStore, vertex: DecodedVertex, openPayload: PayloadOpener): ApplyOutcome {
  return documents.applyVertex(vertex, openPayload(vertex) ?? EMPTY);
}

/**
 * Brings a fresh document store up to date with a DAG loaded from disk (the restart path):
 * installs the snapshots of the store's snapshot store, then applies, topic by topic in the
 * DAG's topological order, only the vertices no snapshot covers, reading their bytes from
 * `vertices`. Finally writes a snapshot of what was replayed, so the next start replays less.
 * Without snapshots this is a rebuild from scratch. Throws CrdtError `ERR_MATERIALISE` if the DAG
 * names a vertex whose bytes are missing or do not decode (a corrupt store).
 */
export function materialise(dag: MaterialiseDag, vertices: VertexBytesSource, documents: DocumentStore, openPayload: PayloadOpener = plainPayload): MaterialiseReport {
  const restore = documents.restore(documents.snapshots?.getSnapshots() ?? [], dag);
  let replayed = 0;
  let skipped = 0;
  for (const topic of dag.topics()) {
    for (const meta of dag.topologicalOrder(topic)) {
      if (documents.hasApplied(topic, meta.key)) {
        skipped++;
        continue;
      }
      const bytes = vertices.getVertexBytes(meta.id);
      if (bytes === undefined) throw new CrdtError('ERR_MATERIALISE', `vertex ${meta.key} is in the DAG but its bytes are not stored`);
      const decoded = decodeWithId(bytes, meta.id);
      if (!decoded.ok) throw new CrdtError('ERR_MATERIALISE', `stored vertex ${meta.key} does not decode: ${decoded.reason}`);
      applyOpened(documents, decoded.vertex, openPayload);
      replayed++;
    }
  }
  const written = documents.flush();
  return { restore, replayed, skipped, written };
}
