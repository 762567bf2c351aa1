/**
 * Callers waiting for a peer to become ready (connected, gossip link up), each with a deadline:
 * `dial()` resolves only when the peer it reached can be used.
 */
export class ReadyWaiters {
  readonly #waiting = new Map<string, Set<(error?: Error) => void>>();

  /** Resolves when `ready(peer)` is called, rejects with `timeout()` after `ms` or with `fail`'s error. */
  wait(peer: string, ms: number, timeout: () => Error): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let set = this.#waiting.get(peer);
      if (set === undefined) this.#waiting.set(peer, (set = new Set()));
      const waiters = set;
      const timer = setTimeout(() => {
        waiters.delete(settle);
        reject(timeout());
      }, ms);
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        if (error === undefined) resolve();
        else reject(error);
      };
      waiters.add(settle);
    });
  }

  ready(peer: string): void {
    const set = this.#waiting.get(peer);
    this.#waiting.delete(peer);
    for (const settle of set ?? []) settle();
  }

  /** Rejects every waiter (the host is stopping). */
  failAll(error: Error): void {
    for (const set of this.#waiting.values()) for (const settle of set) settle(error);
    this.#waiting.clear();
  }
}
