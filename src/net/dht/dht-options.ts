import type { DhtLimits } from './dht-limits.ts';

/** The DHT of a host (`NetHostOptions.dht`). Presence records are signed with the host's `identity`. */
export interface DhtOptions {
  /** Overrides of `DHT_LIMITS` (docs/LIMITS.md). */
  readonly limits?: Partial<DhtLimits>;
  /** Wall clock (Unix ms) presence records are issued and checked with. Default `Date.now`. */
  readonly now?: () => number;
}
