import assert from 'node:assert/strict';
import { test } from 'node:test';
import { counted } from '../../src/cli/counted.ts';

test('counted: the noun agrees with the number, and thousands are grouped', () => {
  assert.equal(counted(1, 'topic'), '1 topic');
  assert.equal(counted(0, 'topic'), '0 topics');
  assert.equal(counted(2, 'vertex', 'vertices'), '2 vertices');
  assert.equal(counted(1, 'vertex', 'vertices'), '1 vertex');
  assert.equal(counted(66556, 'byte'), '66,556 bytes');
});
