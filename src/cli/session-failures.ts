import type { SessionReport } from '../net/index.ts';

/**
 * What `pars start` says about sync sessions: a failed session is reported once per peer and
 * reason, not at every retry (a node whose disk is full would print the same line until someone
 * frees space), and the first session that completes after failures is reported too.
 */
export class SessionFailureLog {
  /** The reason last reported for each peer whose sessions are failing. */
  readonly #failing = new Map<string, string>();

  /** The line to print for this session's end, or undefined when there is nothing new to say. */
  note(report: SessionReport): string | undefined {
    if (report.outcome === 'completed') {
      if (!this.#failing.delete(report.peer)) return undefined;
      return `sync with ${report.peer} works again`;
    }
    if (report.outcome !== 'failed') return undefined;
    const reason = report.error === undefined ? 'no reason given' : `${report.error.code}: ${report.error.detail}`;
    if (this.#failing.get(report.peer) === reason) return undefined;
    this.#failing.set(report.peer, reason);
    return `sync with ${report.peer} failed (${reason}); retrying, less often while it keeps failing`;
  }

  /** The peer is gone: a failure after it comes back is news again. */
  forget(peer: string): void {
    this.#failing.delete(peer);
  }
}
