import { CrdtError } from './errors.ts';

/**
 * A local caller broke a contract of a CRDT type: an operation constructor got a value outside
 * the model (a NaN, an increment of 0, a 1 MiB string), or `apply` got an origin that no vertex
 * can have. Remote input never throws this; it is refused with a `CrdtRejection` instead.
 */
export class CrdtArgumentError extends CrdtError {
  constructor(message: string) {
    super('ERR_CRDT_ARGUMENT', message);
  }
}
