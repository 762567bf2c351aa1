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
  /**
   * Connections opened, by the encryption protocol they negotiated. Only `/pars/pq/1.0.0` can
   * appear: it is the only encrypter a host offers, and the host closes any other connection.
   */
  readonly encryptions: Readonly<Record<string, number>>;
}

/** The mutable side of `NetStats`, shared by the host's protocols. */
export class NetCounters {
  sessionsCompleted = 0;
  sessionsFailed = 0;
  sessionsRefused = 0;
  verticesStored = 0;
  peersBanned = 0;
  maxBufferedFrameBytes = 0;
  readonly encryptions: Record<string, number> = {};

  opened(encryption: string): void {
    this.encryptions[encryption] = (this.encryptions[encryption] ?? 0) + 1;
  }

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
      encryptions: { ...this.encryptions },
    };
  }
}
