import { CodedError } from '../crypto/index.ts';

/**
 * Why the group layer refused a vertex, an operation or a code. Remote input is adversarial, so
 * refusals are values: the group state they were aimed at is left exactly as it was, nothing is
 * decrypted into the log and no key state advances.
 */
export type GroupRejectionReason =
  | 'malformed' // payload, header, plaintext or operation not of the documented shape
  | 'bad-padding' // padded plaintext not in canonical bucket form
  | 'decrypt-failed' // AEAD tag did not verify: truncated, bit-flipped or wrong key
  | 'wrong-epoch' // message names an epoch that is not its sender's current one in its causal past
  | 'stale-epoch' // the epoch's recipients are not the membership (and keys) the message's past shows
  | 'replay' // the message key of this (sender, epoch, index) was already used and deleted
  | 'skip-limit' // the message index jumps further ahead than MAX_SKIP
  | 'not-a-member' // author is not a member in the vertex's causal past (never added, or removed)
  | 'forbidden' // a membership operation its author has no right to make
  | 'wrong-key-type' // a type-tagged key of another algorithm than the field expects
  | 'bad-key' // a key of the wrong size, or one that does not hash to the claimed id
  | 'bad-slot' // an epoch slot addressed to this member that does not open
  | 'limit' // a count or size beyond docs/LIMITS.md
  | 'invite-expired'
  | 'invite-used'
  | 'invite-unknown';

export interface GroupRejection {
  readonly ok: false;
  readonly reason: GroupRejectionReason;
  /** Human-readable detail for logs; never contains secrets or message content. */
  readonly detail: string;
}

export type GroupResult<T> = { readonly ok: true; readonly value: T } | GroupRejection;

export function groupReject(reason: GroupRejectionReason, detail: string): GroupRejection {
  return { ok: false, reason, detail };
}

export function groupOk<T>(value: T): GroupResult<T> {
  return { ok: true, value };
}

/** Thrown for local misuse (a caller breaking a contract, a message too large to send), never for remote input. */
export class GroupError extends CodedError {}

/** The `ERR_GROUP_ARGUMENT` error of a caller breaking a function's contract. */
export function groupArgumentError(message: string): GroupError {
  return new GroupError('ERR_GROUP_ARGUMENT', message);
}

/** Throws GroupError `ERR_GROUP_ARGUMENT` unless `value` is a Uint8Array of exactly `length` bytes. */
export function checkArgumentBytes(value: Uint8Array, length: number, what: string): void {
  if (!(value instanceof Uint8Array) || value.length !== length) throw groupArgumentError(`${what} must be ${length} bytes`);
}
