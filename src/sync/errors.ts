import { CodedError } from '../crypto/index.ts';

/**
 * Why a session ended without completing. Failures caused by the peer or the link are expected on
 * an adversarial network, so they are values (a `SyncFailure` in the step result), never thrown;
 * the codes are stable and may be used for peer scoring.
 */
export type SyncFailureCode =
  /** The input ends inside an item. */
  | 'truncated'
  /** Not a frame of the version it claims: an unknown kind or record, a field of the wrong shape. */
  | 'malformed'
  /** A varint not in its shortest form, or items that must be sorted and unique are not. */
  | 'non-canonical'
  /** The frame's version is not one this code speaks (the reply lists the versions it does). */
  | 'unknown-version'
  /** A count or size above a limit of SYNC_LIMITS. */
  | 'limit-exceeded'
  /** A frame that the state machine does not expect now (e.g. a second hello, a range for an unknown topic). */
  | 'unexpected-frame'
  /** Vertex bytes in a VERTICES record that do not decode, or that belong to another topic. */
  | 'bad-vertex'
  /** An author filter that does not parse, is zero-sized, or is saturated. */
  | 'bad-filter'
  /** A KEYS record entry that is not a well-formed author key. */
  | 'bad-key'
  /** The peer sent an ERROR frame. */
  | 'peer-error'
  /** The peer does not speak our wire version; `supportedVersions` lists what it speaks. */
  | 'peer-unsupported-version'
  /** The host aborted the session (e.g. a timeout). */
  | 'aborted'
  /** A frame arrived after the session had ended. */
  | 'closed';

/**
 * The failures with which a session refuses a frame the peer sent: it breaks the wire format, a
 * limit or the state machine. The peer's own ERROR frame, the host's abort and a frame after the
 * end are not among them.
 */
export const REFUSED_FRAME_CODES: ReadonlySet<SyncFailureCode> = new Set<SyncFailureCode>([
  'truncated',
  'malformed',
  'non-canonical',
  'unknown-version',
  'limit-exceeded',
  'unexpected-frame',
  'bad-vertex',
  'bad-filter',
  'bad-key',
]);

export interface SyncFailure {
  readonly code: SyncFailureCode;
  /** Human-readable detail for logs. */
  readonly detail: string;
  /** With `peer-unsupported-version` and `unknown-version`: the versions the peer / we speak. */
  readonly supportedVersions?: readonly number[];
}

/** A failure raised while decoding; caught at the session boundary and turned into a value. */
export class SyncDecodeFailure {
  readonly code: SyncFailureCode;
  readonly detail: string;
  constructor(code: SyncFailureCode, detail: string) {
    this.code = code;
    this.detail = detail;
  }
}

/** Programming errors of the sync layer (bad options, misuse of the API). */
export class SyncError extends CodedError {}

export class SyncOptionsError extends SyncError {
  constructor(message: string) {
    super('ERR_SYNC_OPTIONS', message);
  }
}
