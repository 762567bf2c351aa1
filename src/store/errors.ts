import { CodedError } from '../crypto/index.ts';

/** Errors of the persistence layer. */
export class StoreError extends CodedError {}
