/**
 * Hard limits of the counters, sets and registers (docs/LIMITS.md, "Counters, sets and
 * registers"). Operation limits are checked by `decodeOp` and `apply`; snapshot limits by
 * `decodeState`, before anything is allocated. Changing one changes what peers accept.
 *
 * No limit is checked against a replica's state when an operation is applied: a refusal that
 * depended on what a replica already holds would depend on arrival order, and replicas that
 * refused different operations would never converge.
 */
export const BASIC_TYPE_LIMITS = Object.freeze({
  /** Largest string (UTF-8 bytes) or byte-string value in a set or register. */
  maxScalarBytes: 4_096,
  /** Largest amount one counter operation adds or subtracts: 2^32. */
  maxCounterStep: 2 ** 32,
  /**
   * Largest per-author total a counter snapshot may hold: 2^64 − 1, more than four billion
   * maximal increments by one author.
   */
  maxCounterTotal: 2n ** 64n - 1n,
  /** Most dots one OR-Set or MV-Register operation may name as observed. */
  maxDotsPerOp: 1_024,
  /**
   * Largest operation index within a vertex. A 64 KiB payload holds far fewer operations than
   * this (each encodes to several bytes), so the cap never refuses a valid vertex.
   */
  maxOpIndex: 65_535,
  /** Most entries of each kind (authors, elements, dots, removed dots) in one snapshot. */
  maxStateEntries: 2 ** 24,
});
