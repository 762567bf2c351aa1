import type { Stream } from '@libp2p/interface';
import type { CryptoProvider } from '../crypto/index.ts';
import type { NetIngestReport } from './ingest-port.ts';
import { encodeErrorFrame, REFUSED_FRAME_CODES, SyncSession, type SyncFailureCode, type SyncReplica, type SyncSessionOptions, type SyncStep, type SyncTuning } from '../sync/index.ts';
import { NetError, SessionTimeoutError, StreamClosedError } from './errors.ts';
import { FrameReader } from './frame-reader.ts';
import { offerFrame, writeFrame } from './frames.ts';
import type { NetLimits } from './limits.ts';
import type { LinkCheck } from './link-check.ts';
import type { NetCounters } from './net-stats.ts';
import { streamBlame, type Misbehaviour, type PeerGuard } from './peer-guard.ts';
import type { PeerIntake } from './peer-intake.ts';
import type { PeerStateStore } from './peer-states.ts';
import { failedReport, type SessionReport, type SessionTicket } from './session-ticket.ts';
import type { TrafficCounter } from './traffic.ts';

/** The reconciliation protocol (docs/PROTOCOL.md, "Sync protocol") over one libp2p stream per session. */
export const SYNC_PROTOCOL = '/pars/sync/1.0.0';

/** Courier passes one initiator runs back to back when the responder cuts the topic span. */
const MAX_COURIER_PASSES = 64;

/**
 * Received vertex bytes gathered over frames before they go to the Ingester as one batch (one
 * verification split over the workers, one durable commit). A commit rewrites every index page
 * its vertices touch, and random ids spread over most of them, so fewer, larger commits cost less
 * per vertex than one per 1 MiB frame. A flight's end flushes what is gathered at once.
 */
const INGEST_BATCH_BYTES = 2 * 1024 * 1024;

/** Vertices received and not yet handed to the Ingester. */
interface Gathered {
  vertices: Uint8Array[];
  bytes: number;
}

/**
 * Sync failures that only a peer breaking the protocol causes. A frame of another wire version is
 * one of them here: over libp2p the protocol id (`/pars/sync/1.0.0`) already fixes the version,
 * and a node that speaks a later one offers it under its own id.
 */
const PEER_FAULTS: ReadonlySet<SyncFailureCode> = REFUSED_FRAME_CODES;

export interface SyncProtocolOptions {
  readonly replica: SyncReplica;
  readonly provider: CryptoProvider;
  readonly intake: PeerIntake;
  readonly guard: PeerGuard;
  readonly limits: NetLimits;
  readonly peerStates: PeerStateStore;
  readonly traffic: TrafficCounter;
  readonly counters: NetCounters;
  readonly tuning?: Partial<SyncTuning>;
  /** Decides whether a stall or a cut frame was the link's loss (then the peer is not charged). */
  readonly links: LinkCheck;
}

/**
 * Runs `SyncSession`s over libp2p streams: length-prefixed frames (frames.ts), one session per
 * stream, courier mode (every topic either side carries). Received keys go to the Ingester's key
 * ring and received vertices through the Ingester, with the peer's id as their source; a session
 * counts as completed only once what it received is durably stored or refused.
 *
 * Timeouts: a frame must complete within `frameTimeoutMs` of its first byte, the peer must send
 * a frame within `idleTimeoutMs` whenever this side waits for one, and a whole session ends after
 * `sessionTimeoutMs`. A peer that breaks the framing or the sync wire format, or stalls, is
 * charged the whole misbehaviour budget (see PeerGuard), which drops it — unless the stall or the
 * cut frame was its link going away (LinkCheck: the connection closed or answers no ping).
 */
export class SyncProtocol {
  readonly #o: SyncProtocolOptions;

  constructor(options: SyncProtocolOptions) {
    this.#o = options;
  }

