import { CodedError } from '../crypto/index.ts';

/**
 * Why an operation or a snapshot was refused. Remote input is adversarial, so refusals are
 * returned as values; the state they were aimed at is left untouched.
 */
export const CRDT_REJECTION_REASONS = Object.freeze([
  'malformed', // not the shape this type's operations or snapshots have
  'wrong-type', // an operation of another type than the document's
  'unknown-type', // a type name this version does not know
  'bad-position', // a position or reference to an element that does not exist
  'out-of-order', // an operation that cannot follow what this replica has applied
  'limit', // a count, length or size beyond docs/LIMITS.md
] as const);

export type CrdtRejectionReason = (typeof CRDT_REJECTION_REASONS)[number];

export interface CrdtRejection {
  readonly ok: false;
  readonly reason: CrdtRejectionReason;
  /** Human-readable detail for logs; never contains document content. */
  readonly detail: string;
}

export type CrdtResult<T> = { readonly ok: true; readonly value: T } | CrdtRejection;

export function crdtReject(reason: CrdtRejectionReason, detail: string): CrdtRejection {
  return { ok: false, reason, detail };
}

export function crdtOk<T>(value: T): CrdtResult<T> {
  return { ok: true, value };
}

/** Thrown only for programming errors (a local caller breaking a contract), never for remote input. */
export class CrdtError extends CodedError {}
