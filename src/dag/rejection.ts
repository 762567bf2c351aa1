import { CodedError } from '../crypto/index.ts';

/**
 * Why a vertex was refused. Rejections are expected outcomes on an adversarial network, so they
 * are returned as values; the `reason` strings are stable and appear in logs and peer scores.
 */
export type RejectionReason =
  // decoding (src/dag/codec.ts)
  | 'truncated'
  | 'malformed'
  | 'non-canonical'
  | 'unknown-version'
  | 'vertex-too-large'
  | 'payload-too-large'
  | 'too-many-parents'
  | 'unsorted-parents'
  | 'duplicate-parents'
  | 'bad-field-size'
  | 'lamport-out-of-range'
  // verification (src/dag/verify.ts)
  | 'id-mismatch'
  | 'author-unknown'
  | 'author-key-invalid'
  | 'bad-signature'
  // placement in the DAG (src/dag/dag.ts)
  | 'bad-lamport'
  | 'parent-topic-mismatch'
  | 'parent-rejected'
  | 'quarantine-full';

export interface Rejection {
  readonly ok: false;
  readonly reason: RejectionReason;
  /** Human-readable detail for logs; never contains secrets. */
  readonly detail: string;
}

export function reject(reason: RejectionReason, detail: string): Rejection {
  return { ok: false, reason, detail };
}

/**
 * Reasons that can never become valid later: a vertex with this id is bad forever (its id is the
 * hash of its bytes), so vertices that name it as a parent are refused too. `author-unknown`
 * and `quarantine-full` are not here: a key or room may arrive later.
 */
export const PERMANENT_REASONS: ReadonlySet<RejectionReason> = new Set<RejectionReason>([
  'truncated',
  'malformed',
  'non-canonical',
  'unknown-version',
  'vertex-too-large',
  'payload-too-large',
  'too-many-parents',
  'unsorted-parents',
  'duplicate-parents',
  'bad-field-size',
  'lamport-out-of-range',
  'id-mismatch',
  'author-key-invalid',
  'bad-signature',
  'bad-lamport',
  'parent-topic-mismatch',
  'parent-rejected',
]);

/** Thrown only for misuse of the DAG API (a bug in the caller); bad data is a `Rejection`. */
export class DagError extends CodedError {}
