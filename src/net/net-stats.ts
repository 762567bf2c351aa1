/** Counters of a host since it started (`NetHost.stats()`). */
export interface NetStats {
  readonly sessionsCompleted: number;
  readonly sessionsFailed: number;
  /** Sessions peers opened that this node turned away because it was busy. */
  readonly sessionsRefused: number;
  /** Vertices received in sync sessions and durably stored. */
  readonly verticesStored: number;
  /** Peers dropped and banned for misbehaviour. */
  readonly peersBanned: number;
  /** Most received bytes any one frame reader held at once (bounded by about one frame limit). */
  readonly maxBufferedFrameBytes: number;
}

/** The mutable side of `NetStats`, shared by the host's protocols. */
export class NetCounters {
  sessionsCompleted = 0;
  sessionsFailed = 0;
  sessionsRefused = 0;
  verticesStored = 0;
  peersBanned = 0;
  maxBufferedFrameBytes = 0;

  /** Records a reader's high-water mark when it is done. */
  buffered(bytes: number): void {
    if (bytes > this.maxBufferedFrameBytes) this.maxBufferedFrameBytes = bytes;
  }

  snapshot(): NetStats {
    return {
      sessionsCompleted: this.sessionsCompleted,
      sessionsFailed: this.sessionsFailed,
      sessionsRefused: this.sessionsRefused,
      verticesStored: this.verticesStored,
      peersBanned: this.peersBanned,
      maxBufferedFrameBytes: this.maxBufferedFrameBytes,
    };
  }
}
