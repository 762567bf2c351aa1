import { BASIC_TYPE_LIMITS } from '../basic-limits.ts';

/**
 * Hard limits of the RGA (docs/LIMITS.md, "RGA"). Operation limits are functions of the operation
 * alone (checked by `decodeOp`, the local constructors and `apply`), never of what a replica
 * already holds: a refusal that depended on a replica's state would depend on arrival order, and
 * replicas that refused different operations would never converge. Changing one changes what
 * peers accept.
 */
export const RGA_LIMITS = Object.freeze({
  /** Most elements (code points or list values) one insert operation carries. */
  maxInsertElements: 65_536,
  /** Most id ranges one delete operation names. */
  maxDeleteRanges: 16_384,
  /**
   * Most items one author may create in one document: an item's seq plus its insert's length
   * stays at or below this, so seqs are exact integers everywhere and varints stay short.
   */
  maxSeq: 2 ** 40,
  /** Largest string (UTF-8 bytes) or byte-string element of a list: the scalar limit of the other types. */
  maxElementBytes: BASIC_TYPE_LIMITS.maxScalarBytes,
  /** Most authors one snapshot may list. */
  maxSnapshotAuthors: 2 ** 20,
});
