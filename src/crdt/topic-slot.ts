import { toHex } from '../crypto/index.ts';
import { compareIds, idKey, type DecodedVertex } from '../dag/index.ts';
import type { DocumentSlot, RecordedRejection } from './document-slot.ts';

export interface TopicStats {
  /** Vertices applied (those covered by a restored snapshot included). */
  readonly appliedVertices: number;
  /** Payloads that were not an envelope. */
  readonly ignoredPayloads: number;
  /** Document entries of a type this version does not know. */
  readonly unknownTypeEntries: number;
  /** The latest ignored payload or unknown-type entry. */
  readonly lastProblem: RecordedRejection | undefined;
}

/** One topic inside the document store: its documents and how far it is applied. */
export class TopicSlot {
  readonly topic: Uint8Array;
  readonly key: string;
  /** `type NUL name` → document: found without hashing the id (type names hold no NUL). */
  readonly docs = new Map<string, DocumentSlot>();
  /** Keys of the applied vertices, and of every vertex a restored snapshot covers. */
  applied: Set<string>;
  /** The applied frontier: key → id. */
  readonly #frontier = new Map<string, Uint8Array>();
  /** Largest Lamport clock applied. */
  maxLamport = 0;
  appliedVertices = 0;
  ignoredPayloads = 0;
  unknownTypeEntries = 0;
  lastProblem: RecordedRejection | undefined;
  /** Vertices applied since the topic was last written to the snapshot store. */
  sinceSnapshot = 0;
  /** The next write must replace every stored row of the topic (its stored snapshot was discarded). */
  replace = false;

  constructor(topic: Uint8Array, applied: Set<string> = new Set()) {
    this.topic = topic;
    this.key = toHex(topic);
    this.applied = applied;
  }

  markApplied(vertex: Pick<DecodedVertex, 'id' | 'key' | 'parents' | 'lamport'>): void {
    this.applied.add(vertex.key);
    for (const p of vertex.parents) this.#frontier.delete(idKey(p));
    this.#frontier.set(vertex.key, Uint8Array.from(vertex.id));
    if (vertex.lamport > this.maxLamport) this.maxLamport = vertex.lamport;
    this.appliedVertices++;
  }

  /** Sets the frontier of a restored snapshot. */
  setFrontier(ids: readonly Uint8Array[]): void {
    this.#frontier.clear();
    for (const id of ids) this.#frontier.set(idKey(id), Uint8Array.from(id));
  }

  frontierIds(): Uint8Array[] {
    return [...this.#frontier.values()].sort(compareIds).map((id) => Uint8Array.from(id));
  }

  document(type: string, name: string): DocumentSlot | undefined {
    return this.docs.get(`${type}\u0000${name}`);
  }

  addDocument(slot: DocumentSlot): void {
    this.docs.set(`${slot.type}\u0000${slot.name}`, slot);
  }

  get stats(): TopicStats {
    return {
      appliedVertices: this.appliedVertices,
      ignoredPayloads: this.ignoredPayloads,
      unknownTypeEntries: this.unknownTypeEntries,
      lastProblem: this.lastProblem,
    };
  }
}
