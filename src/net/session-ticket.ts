import type { SessionOutcome, SessionRole, SyncFailureCode, SyncStats } from '../sync/index.ts';

/**
 * One sync session as the anti-entropy driver tracks it. The protocol reports progress (each
 * frame received) through it, and stops when its signal aborts; the abort reason says why (an
 * idle timeout, the host stopping).
 */
export interface SessionTicket {
  /** Unique on this node. */
  readonly id: number;
  /** The remote libp2p peer id string. */
  readonly peer: string;
  readonly role: SessionRole;
  readonly signal: AbortSignal;
  progress(): void;
}

/** How one sync session went; the host emits it as its `session` event. */
export interface SessionReport {
  readonly peer: string;
  readonly role: SessionRole;
  /** `refused`: this node turned the peer's session away because it was busy. */
  readonly outcome: SessionOutcome;
  /** Why it failed: a sync failure code, or the code of the network error that ended it. */
  readonly error?: { readonly code: SyncFailureCode | string; readonly detail: string };
  readonly stats: SyncStats;
  /** Vertices received in this session that were durably stored. */
  readonly stored: number;
  /** Vertices received in this session that the Ingester refused. */
  readonly rejected: number;
  readonly durationMs: number;
}

const NO_STATS: SyncStats = Object.freeze({
  framesSent: 0,
  framesReceived: 0,
  bytesSent: 0,
  bytesReceived: 0,
  flightsSent: 0,
  flightsReceived: 0,
  verticesSent: 0,
  verticesReceived: 0,
  vertexBytesSent: 0,
  vertexBytesReceived: 0,
  keysSent: 0,
  topics: 0,
  courierResume: undefined,
});

/** The report of a session that failed before any frame moved (no stream, the host stopping). */
export function failedReport(ticket: SessionTicket, code: string, detail: string): SessionReport {
  return { peer: ticket.peer, role: ticket.role, outcome: 'failed', error: { code, detail }, stats: NO_STATS, stored: 0, rejected: 0, durationMs: 0 };
}
