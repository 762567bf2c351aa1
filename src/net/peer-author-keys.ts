/** Authors remembered per peer at most; past it the oldest go first (their keys are sent again). */
export const MAX_AUTHORS_PER_PEER = 4_096;

/**
 * Which authors' keys each connected peer is known to hold: it sent us a vertex of theirs, or we
 * sent it their key. Push gossip sends an author's key along with a vertex only to a peer not
 * known to hold it, so a key crosses each link about once, and a vertex of an author new to the
 * peer (a joiner's request, a new member's first message relayed by a courier) is not refused
 * there until a session brings the key. Forgetting errs on the safe side: the key is sent again.
 */
export class PeerAuthorKeys {
  readonly #byPeer = new Map<string, Set<string>>();
  readonly #cap: number;

  constructor(maxAuthorsPerPeer = MAX_AUTHORS_PER_PEER) {
    if (!Number.isInteger(maxAuthorsPerPeer) || maxAuthorsPerPeer < 1) throw new RangeError(`maxAuthorsPerPeer must be a positive integer, got ${maxAuthorsPerPeer}`);
    this.#cap = maxAuthorsPerPeer;
  }

  /** Whether `peer` is known to hold the key of `author` (hex id). */
  holds(peer: string, author: string): boolean {
    return this.#byPeer.get(peer)?.has(author) ?? false;
  }

  /** `peer` holds the key of `author` (hex id) from now on. */
  learn(peer: string, author: string): void {
    let authors = this.#byPeer.get(peer);
    if (authors === undefined) this.#byPeer.set(peer, (authors = new Set()));
    if (authors.has(author)) return;
    if (authors.size >= this.#cap) {
      const oldest = authors.values().next().value;
      if (oldest !== undefined) authors.delete(oldest);
    }
    authors.add(author);
  }

  /** The peer disconnected: what it holds may change before it is back (a fresh store, say). */
  forget(peer: string): void {
    this.#byPeer.delete(peer);
  }
}
