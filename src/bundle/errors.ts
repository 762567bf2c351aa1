import { CodedError } from '../crypto/index.ts';

/**
 * Why a bundle was refused. `offset` is the byte of the file where reading broke (the start of
 * the chunk whose check failed, or the end of a truncated file), so people can tell a damaged
 * stick from a forged one.
 */
export type BundleFailureCode =
  | 'ERR_BUNDLE_NOT_A_BUNDLE'
  | 'ERR_BUNDLE_VERSION'
  | 'ERR_BUNDLE_NO_KEY'
  | 'ERR_BUNDLE_TAMPERED'
  | 'ERR_BUNDLE_TRUNCATED'
  | 'ERR_BUNDLE_TRAILING_DATA'
  | 'ERR_BUNDLE_FORMAT'
  | 'ERR_BUNDLE_SIGNATURE'
  | 'ERR_BUNDLE_CHANGED'
  | 'ERR_BUNDLE_UNKNOWN_DEVICE';

export class BundleError extends CodedError {
  readonly offset: number | undefined;
  /** The message without the offset. */
  readonly detail: string;
  constructor(code: BundleFailureCode, message: string, offset?: number) {
    super(code, offset === undefined ? message : `${message} (at byte ${offset})`);
    this.offset = offset;
    this.detail = message;
  }
}

/** A wrong argument to export or import (no recipient, bad marker, file exists …). */
export class BundleOptionError extends CodedError {}
