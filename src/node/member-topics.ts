import { toHex } from '../crypto/index.ts';

/** The topics a node is a member of, as its groups and group tables list them now. */
export interface OwnTopicSource {
  /** Its groups' topics. */
  groups(): Iterable<Uint8Array>;
  /** The rendezvous topics of invites it issued and joins it awaits. */
  rendezvous(): Iterable<Uint8Array>;
}

/**
 * The node's own topics (hex), kept as a set so a membership test costs one lookup. It is
 * re-read from the source by `refresh()`; a topic the node wrote a vertex in is its own at once
 * (`authored`), which covers a group's genesis and a join request before their table rows exist.
 */
export class MemberTopics {
  readonly #source: OwnTopicSource;
  readonly #authored = new Set<string>();
  #groups = new Set<string>();
  #rendezvous = new Set<string>();

  constructor(source: OwnTopicSource) {
    this.#source = source;
    this.refresh();
  }

  has(topic: string): boolean {
    return this.#groups.has(topic) || this.#rendezvous.has(topic) || this.#authored.has(topic);
  }

  /** Whether `topic` is an invite's or a join's rendezvous topic (where a new group may appear). */
  isRendezvous(topic: string): boolean {
    return this.#rendezvous.has(topic);
  }

  /** A vertex of `topic` was written here. Returns whether the topic is new to the set. */
  authored(topic: string): boolean {
    if (this.has(topic)) return false;
    this.#authored.add(topic);
    return true;
  }

  /** Re-reads the source; returns the topics that joined and left the set. */
  refresh(): { added: string[]; removed: string[] } {
    const before = new Set([...this.#groups, ...this.#rendezvous, ...this.#authored]);
    this.#groups = new Set([...this.#source.groups()].map(toHex));
    this.#rendezvous = new Set([...this.#source.rendezvous()].map(toHex));
    const added: string[] = [];
    for (const t of [...this.#groups, ...this.#rendezvous]) if (!before.has(t)) added.push(t);
    const removed: string[] = [];
    for (const t of before) if (!this.has(t)) removed.push(t);
    return { added, removed };
  }
}
