/*
 * What the document store persists, and the interface of whoever persists it. The crdt layer is
 * sans-I/O and sits beside the store layer, not above it, so it names only the shape it needs;
 * `SqliteStore` (src/store/) has methods of the same shape. Records read back are untrusted:
 * type names and rejection reasons come back as plain strings and are checked on restore.
 */

/** A refusal as remembered: why, in a few words, and which vertex carried it. */
export interface StoredRejection {
  /** A `CrdtRejectionReason`. */
  readonly reason: string;
  readonly detail: string;
  /** Id of the vertex whose payload was refused. */
  readonly vertex: Uint8Array;
}

/**
 * One document's snapshot. `frontier` is the topic's applied frontier when the state was last
 * written: the state holds exactly the operations of those vertices and their ancestors. The
 * state stays the document's state at later frontiers of its topic until it next changes.
 */
export interface StoredDocument {
  /** 32-byte document id. */
  readonly id: Uint8Array;
  /** A `CrdtTypeName`. */
  readonly type: string;
  readonly name: string;
  /** Vertex ids, ascending. */
  readonly frontier: readonly Uint8Array[];
  /** The type's canonical `encodeState` bytes. */
  readonly state: Uint8Array;
  /** Operations applied to the document. */
  readonly appliedOps: number;
  /** Document entries refused (each leaves the state untouched). */
  readonly rejectedEntries: number;
  readonly lastRejection: StoredRejection | undefined;
}

/**
 * How far a topic is materialised: every document with an entry in a vertex of `frontier` or its
 * ancestors has a stored document snapshot, so a restart replays only the vertices outside that
 * causal past.
 */
export interface StoredTopic {
  /** 16-byte topic. */
  readonly topic: Uint8Array;
  /** The applied frontier: vertex ids, ascending. */
  readonly frontier: readonly Uint8Array[];
  /** Vertices applied. */
  readonly appliedVertices: number;
  /** Payloads that were not an envelope. */
  readonly ignoredPayloads: number;
  /** Document entries of a type this version does not know. */
  readonly unknownTypeEntries: number;
  /** The latest of those two kinds of refusal. */
  readonly lastProblem: StoredRejection | undefined;
}

/** One topic's part of a snapshot write. */
export interface TopicSnapshot {
  readonly topic: StoredTopic;
  /** Documents written now: those changed since the topic's previous snapshot, or all of them when `replace`. */
  readonly documents: readonly StoredDocument[];
  /** True when `documents` is every document of the topic: rows of any other are deleted. */
  readonly replace: boolean;
}

/** Where the document store keeps its snapshots. */
export interface SnapshotStore {
  /** Writes the batch durably and atomically (all of it or none). */
  putSnapshots(batch: readonly TopicSnapshot[]): void;
  /** The stored snapshots: of one topic, or of all. `replace` is true on what is read back. */
  getSnapshots(topic?: Uint8Array): TopicSnapshot[];
}
