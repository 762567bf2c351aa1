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
  /** Attempts before the peer is left to discovery (mDNS) or a manual dial. Default 20 (about 15 minutes). */
  readonly maxAttempts: number;
}

export const DEFAULT_REDIAL_CONFIG: RedialConfig = Object.freeze({
  initialDelayMs: 1_000,
  factor: 2,
  maxDelayMs: 60_000,
  maxAttempts: 20,
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
}

/** Wait multiplied by a uniform factor in [0.5, 1.5], so peers that lost each other do not redial in step. */
function jittered(ms: number): number {
  return ms * (0.5 + randomInt(1_000_001) / 1_000_000);
}

/**
 * Dials peers again after they disconnect, with exponential backoff and jitter, until they are
 * connected again (by our dial or theirs) or `maxAttempts` ran out.
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
    this.#dial = options.dial;
    this.#onChange = options.onChange;
  }

  /** Peers with a redial planned or under way. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Starts redialling `peer` (`immediately`: the first attempt now, as at start-up). */
  schedule(peer: string, immediately = false): void {
    if (this.#stopped || this.#pending.has(peer)) return;
    const entry: Pending = { attempts: 0, timer: undefined };
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
    if (entry.attempts >= this.config.maxAttempts) {
      this.cancel(peer);
      return;
    }
    const delay = Math.min(this.config.maxDelayMs, this.config.initialDelayMs * this.config.factor ** entry.attempts);
    this.#plan(peer, entry, jittered(delay));
  }
}
