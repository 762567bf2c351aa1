import { VERTEX_LIMITS } from '../dag/index.ts';
import { NodeError } from './errors.ts';

/**
 * How much a node keeps of topics it is not a member of ("foreign" topics: neither one of its
 * groups' topics nor the rendezvous topic of an invite it issued or a join it awaits). A node
 * verifies and carries such vertices for others — it is a courier — but only up to these
 * bounds; the node's own topics are never limited. Sizes are encoded vertex bytes.
 *
 * A topic (or the total, or a peer's share) counts as full once less than one largest vertex
 * (`VERTEX_LIMITS.maxVertexBytes`, 72 KiB) of room is left, so a carried topic always has room
 * for the next vertex; a quota below 72 KiB therefore carries nothing.
 */
export interface CourierQuotas {
  /** Bytes kept per foreign topic. Default 16 MiB (about 3,600 messages of 4.5 KiB). */
  readonly maxTopicBytes: number;
  /** Bytes kept of all foreign topics together. Default 256 MiB. */
  readonly maxTotalBytes: number;
  /**
   * Bytes of foreign vertices taken from one peer per `peerWindowMs`. A window rather than a
   * lifetime total: a neighbour met every day must be able to hand over each day's mail, while
   * one peer (or one of many identities of an attacker) cannot fill the whole courier store at
   * once. Counted in memory: a restart opens a new window (the per-topic and total quotas, which
   * bound the disk, are derived from the store). Default 64 MiB.
   */
  readonly maxPeerBytes: number;
  /** Length of the per-peer window. Default 1 hour. */
  readonly peerWindowMs: number;
}

export const DEFAULT_COURIER_QUOTAS: CourierQuotas = Object.freeze({
  maxTopicBytes: 16 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxPeerBytes: 64 * 1024 * 1024,
  peerWindowMs: 60 * 60_000,
});

/** Room under a quota that still counts as full: one largest vertex. */
export const COURIER_FULL_MARGIN = VERTEX_LIMITS.maxVertexBytes;

/** A courier quota that cannot be used; `field` names it. */
export class CourierQuotaError extends NodeError {
  readonly field: string;
  /** The message without the field's name. */
  readonly problem: string;
  constructor(field: string, problem: string) {
    super('ERR_COURIER_QUOTA', `courier quota ${field} ${problem}`);
    this.field = field;
    this.problem = problem;
  }
}

/** The defaults with `overrides` applied, checked: byte quotas are whole numbers >= 0, the window a whole number of ms >= 1. */
export function courierQuotasOf(overrides: Partial<CourierQuotas> = {}): CourierQuotas {
  const quotas: CourierQuotas = { ...DEFAULT_COURIER_QUOTAS, ...overrides };
  for (const name of Object.keys(quotas) as (keyof CourierQuotas)[]) {
    if (!(name in DEFAULT_COURIER_QUOTAS)) throw new CourierQuotaError(name, `is not a known quota (known: ${Object.keys(DEFAULT_COURIER_QUOTAS).join(', ')})`);
    const value: unknown = quotas[name];
    const least = name === 'peerWindowMs' ? 1 : 0;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least) {
      throw new CourierQuotaError(name, `must be a whole number >= ${least}${name === 'peerWindowMs' ? ' (milliseconds)' : ' (bytes)'}, got ${JSON.stringify(value)}`);
    }
  }
  return Object.freeze(quotas);
}