  /**
   * Reconciles with a peer as the initiator. `open` opens a fresh stream to it; a courier pass
   * the responder cut short is resumed at once on another stream.
   */
  async initiate(open: () => Promise<Stream>, ticket: SessionTicket): Promise<SessionReport> {
    let after: Uint8Array | undefined;
    let report: SessionReport | undefined;
    let stored = 0;
    let rejected = 0;
    for (let pass = 0; pass < MAX_COURIER_PASSES; pass++) {
      const session = SyncSession.initiate({ ...this.#common(ticket.peer), mode: after === undefined ? { kind: 'courier' } : { kind: 'courier', after } });
      let stream: Stream;
      try {
        stream = await open();
      } catch (error) {
        return failedReport(ticket, 'ERR_STREAM_OPEN', `cannot open a sync stream: ${describe(error)}`);
      }
      report = await this.#run(stream, session, session.start(), ticket);
      stored += report.stored;
      rejected += report.rejected;
      after = report.stats.courierResume;
      if (report.outcome !== 'completed' || after === undefined || ticket.signal.aborted) break;
    }
    // The last pass's outcome and counters, with what every pass stored.
    return { ...(report as SessionReport), stored, rejected };
  }

  /** Answers a session the peer opened on `stream`. */
  async respond(stream: Stream, ticket: SessionTicket): Promise<SessionReport> {
    const session = SyncSession.respond(this.#common(ticket.peer));
    return this.#run(stream, session, session.start(), ticket);
  }

  /**
   * Turns a peer's session away (this node is busy): an ERROR frame (`aborted`, `busy`), then
   * close. The frame is the one a fresh responder session's `abort('busy')` sends, encoded without
   * building that session (and reading the peer's state) on a node that is short of time already.
   */
  async refuse(stream: Stream, peer: string): Promise<void> {
    try {
      this.#o.traffic.sent(peer, await writeFrame(stream, encodeErrorFrame('aborted', 'busy'), { signal: AbortSignal.timeout(this.#o.limits.stopDeadlineMs) }));
      await stream.close({ signal: AbortSignal.timeout(this.#o.limits.stopDeadlineMs) });
    } catch (error) {
      stream.abort(error instanceof Error ? error : new StreamClosedError('refusing a session failed'));
    }
  }

  #common(peer: string): SyncSessionOptions {
    const p = this.#o.provider;
    const peerState = this.#o.peerStates.get(peer);
    return {
      replica: this.#o.replica,
      hash: (d) => p.sha3_256(d),
      random: (n) => p.randomBytes(n),
      ...(peerState === undefined ? {} : { peerState }),
      ...(this.#o.tuning === undefined ? {} : { tuning: this.#o.tuning }),
    };
  }

  async #run(stream: Stream, session: SyncSession, first: Uint8Array[], ticket: SessionTicket): Promise<SessionReport> {
    const started = performance.now();
    const { peer } = ticket;
    const limits = this.#o.limits;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new SessionTimeoutError(limits.sessionTimeoutMs)), limits.sessionTimeoutMs);
    const signal = AbortSignal.any([ticket.signal, deadline.signal]);
    const reader = new FrameReader(stream, {
      maxFrameBytes: limits.maxSyncFrameBytes,
      frameTimeoutMs: limits.frameTimeoutMs,
      idleTimeoutMs: limits.idleTimeoutMs,
      onBytes: (n) => this.#o.traffic.received(peer, n),
    });
    const ingests: Promise<NetIngestReport>[] = [];
    const gathered: Gathered = { vertices: [], bytes: 0 };
    let failure: unknown;
    try {
      await this.#send(stream, first, peer, signal);
      while (!session.done) {
        const frame = await reader.next(signal);
        if (frame === undefined) {
          failure = new StreamClosedError('the peer ended the stream before the session was done');
          break;
        }
        ticket.progress();
        const step = session.receive(frame);
        await this.#send(stream, step.send, peer, signal);
        // A step that answers ends the peer's flight: what it brought is ingested now.
        this.#absorb(peer, step, gathered, ingests, step.send.length > 0 || step.done);
        if (step.done) break;
        // A peer that sends faster than this node verifies waits here, reading nothing.
        await this.#o.intake.room(peer, signal);
      }
    } catch (error) {
      failure = error;
    } finally {
      clearTimeout(timer);
      this.#o.counters.buffered(reader.highWater);
      reader.detach();
      // Whatever arrived is still ingested: each vertex stands on its own signature.
      this.#flush(peer, gathered, ingests);
    }
    if (failure !== undefined && !session.done) {
      // Tell the peer why, if the stream still takes bytes (a broken frame aborted it already).
      const step = session.abort(describe(failure));
      for (const frame of step.send) offerFrame(stream, frame, limits.maxSendBufferBytes);
    }
    const settled = await Promise.allSettled(ingests);
    let stored = 0;
    let rejected = 0;
    for (const s of settled) {
      if (s.status === 'fulfilled') {
        stored += s.value.stored.length;
        rejected += s.value.rejected.length;
      } else {
        failure ??= s.reason;
      }
    }
    const error = failure === undefined ? session.error : { code: codeOf(failure), detail: describe(failure) };
    const outcome = error === undefined ? 'completed' : 'failed';
    await this.#finish(stream, outcome === 'completed');
    if (outcome === 'completed') this.#o.peerStates.set(peer, session.peerState);
    const blame = blameOf(failure, session.error?.code);
    if (blame !== undefined && !(await this.#o.links.lostLink(peer, failure))) this.#o.guard.penalise(peer, blame, error?.detail ?? '');
    return {
      peer,
      role: ticket.role,
      outcome,
      ...(error === undefined ? {} : { error }),
      stats: session.stats,
      stored,
      rejected,
      durationMs: performance.now() - started,
    };
  }

  async #send(stream: Stream, frames: readonly Uint8Array[], peer: string, signal: AbortSignal): Promise<void> {
    for (const frame of frames) this.#o.traffic.sent(peer, await writeFrame(stream, frame, { signal }));
  }

  #absorb(peer: string, step: SyncStep, gathered: Gathered, ingests: Promise<NetIngestReport>[], flush: boolean): void {
    // Keys go in at once: the vertices that need them are verified after they are known.
    if (step.keys.length > 0) this.#o.intake.addKeys(peer, step.keys);
    for (const v of step.vertices) {
      gathered.vertices.push(v);
      gathered.bytes += v.length;
    }
    if (flush || gathered.bytes >= INGEST_BATCH_BYTES) this.#flush(peer, gathered, ingests);
  }

  #flush(peer: string, gathered: Gathered, ingests: Promise<NetIngestReport>[]): void {
    if (gathered.vertices.length === 0) return;
    const ingest = this.#o.intake.ingest(peer, gathered.vertices, 'sync');
    ingest.catch(() => undefined); // settled and reported after the session
    ingests.push(ingest);
    gathered.vertices = [];
    gathered.bytes = 0;
  }

  /** Flushes what is queued (the last flight, or the ERROR frame) and closes; a failed stream is then reset. */
  async #finish(stream: Stream, completed: boolean): Promise<void> {
    if (stream.status !== 'open') return;
    try {
      await stream.close({ signal: AbortSignal.timeout(this.#o.limits.stopDeadlineMs) });
      if (!completed) stream.abort(new StreamClosedError('sync session failed'));
    } catch (error) {
      stream.abort(error instanceof Error ? error : new StreamClosedError('closing the stream failed'));
    }
  }
}

function codeOf(failure: unknown): string {
  if (failure instanceof NetError) return failure.code;
  return 'aborted';
}

function describe(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure);
}

/** What the peer is charged for, if the session ended by its fault. */
function blameOf(failure: unknown, syncCode: SyncFailureCode | undefined): Misbehaviour | undefined {
  return streamBlame(failure) ?? (syncCode !== undefined && PEER_FAULTS.has(syncCode) ? 'sync-protocol' : undefined);
}
