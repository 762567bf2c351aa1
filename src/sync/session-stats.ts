import type { SyncStats } from './session-options.ts';

/** Running counters behind `SyncSession.stats`. */
export class SessionCounters {
  #framesSent = 0;
  #framesReceived = 0;
  #bytesSent = 0;
  #bytesReceived = 0;
  #flightsSent = 0;
  #flightsReceived = 0;
  #verticesSent = 0;
  #verticesReceived = 0;
  #vertexBytesSent = 0;
  #vertexBytesReceived = 0;
  #keysSent = 0;

  sent(frames: readonly Uint8Array[]): void {
    if (frames.length === 0) return;
    this.#flightsSent++;
    this.#framesSent += frames.length;
    for (const f of frames) this.#bytesSent += f.length;
  }

  received(bytes: number): void {
    this.#framesReceived++;
    this.#bytesReceived += bytes;
  }

  flightReceived(): void {
    this.#flightsReceived++;
  }

  vertexSent(bytes: number): void {
    this.#verticesSent++;
    this.#vertexBytesSent += bytes;
  }

  verticesReceived(count: number, bytes: number): void {
    this.#verticesReceived += count;
    this.#vertexBytesReceived += bytes;
  }

  keysSent(n: number): void {
    this.#keysSent += n;
  }

  snapshot(topics: number, courierResume: Uint8Array | undefined): SyncStats {
    return {
      framesSent: this.#framesSent,
      framesReceived: this.#framesReceived,
      bytesSent: this.#bytesSent,
      bytesReceived: this.#bytesReceived,
      flightsSent: this.#flightsSent,
      flightsReceived: this.#flightsReceived,
      verticesSent: this.#verticesSent,
      verticesReceived: this.#verticesReceived,
      vertexBytesSent: this.#vertexBytesSent,
      vertexBytesReceived: this.#vertexBytesReceived,
      keysSent: this.#keysSent,
      topics,
      courierResume,
    };
  }
}
