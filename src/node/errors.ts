import { CodedError } from '../crypto/index.ts';

/** Errors of the node layer (composition, lifecycle, worker pool). */
export class NodeError extends CodedError {}
