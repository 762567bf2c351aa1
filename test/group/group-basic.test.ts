import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupMember, syncAll } from '../support/group-member.ts';

test('three members create, add, talk, and each reads the others', () => {
  const alice = new GroupMember('alice', { seed: 1 });
  const bob = new GroupMember('bob', { seed: 2 });
  const carol = new GroupMember('carol', { seed: 3 });
  alice.create('friends');
  alice.write({ kind: 'ops', ops: [alice.addOp(bob), alice.addOp(carol)] });
  bob.joinFrom(alice);
  carol.joinFrom(alice);
  alice.say('hello from alice');
  syncAll([alice, bob, carol]);
  bob.say('hi from bob');
  syncAll([alice, bob, carol]);
  carol.say('carol here');
  syncAll([alice, bob, carol]);
  for (const m of [alice, bob, carol]) {
    assert.deepEqual(m.readable().sort(), ['carol here', 'hello from alice', 'hi from bob'], m.name);
    assert.deepEqual(m.members(), [alice.hex, bob.hex, carol.hex].sort());
    assert.equal(m.group?.name, 'friends');
  }
  const rejected = [alice, bob, carol].flatMap((m) => m.log.filter((r) => r.outcome.status === 'rejected').map((r) => `${m.name}: ${JSON.stringify(r.outcome)}`));
  assert.deepEqual(rejected, []);
});
