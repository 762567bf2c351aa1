import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unreadableNote } from '../../src/cli/commands/log.ts';

test('pars log counts the messages it cannot show, by why, in words that agree with the numbers', () => {
  assert.equal(unreadableNote({ notForYou: 0, keyNotOpened: 0, badContent: 0 }), undefined, 'nothing to say');
  assert.equal(
    unreadableNote({ notForYou: 1, keyNotOpened: 0, badContent: 0 }),
    '1 message of this group cannot be shown here: 1 was sent while you were not a member (before you joined, or after you left or were removed).',
  );
  assert.equal(
    unreadableNote({ notForYou: 2, keyNotOpened: 3, badContent: 1 }),
    '6 messages of this group cannot be shown here: 2 were sent while you were not a member (before you joined, or after you left or were removed); ' +
      '3 were sealed under a key this node could not open (the sender was asked to start afresh; later messages open); 1 was opened but held no valid message.',
  );
  assert.equal(
    unreadableNote({ notForYou: 0, keyNotOpened: 1, badContent: 0 }),
    '1 message of this group cannot be shown here: 1 was sealed under a key this node could not open (the sender was asked to start afresh; later messages open).',
  );
});
