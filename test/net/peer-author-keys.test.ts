import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PeerAuthorKeys } from '../../src/net/peer-author-keys.ts';

test('peer author keys: learned per peer, oldest forgotten past the cap, all forgotten on disconnect', () => {
  const held = new PeerAuthorKeys(3);
  assert.equal(held.holds('p', 'a1'), false);
  held.learn('p', 'a1');
  held.learn('p', 'a2');
  held.learn('q', 'a9');
  assert.ok(held.holds('p', 'a1') && held.holds('p', 'a2') && held.holds('q', 'a9'));
  assert.equal(held.holds('q', 'a1'), false, 'what one peer holds says nothing of another');
  held.learn('p', 'a1'); // known already: no change of order
  held.learn('p', 'a3');
  held.learn('p', 'a4');
  assert.equal(held.holds('p', 'a1'), false, 'the oldest goes first past the cap (its key is sent again)');
  assert.ok(held.holds('p', 'a2') && held.holds('p', 'a3') && held.holds('p', 'a4'));
  held.forget('p');
  assert.equal(held.holds('p', 'a2'), false);
  assert.ok(held.holds('q', 'a9'));
  assert.throws(() => new PeerAuthorKeys(0), RangeError);
});
