/** Traffic counters of one simulated node. Bytes are wire bytes (see `LinkProfile.frameOverheadBytes`). */
export interface NodeCounters {
  bytesSent: number;
  bytesReceived: number;
  messagesSent: number;
  messagesReceived: number;
  /** Gossip bytes received (both directions of sync are in `syncBytesReceived`). */
  gossipBytesReceived: number;
  syncBytesReceived: number;
  /** Vertex copies received that the node already had (gossip PUSH/REPLY). */
  duplicateVertices: number;
  /** Messages this node sent that the link lost. */
  messagesLost: number;
  /** Vertices received that failed validation. */
  verticesRejected: number;
  /** Reconciliation sessions this node started; sessions (either role) completed, failed or abandoned, and refused because busy. */
  sessionsStarted: number;
  sessionsCompleted: number;
  sessionsFailed: number;
  sessionsRefused: number;
}

export function emptyCounters(): NodeCounters {
  return {
    bytesSent: 0,
    bytesReceived: 0,
    messagesSent: 0,
    messagesReceived: 0,
    gossipBytesReceived: 0,
    syncBytesReceived: 0,
    duplicateVertices: 0,
    messagesLost: 0,
    verticesRejected: 0,
    sessionsStarted: 0,
    sessionsCompleted: 0,
    sessionsFailed: 0,
    sessionsRefused: 0,
  };
}

/** Sums counters over nodes. */
export function totalCounters(all: readonly NodeCounters[]): NodeCounters {
  const total = emptyCounters();
  const fields = Object.keys(total) as (keyof NodeCounters)[];
  for (const c of all) for (const k of fields) total[k] += c[k];
  return total;
}
