import assert from 'node:assert/strict';
import type { CrdtResult } from '../../src/crdt/errors.ts';

/** Asserts that `result` is a refusal with `reason` and, when `detail` is given, a detail it matches. */
export function assertRefused(result: CrdtResult<unknown>, reason: string, detail?: RegExp): void {
  assert.equal(result.ok, false, 'expected a rejection');
  if (result.ok) return;
  assert.equal(result.reason, reason, result.detail);
  if (detail !== undefined) assert.match(result.detail, detail);
}
