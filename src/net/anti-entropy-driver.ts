import { randomInt } from 'node:crypto';
import { AntiEntropy, type AntiEntropyConfig, type SessionOutcome, type SessionRole } from '../sync/index.ts';
import { HostStoppedError, StreamClosedError, StreamIdleError } from './errors.ts';
import { failedReport, type SessionReport, type SessionTicket } from './session-ticket.ts';

/** Runs an initiator session for the ticket; resolves with its report (peer faults are reports, not rejections). */
export type SessionStarter = (ticket: SessionTicket) => Promise<SessionReport>;

export interface AntiEntropyDriverOptions {
  readonly config?: Partial<AntiEntropyConfig>;
  readonly start: SessionStarter;
  /** Monotonic milliseconds; default `performance.now`. */
  readonly now?: () => number;
  /** Uniform in [0, 1); default from `crypto.randomInt`, so peers cannot predict the schedule. */
  readonly random?: () => number;
}

/** 2^47: `randomInt` draws below it (its range must stay under 2^48), 47 random bits per number. */
const RANDOM_RANGE = 2 ** 47;

/** Longest single timer wait (setTimeout takes at most 2^31 − 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Running {
  readonly ticket: SessionTicket;
  readonly controller: AbortController;
  readonly done: Promise<void>;
  readonly settle: () => void;
}

/**
 * Drives the sans-I/O `AntiEntropy` scheduler with real timers: a session on every new connection
 * (the dialling side, after a jittered delay), a periodic session with the least recently synced
 * peer, retries after failures, at most `maxConcurrent` sessions at once (counting those peers
 * open with us), and sessions idle for `idleTimeoutMs` aborted. Each session gets a ticket whose
 * signal aborts it; `stop()` aborts them all.
 */
export class AntiEntropyDriver {
  readonly #ae: AntiEntropy;
  readonly #start: SessionStarter;
  readonly #now: () => number;
  readonly #running = new Map<number, Running>();
  #nextId = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: AntiEntropyDriverOptions) {
    this.#now = options.now ?? ((): number => performance.now());
    const random = options.random ?? ((): number => randomInt(RANDOM_RANGE) / RANDOM_RANGE);
    this.#ae = new AntiEntropy(random, this.#now(), options.config);
    this.#start = options.start;
  }

  /** A peer is ready for sync. `dialer`: this side opened the connection and reconciles on it. */
  connect(peer: string, dialer: boolean): void {
    if (this.#stopped) return;
    this.#ae.connect(peer, this.#now(), dialer);
    this.#arm();
  }

  /** The peer is gone: its sessions are aborted (their streams die with the connection anyway). */
  disconnect(peer: string): void {
    for (const r of this.#running.values()) {
      if (r.ticket.peer === peer) r.controller.abort(new StreamClosedError(`peer ${peer} disconnected`));
    }
    this.#ae.disconnect(peer);
    this.#arm();
  }

  /**
   * A peer opened a session with us: a ticket if there is capacity, else `undefined` (refuse it
   * as busy; the peer retries later, when this node has less left to do). Report its end with
   * `finished`.
   */
  admit(peer: string): SessionTicket | undefined {
    if (this.#stopped || !this.#ae.hasCapacity()) return undefined;
    return this.#open(peer, 'responder').ticket;
  }

  /** A responder session admitted by `admit` ended. */
  finished(ticket: SessionTicket, outcome: SessionOutcome): void {
    this.#end(ticket, outcome);
  }

  /** Starts a session with `peer` now, outside the schedule and the concurrency limit. */
  syncNow(peer: string): Promise<SessionReport> {
    if (this.#stopped) return Promise.reject(new HostStoppedError());
    return this.#launch(peer);
  }

  /** Stops scheduling, waits up to `deadlineMs` for running sessions, then aborts those left. */
  async stop(deadlineMs: number): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const all = [...this.#running.values()];
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    await Promise.race([Promise.allSettled(all.map((r) => r.done)), late]);
    clearTimeout(timer);
    for (const r of all) r.controller.abort(new HostStoppedError());
    await Promise.allSettled(all.map((r) => r.done));
  }

  #open(peer: string, role: SessionRole): Running {
    const id = ++this.#nextId;
    const controller = new AbortController();
    const ae = this.#ae;
    const now = this.#now;
    const ticket: SessionTicket = { id, peer, role, signal: controller.signal, progress: () => ae.progress(peer, id, now()) };
    let settle: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const running: Running = { ticket, controller, done, settle };
    this.#running.set(id, running);
    ae.started(peer, id, role, now());
    return running;
  }

  #launch(peer: string): Promise<SessionReport> {
    const { ticket } = this.#open(peer, 'initiator');
    return this.#start(ticket)
      .catch((error: unknown) => failedReport(ticket, 'ERR_SESSION', error instanceof Error ? error.message : String(error)))
      .then((report) => {
        this.#end(ticket, report.outcome);
        return report;
      });
  }

  #end(ticket: SessionTicket, outcome: SessionOutcome): void {
    const running = this.#running.get(ticket.id);
    if (running === undefined) return;
    this.#running.delete(ticket.id);
    this.#ae.ended(ticket.peer, ticket.id, outcome, this.#now());
    running.settle();
    this.#arm();
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const now = this.#now();
    for (const { peer, id } of this.#ae.expired(now)) {
      // Ended for the scheduler at once (so it is not reported again); the session follows.
      this.#ae.ended(peer, id, 'failed', now);
      this.#running.get(id)?.controller.abort(new StreamIdleError(this.#ae.config.idleTimeoutMs));
    }
    for (const peer of this.#ae.due(now)) void this.#launch(peer);
    this.#arm();
  }

  #arm(): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = this.#ae.nextDeadline();
    if (!Number.isFinite(next)) return;
    this.#timer = setTimeout(() => this.#tick(), Math.min(MAX_TIMER_MS, Math.max(0, next - this.#now())));
    this.#timer.unref();
  }
}
