import { randomInt } from 'node:crypto';
import { NetOptionsError } from './errors.ts';

/** How peers that went away are dialled again. */
export interface RedialConfig {
  /** Wait before the first attempt after a disconnect. Default 1,000 ms. */
  readonly initialDelayMs: number;
  /** Each failed attempt multiplies the wait by this. Default 2. */
  readonly factor: number;
  /** Longest wait between two attempts. Default 60,000 ms. */
  readonly maxDelayMs: number;
  /**
   * Quick attempts (about 15 minutes with the defaults). After them the peer is still tried, every
   * `slowDelayMs`, but the node no longer counts as reconnecting. Default 20.
   */
  readonly maxAttempts: number;
  /**
   * Wait between attempts once the quick ones are spent, for as long as the node runs: a peer may
   * be gone for hours (a blackout, a laptop in a bag), and nothing else may bring it back where
   * mDNS does not reach. Default 600,000 ms (10 minutes).
   */
  readonly slowDelayMs: number;
}

export const DEFAULT_REDIAL_CONFIG: RedialConfig = Object.freeze({
  initialDelayMs: 1_000,
  factor: 2,
  maxDelayMs: 60_000,
  maxAttempts: 20,
  slowDelayMs: 600_000,
});

export interface RedialerOptions {
  readonly config?: Partial<RedialConfig>;
  /** One attempt; resolves true when the peer is connected. */
  readonly dial: (peer: string) => Promise<boolean>;
  /** Told whenever the set of peers being redialled changes (the host's connectivity state follows it). */
  readonly onChange?: () => void;
}

interface Pending {
  attempts: number;
  timer: NodeJS.Timeout | undefined;
  /** The quick attempts are spent: tried every `slowDelayMs`. */
  slow: boolean;
}

/** Wait multiplied by a uniform factor in [0.5, 1.5], so peers that lost each other do not redial in step. */
function jittered(ms: number): number {
  return ms * (0.5 + randomInt(1_000_001) / 1_000_000);
}

/**
 * Dials peers again after they disconnect, with exponential backoff and jitter, until they are
 * connected again (by our dial or theirs): `maxAttempts` quick attempts, then one every
 * `slowDelayMs` for as long as it runs. `retrySlow()` brings the next slow attempt forward (the
 * network is back).
 */
export class Redialer {
  readonly config: RedialConfig;
  readonly #dial: (peer: string) => Promise<boolean>;
  readonly #onChange: (() => void) | undefined;
  readonly #pending = new Map<string, Pending>();
  #stopped = false;

  constructor(options: RedialerOptions) {
    this.config = { ...DEFAULT_REDIAL_CONFIG, ...options.config };
    for (const [name, value] of Object.entries(this.config)) {
      if (typeof value !== 'number' || !(value >= 0)) throw new NetOptionsError(`redial ${name} must be a non-negative number, got ${String(value)}`);
    }
    if (this.config.factor < 1) throw new NetOptionsError('redial factor must be at least 1');
    if (!(this.config.slowDelayMs > 0)) throw new NetOptionsError('redial slowDelayMs must be positive');
    this.#dial = options.dial;
    this.#onChange = options.onChange;
  }

  /** Peers in their quick attempts (the node is reconnecting while there are any). */
  get pending(): number {
    let n = 0;
    for (const entry of this.#pending.values()) if (!entry.slow) n++;
    return n;
  }

  /** Peers past their quick attempts, still tried every `slowDelayMs`. */
  get waiting(): number {
    return this.#pending.size - this.pending;
  }

  /**
   * The network seems to be back (a peer connected while none was): every peer past its quick
   * attempts is tried soon instead of after the rest of its slow delay. One that still does not
   * answer goes back to slow attempts (a whole new quick round for every dead address the node
   * remembers would be mostly noise).
   */
  retrySlow(): void {
    if (this.#stopped) return;
    for (const [peer, entry] of this.#pending) {
      if (!entry.slow || entry.timer === undefined) continue; // an attempt under way plans its own next one
      clearTimeout(entry.timer);
      this.#plan(peer, entry, jittered(this.config.initialDelayMs));
    }
  }

  /** Starts redialling `peer` (`immediately`: the first attempt now, as at start-up). */
  schedule(peer: string, immediately = false): void {
    if (this.#stopped || this.#pending.has(peer)) return;
    const entry: Pending = { attempts: 0, timer: undefined, slow: false };
    this.#pending.set(peer, entry);
    this.#plan(peer, entry, immediately ? 0 : jittered(this.config.initialDelayMs));
    this.#onChange?.();
  }

  /** The peer is connected (or must not be dialled): no more attempts. */
  cancel(peer: string): void {
    const entry = this.#pending.get(peer);
    if (entry === undefined) return;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.#pending.delete(peer);
    this.#onChange?.();
  }

  stop(): void {
    this.#stopped = true;
    for (const entry of this.#pending.values()) if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.#pending.clear();
  }

  #plan(peer: string, entry: Pending, delay: number): void {
    entry.timer = setTimeout(() => void this.#attempt(peer, entry), delay);
    entry.timer.unref();
  }

  async #attempt(peer: string, entry: Pending): Promise<void> {
    entry.timer = undefined;
    if (this.#pending.get(peer) !== entry) return;
    entry.attempts++;
    const ok = await this.#dial(peer).catch(() => false);
    if (this.#pending.get(peer) !== entry) return;
    if (ok) {
      this.cancel(peer);
      return;
    }
    if (entry.slow || entry.attempts >= this.config.maxAttempts) {
      const changed = !entry.slow;
      entry.slow = true;
      this.#plan(peer, entry, jittered(this.config.slowDelayMs));
      if (changed) this.#onChange?.();
      return;
    }
    const delay = Math.min(this.config.maxDelayMs, this.config.initialDelayMs * this.config.factor ** entry.attempts);
    this.#plan(peer, entry, jittered(delay));
  }
}
